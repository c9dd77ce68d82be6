"""Grades one program against one exercise's grader and prints the report.

    check.py ID PROGRAM [--json FILE] [--sandbox | --no-sandbox]

ID is an exercise id (ch02-udpretry), PROGRAM the built program to grade.
Prints one line per stage and, for the first failure, what went wrong and
which hint may help; exits 0 when every stage passed, 1 when one failed, 2
on bad usage. --json writes the stages (for ./workbook grade and the
exercises' own tests).

The program runs in the sandbox (sandbox.py) wherever it works; where it
does not, check says so in one line and runs the program as it is.
--sandbox makes that an error instead (exit 2: ./workbook grade never runs
a student's code outside it); --no-sandbox runs the program as it is.
"""

import json
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import grading  # noqa: E402
import sandbox  # noqa: E402

USAGE = "usage: check.py ID PROGRAM [--json FILE] [--sandbox | --no-sandbox]"


def grader_path(ex_id):
    """tests/exercises/grade_ch02_udpretry.py for ch02-udpretry."""
    return HERE / ("grade_" + ex_id.replace("-", "_") + ".py")


def main(argv):
    args = argv[1:]
    json_path = None
    if "--json" in args:
        i = args.index("--json")
        if i + 1 >= len(args):
            print(USAGE, file=sys.stderr)
            return 2
        json_path = args[i + 1]
        del args[i:i + 2]
    flags = [a for a in args if a in ("--sandbox", "--no-sandbox")]
    args = [a for a in args if a not in flags]
    mode = flags[0] if flags else "if available"
    if len(flags) > 1 or len(args) != 2 or not re.fullmatch(r"ch\d\d-[a-z0-9]+", args[0]):
        print(USAGE, file=sys.stderr)
        return 2
    ex_id, program = args
    grader = grader_path(ex_id)
    if not grader.exists():
        print(f"check.py: no grader for '{ex_id}' ({grader})", file=sys.stderr)
        return 2
    if not os.access(program, os.X_OK):
        print(f"check.py: no program at {program}", file=sys.stderr)
        return 2
    runs = Path(program).resolve()
    folder = None
    if mode != "--no-sandbox":
        ok, why = sandbox.available()
        if ok:
            folder = sandbox.workdir("workbook-sandbox-")
            try:
                runs = sandbox.write_wrapper(program, folder)
            except FileNotFoundError as e:  # sandbox-exec not built
                shutil.rmtree(folder, ignore_errors=True)
                print(f"check.py: {e}", file=sys.stderr)
                return 2
            os.environ["WORKBOOK_EX_SANDBOX"] = "1"
        elif mode == "--sandbox":
            print(f"check.py: no sandbox: {why}", file=sys.stderr)
            return 2
        else:
            print(f"Not in the sandbox: {why}; your program runs as you.", flush=True)
    os.environ["WORKBOOK_EX_PROGRAM"] = str(runs)
    os.environ["WORKBOOK_EX_ID"] = ex_id
    print(f"Grading {ex_id}: {program}", flush=True)
    try:
        return grade(ex_id, program, grader, json_path)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def grade(ex_id, program, grader, json_path):
    code = grading.run_grader(grader)
    stages = grading.REPORT.stages
    failed = next((s for s in stages if s["status"] == "failed"), None)
    passed = code == 0 and failed is None and stages
    if passed:
        print(f"PASSED: all {len(stages)} stages of {ex_id}.")
    elif failed:
        print(f"FAILED at stage {failed['number']} ({failed['title']}).")
        if failed["hint"]:
            print(f"Hint {failed['hint']} may help: ./workbook ex hint {ex_id} {failed['hint']}")
    else:
        print("FAILED: the grader did not run to the end.")
    if json_path:
        Path(json_path).write_text(json.dumps(
            {"id": ex_id, "program": program, "passed": bool(passed), "stages": stages}, indent=1))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
