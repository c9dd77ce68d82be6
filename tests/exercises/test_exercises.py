"""The exercises' own tests: each grader is run on the reference solution,
as a teacher's `./workbook grade` runs it on a student's file (compiled
and graded in the sandbox: it must pass), and, as a student's
`./workbook ex check` runs it, on the untouched starter (must fail at
stage 1 and point to a hint) and every known-wrong version kept in
wrong/ID/ (must fail where its header says).

A known-wrong version (wrong/ID/WHAT.patch, a patch to the solution) adds
a line to the header that says what it expects:
    // expect: stage 3: first difference at byte
(the stage number, then a regular expression the failure must match).
WORKBOOK_EX_ONLY=ID limits the run to one exercise (meson registers one
test per exercise).
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sandbox
from grading import ROOT_ONLY

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
BUILD = Path(os.environ.get("WORKBOOK_BUILD", SOURCE / "build"))
CHECK_TIMEOUT = 180  # seconds: a whole grader run; each stage bounds itself


def exercises():
    only = os.environ.get("WORKBOOK_EX_ONLY")
    for listing in sorted(SOURCE.glob("ch0*/exercises/list")):
        chapter = listing.parts[-3]
        for name in listing.read_text().split():
            ex_id = f"{chapter}-{name}"
            if only in (None, ex_id):
                yield ex_id, chapter, name


def wrong_versions():
    for ex_id, _, _ in exercises():
        for patch in sorted((HERE / "wrong" / ex_id).glob("*.patch")):
            # the line the patch adds to the solution's header
            m = re.search(r"^\+// expect: stage (\d+): (.*)$", patch.read_text(), re.M)
            assert m, f"{patch}: adds no '// expect: stage N: REGEX' line"
            yield pytest.param(ex_id, patch.stem, int(m.group(1)), m.group(2), id=f"{ex_id}/{patch.stem}")


def check(ex_id, program, tmp_path):
    """Runs check.py as `./workbook ex check` does; returns (exit code,
    printed report, the stages from its JSON)."""
    assert Path(program).exists(), f"{program} is not built"
    sandbox.available()  # found out once; each check.py is then told (WORKBOOK_SANDBOX_WORKS)
    report = tmp_path / "report.json"
    r = subprocess.run([sys.executable, HERE / "check.py", ex_id, program, "--json", report],
                       capture_output=True, timeout=CHECK_TIMEOUT)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    stages = json.loads(report.read_text())["stages"] if report.exists() else []
    return r.returncode, out, stages


@pytest.mark.parametrize("ex_id,chapter,name", list(exercises()))
def test_solution_passes(ex_id, chapter, name, tmp_path):
    """The reference solution, handed in as a student's file, passes
    `./workbook grade`: it compiles in the sandbox as a student's does (or
    grading's CompileCache has that compile of the same file, tree and
    grading code), and passes every stage of its grader (one graded class
    of the 13 solutions would be the same work, one exercise after
    another)."""
    student = tmp_path / "submissions" / "honest"
    theirs = student / chapter / "exercises" / name / f"{name}.cpp"
    theirs.parent.mkdir(parents=True)
    shutil.copy(SOURCE / chapter / "exercises" / "solutions" / f"{name}.cpp", theirs)
    grades = tmp_path / "grades"
    r = subprocess.run([sys.executable, HERE / "grade_all.py", student.parent, ex_id, "--build", BUILD,
                        "--out", grades], capture_output=True, text=True, timeout=CHECK_TIMEOUT)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(grades / "grades.csv") as f:
        row = next(csv.DictReader(f))
    out = json.loads((grades / "honest" / "results.json").read_text())["tests"][0]["output"]
    assert row[ex_id] == "pass" and row["total"] == "1", f"the reference solution of {ex_id} fails:\n{out}"
    # every stage passed; one that needs real root may be skipped in a normal user's run
    stages = re.findall(r"^  (ok     |FAILED |SKIPPED) \d+\. .*\n((?:           .*\n)*)", out, re.M)
    assert stages and all(mark == "ok     " or (mark == "SKIPPED" and ROOT_ONLY in text)
                          for mark, text in stages), out
    assert not (student / "results.json").exists(), "with --out, nothing is written into a submission"


@pytest.mark.parametrize("ex_id,chapter,name", list(exercises()))
def test_starter_fails_at_stage_1_with_a_hint(ex_id, chapter, name, tmp_path):
    code, out, stages = check(ex_id, BUILD / chapter / "exercises" / name, tmp_path)
    assert code == 1, f"the untouched starter of {ex_id} does not fail:\n{out}"
    assert stages and stages[0]["status"] == "failed", f"the starter should fail at stage 1:\n{out}"
    assert re.search(rf"^Hint \d+ may help: \./workbook ex hint {ex_id}", out, re.M), out


@pytest.mark.parametrize("ex_id,wrong,stage,pattern", list(wrong_versions()))
def test_wrong_version_fails_as_expected(ex_id, wrong, stage, pattern, tmp_path):
    code, out, stages = check(ex_id, BUILD / "tests" / "exercises" / f"{ex_id}-{wrong}", tmp_path)
    assert code == 1, f"{wrong} should fail {ex_id}'s grader:\n{out}"
    failed = [s for s in stages if s["status"] == "failed"]
    assert failed and failed[0]["number"] == stage, f"{wrong} should fail at stage {stage}:\n{out}"
    assert re.search(pattern, failed[0]["output"]), f"stage {stage}'s message should match {pattern!r}:\n{out}"
