"""Grades one program against one exercise's grader and prints the report.

    check.py ID PROGRAM [--json FILE]

ID is an exercise id (ch02-udpretry), PROGRAM the built program to grade.
Prints one line per stage and, for the first failure, what went wrong and
which hint may help; exits 0 when every stage passed, 1 when one failed, 2
on bad usage. --json writes the stages (for ./workbook grade and the
exercises' own tests).
"""

import json
import os
import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import grading  # noqa: E402


def grader_path(ex_id):
    """tests/exercises/grade_ch02_udpretry.py for ch02-udpretry."""
    return HERE / ("grade_" + ex_id.replace("-", "_") + ".py")


def main(argv):
    args = argv[1:]
    json_path = None
    if "--json" in args:
        i = args.index("--json")
        if i + 1 >= len(args):
            print("usage: check.py ID PROGRAM [--json FILE]", file=sys.stderr)
            return 2
        json_path = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2 or not re.fullmatch(r"ch\d\d-[a-z0-9]+", args[0]):
        print("usage: check.py ID PROGRAM [--json FILE]", file=sys.stderr)
        return 2
    ex_id, program = args
    grader = grader_path(ex_id)
    if not grader.exists():
        print(f"check.py: no grader for '{ex_id}' ({grader})", file=sys.stderr)
        return 2
    os.environ["WORKBOOK_EX_PROGRAM"] = str(Path(program).resolve())
    os.environ["WORKBOOK_EX_ID"] = ex_id
    print(f"Grading {ex_id}: {program}", flush=True)
    code = pytest.main(["-x", "-p", "no:terminal", "-p", "no:cacheprovider",
                        "-p", "no:randomly", "--rootdir", str(HERE), str(grader)],
                       plugins=[grading])
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
        print(f"FAILED: the grader did not run to the end (pytest exit code {code}).")
    if json_path:
        Path(json_path).write_text(json.dumps(
            {"id": ex_id, "program": program, "passed": bool(passed), "stages": stages}, indent=1))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
