"""The teacher's tools: ./workbook handout leaves the reference solutions
and the known-wrong versions out (of the files and of git), and keeps only
the chosen exercises; the grading driver grades students in isolation and
writes grades.csv and Gradescope's results.json."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
EX = "ch02-udpretry"  # a quick one to grade
STARTER = Path("ch02/exercises/udpretry/udpretry.cpp")


def workbook(*args, copy=SOURCE, timeout=120):
    """./workbook ARGS in a copy of the workbook (this one, or a handout)."""
    return subprocess.run([Path(copy) / "workbook", *args], cwd=copy, capture_output=True,
                          text=True, timeout=timeout)


def test_handout_has_no_solutions_and_only_the_chosen_exercises(tmp_path):
    out = tmp_path / "class"
    r = workbook("handout", out, "--only", EX)
    assert r.returncode == 0, r.stderr
    files = subprocess.run(["git", "-C", out, "log", "--all", "--name-only", "--format="],
                           capture_output=True, text=True, check=True).stdout.split()
    assert STARTER.as_posix() in files
    leaked = [f for f in files if "/solutions/" in f or f.startswith("tests/exercises/wrong/")]
    assert not leaked, f"the handout's git history holds {leaked}"
    assert not list(out.glob("ch0*/exercises/solutions")), "a solutions folder was copied"
    assert (out / "ch02/exercises/list").read_text().split() == ["udpretry"]
    assert (out / "ch01/exercises/list").read_text().split() == []
    assert not (out / "ch01/exercises/wordserver").exists()
    assert not (out / "tests/exercises/grade_ch01_wordserver.py").exists()
    r = workbook("ex", "solution", EX, copy=out)
    assert r.returncode == 1 and "left out" in r.stderr, r
    r = workbook("handout", out)
    assert r.returncode == 1 and "not empty" in r.stderr, "a handout must not overwrite a folder"


def test_grade_writes_grades_and_results(tmp_path):
    subs = tmp_path / "submissions"
    good, broken, empty = (subs / name for name in ("good", "broken", "empty"))
    for student in (good, broken):
        (student / STARTER).parent.mkdir(parents=True)
    empty.mkdir()
    shutil.copy(SOURCE / "ch02/exercises/solutions/udpretry.cpp", good / STARTER)
    (broken / STARTER).write_text("int main() { this is not C++ }\n")
    r = subprocess.run([sys.executable, HERE / "grade_all.py", subs, EX], capture_output=True,
                       text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(subs / "grades.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["good"][EX] == "pass" and rows["good"]["total"] == "1", rows["good"]
    assert rows["broken"][EX] == "fail: does not compile", rows["broken"]
    assert rows["empty"][EX] == f"fail: no {STARTER} in the submission", rows["empty"]
    results = json.loads((good / "results.json").read_text())
    assert results["score"] == 1
    assert results["tests"][0]["name"] == EX and results["tests"][0]["max_score"] == 1
    assert "PASSED" in results["tests"][0]["output"]
    broken_out = json.loads((broken / "results.json").read_text())["tests"][0]["output"]
    assert "error" in broken_out, "the compiler's first error should reach the student"
    assert os.path.exists(subs / "good" / STARTER), "grading must not touch the submission"
