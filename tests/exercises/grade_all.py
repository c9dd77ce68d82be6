"""./workbook grade SUBMISSIONS_DIR: grade every student's copy.

    grade_all.py SUBMISSIONS_DIR "ID ID ..."

SUBMISSIONS_DIR holds one folder per student: a copy of the handout, or
just the exercise files laid out as in it (chNN/exercises/NAME/NAME.cpp).
Only those files are taken from a student. Each student's programs are
built in a fresh copy of this (the teacher's) tree, and graded with this
tree's graders, never the student's, in a private network namespace, with a
time and an output limit per exercise. A program that does not compile,
hangs, crashes, floods its output or deletes its own files fails that
exercise, with the reason, and nothing else.

Writes SUBMISSIONS_DIR/grades.csv (student, one column per exercise with
"pass" or "fail: ...", total), SUBMISSIONS_DIR/STUDENT/results.json in
Gradescope's autograder format, and prints a table.
"""

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
CHECK = HERE / "check.py"
BUILD_TIMEOUT = 300  # seconds, for one student's whole build
GRADE_TIMEOUT = 180  # seconds, for one exercise's grader
OUTPUT_CAP = 256 << 10  # bytes of a grader's report kept


def tree_files():
    """The teacher's files a build needs (git's list, or every file)."""
    r = subprocess.run(["git", "-C", SOURCE, "ls-files"], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout:
        return [f for f in r.stdout.splitlines() if (SOURCE / f).is_file()]
    return [str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*")
            if p.is_file() and not p.relative_to(SOURCE).parts[0].startswith((".git", "build"))]


def bounded(cmd, timeout, cwd=None):
    """Runs cmd in its own process group; returns (status or None when it
    ran out of time, output cut at OUTPUT_CAP). The group is killed at the end."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            status = p.wait(timeout)
        except subprocess.TimeoutExpired:
            status = None
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        out.seek(0)
        text = out.read(OUTPUT_CAP).decode(errors="replace")
    return status, text


def private_network(cmd):
    """cmd inside a new network namespace with only lo (a user namespace
    too, for a normal user)."""
    user = [] if os.geteuid() == 0 else ["-r"]
    return ["unshare", *user, "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *map(str, cmd)]


def first_error(log):
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "error" in line and not line.startswith(("ninja", "[")):
            return "\n".join(lines[i:i + 6])
    return "\n".join(lines[-15:])


def grade_student(folder, ids, files, workroot):
    """Returns {id: (passed, short reason, full output)} for one student."""
    work = Path(tempfile.mkdtemp(prefix=folder.name + "-", dir=workroot))
    for f in files:
        (work / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SOURCE / f, work / f)
    results = {}
    present = {}
    for ex_id in ids:
        chapter, name = ex_id.split("-", 1)
        rel = Path(chapter, "exercises", name, name + ".cpp")
        theirs = folder / rel
        if theirs.is_file() and not theirs.is_symlink():
            shutil.copyfile(theirs, work / rel)
            present[ex_id] = rel
        else:
            results[ex_id] = (False, f"no {rel} in the submission", "")
    if present:
        status, log = bounded(["meson", "setup", "build"], BUILD_TIMEOUT, cwd=work)
        if status != 0:
            for ex_id in present:
                results[ex_id] = (False, "the build could not be set up", log)
            present = {}
    for ex_id, rel in present.items():
        target = str(rel.parent)  # chNN/exercises/NAME: the target of chNN/exercises/meson.build
        status, log = bounded(["meson", "compile", "-C", "build", target], BUILD_TIMEOUT, cwd=work)
        if status != 0:
            reason = "does not compile" if status is not None else "the build ran out of time"
            results[ex_id] = (False, reason, first_error(log))
            continue
        program = work / "build" / target
        report = work / f"{ex_id}.json"
        status, out = bounded(private_network([sys.executable, CHECK, ex_id, program, "--json", report]),
                              GRADE_TIMEOUT)
        stages = json.loads(report.read_text())["stages"] if report.exists() else []
        failed = next((s for s in stages if s["status"] != "passed"), None)
        if status == 0:
            results[ex_id] = (True, "pass", out)
        elif status is None:
            results[ex_id] = (False, f"the grader ran out of time ({GRADE_TIMEOUT} s)", out)
        elif failed:
            results[ex_id] = (False, f"stage {failed['number']} ({failed['title']})", out)
        else:
            results[ex_id] = (False, "the grader did not finish", out)
    shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv):
    if len(argv) != 3:
        print("usage: grade_all.py SUBMISSIONS_DIR 'ID ID ...'", file=sys.stderr)
        return 2
    subs = Path(argv[1]).resolve()
    ids = argv[2].split()
    students = sorted(p for p in subs.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not students:
        print(f"grade: no student folders in {subs}", file=sys.stderr)
        return 2
    files = tree_files()
    grades = {}
    with tempfile.TemporaryDirectory(prefix="workbook-grade-") as workroot:
        for folder in students:
            print(f"grading {folder.name} ...", flush=True)
            results = grade_student(folder, ids, files, workroot)
            grades[folder.name] = results
            tests = [{"name": ex_id, "score": 1 if ok else 0, "max_score": 1,
                      "output": f"{'pass' if ok else 'fail: ' + reason}\n\n{out}"}
                     for ex_id, (ok, reason, out) in results.items()]
            (folder / "results.json").write_text(json.dumps(
                {"score": sum(t["score"] for t in tests), "tests": tests}, indent=1))
    with open(subs / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", *ids, "total"])
        for student, results in grades.items():
            cells = ["pass" if results[i][0] else "fail: " + results[i][1] for i in ids]
            w.writerow([student, *cells, sum(results[i][0] for i in ids)])
    width = max(len(s) for s in [*grades, "student"]) + 2
    print("\n" + "student".ljust(width) + "  ".join(i.ljust(16) for i in ids) + "  total")
    for student, results in grades.items():
        print(student.ljust(width) + "  ".join(("pass" if results[i][0] else "FAIL").ljust(16) for i in ids)
              + f"  {sum(results[i][0] for i in ids)}/{len(ids)}")
    print(f"\nWritten: {subs / 'grades.csv'} and each student's results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
