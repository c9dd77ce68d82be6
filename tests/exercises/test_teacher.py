"""The teacher's tools: ./workbook handout leaves the reference solutions
and the known-wrong versions out (of the files and of git), and keeps only
the chosen exercises; the grading driver grades students in the sandbox
and writes grades.csv and Gradescope's results.json; a class that cheats
or does harm changes nothing but its own grades. (An honest class, every
reference solution handed in and graded, is test_exercises.py's
test_solution_passes, one exercise per test.)"""

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import sandbox
from grading import CI

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
EX = "ch02-udpretry"  # a quick one to grade
STARTER = Path("ch02/exercises/udpretry/udpretry.cpp")


def report(folder):
    """The grader's report in folder/results.json (its first exercise)."""
    return json.loads((folder / "results.json").read_text())["tests"][0]["output"]


def workbook(*args, copy=SOURCE, timeout=120):
    """./workbook ARGS in a copy of the workbook (this one, or a handout)."""
    return subprocess.run([Path(copy) / "workbook", *args], cwd=copy, capture_output=True,
                          text=True, timeout=timeout)


def grade_all(subs, ids, *options, env=None, tree=SOURCE):
    """grade_all.py of `tree` (this one, or a copy) with this build, as
    ./workbook grade runs it."""
    build = os.environ.get("WORKBOOK_BUILD", str(SOURCE / "build"))
    return subprocess.run([sys.executable, Path(tree) / "tests" / "exercises" / "grade_all.py", subs, ids,
                           "--build", build, *options], capture_output=True, text=True, timeout=900, env=env)


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
    r = grade_all(subs, EX)
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
    broken_out = report(broken)
    assert "error" in broken_out, "the compiler's first error should reach the student"
    assert os.path.exists(subs / "good" / STARTER), "grading must not touch the submission"


# ------------------------------------------------ a class that cheats

TIMESERVER = "ch03-timeserver"
SOLUTION = (SOURCE / "ch03/exercises/solutions/timeserver.cpp").read_text()
THEIRS = Path("ch03/exercises/timeserver/timeserver.cpp")
MARK = f"wb-hostile-{os.getpid()}"  # in the names of what the attacks leave
SLEEPER = f"sleep 600.{os.getpid()}"  # the command line of the process one leaves running
PAST_THE_LIMIT = sandbox.LIMITS["nproc"] + 50  # processes: more than a sandbox may have


def attack(body, includes=""):
    """The reference solution, plus `body` run before main() (a static
    object's constructor): the program is right, and does one thing more."""
    return (SOLUTION + "\n// One thing more, before main():\n#include <fcntl.h>\n#include <sys/prctl.h>\n"
            "#include <unistd.h>\n#include <csignal>\n#include <cstdlib>\n#include <cstring>\n#include <fstream>\n"
            + includes + "namespace {\nstruct OneThingMore {\n    OneThingMore() {\n" + body
            + "\n    }\n} one_thing_more;\n}  // namespace\n")


def hostile_class(subs):
    """Students, each with a timeserver.cpp; returns {student: what its
    grade must be: "pass", or a regex the fail reason must match}."""
    honest = subs / "a-honest" / THEIRS
    source, graders = str(SOURCE), str(HERE)
    students = {
        "a-honest": (SOLUTION, "pass"),
        "copies-by-relative-path": ('#include "../solutions/timeserver.cpp"\n', "does not compile"),
        "copies-by-absolute-path": (f'#include "{source}/ch03/exercises/solutions/timeserver.cpp"\n',
                                    "does not compile"),
        "does-not-compile": ("int main() { this is not C++ }\n", "does not compile"),
        # the graders, by their path and by the command lines of the processes above it
        "rewrites-the-graders": (attack(f"""
        for (const char* path : {{"{graders}/grade_ch03_timeserver.py", "{graders}/check.py",
                                 "{graders}/grading.py", "{source}/workbook"}}) {{
            std::ofstream(path) << "def test_pass():\\n    pass\\n";
        }}
        DIR* proc = opendir("/proc");  // every process it can see
        while (dirent* entry = proc ? readdir(proc) : nullptr) {{
            std::ifstream cmdline(std::string("/proc/") + entry->d_name + "/cmdline");
            std::string arg;
            while (std::getline(cmdline, arg, '\\0')) {{
                auto at = arg.find("check.py");
                if (at != std::string::npos) {{
                    std::ofstream(arg.substr(0, at) + "grade_ch03_timeserver.py") << "def test_pass(): pass\\n";
                }}
            }}
        }}
        if (proc) closedir(proc);""", "#include <dirent.h>\n"), "pass"),
        "rewrites-another-student": (attack(f"""
        std::ofstream("{honest}") << "int main() {{ return 1; }}\\n";
        std::ofstream("{subs}/a-honest/results.json") << "{{}}";
        std::ofstream("{subs}/grades.csv") << "a-honest,0\\n";"""), "pass"),
        "reads-another-student": (attack(f"""
        if (std::ifstream("{honest}") || std::ifstream("{source}/ch03/exercises/solutions/timeserver.cpp")) {{
            std::_Exit(3);  // it could read them: fail, so the test sees it
        }}"""), "pass"),
        "leaves-a-process": (attack(f"""
        if (fork() == 0) {{
            setsid();
            if (fork() == 0) {{
                std::ofstream("/tmp/{MARK}-file") << "still here";
                execlp("sleep", "sleep", "{SLEEPER.split()[1]}", nullptr);
            }}
            std::_Exit(0);
        }}"""), "pass"),
        # starts threads until refused, then ends them; more than the
        # sandbox's process limit (threads count against it: every task of
        # the user) would mean no limit held: it fails then. Threads, not
        # forks (test_sandbox.py forks directly): a fork copies the
        # process's page tables (ASan's shadow memory too, in a sanitizer
        # build), and 256 of them at every start of the program made the
        # grader's 10 s for the banner a measure of the machine's load
        "thread-storm": (attack("""
        constexpr int most = PAST_THE_LIMIT;
        static pthread_t kids[most];
        static int gate[2];  // each thread waits to read it; closed, they all end
        if (pipe(gate) != 0) std::_Exit(4);
        pthread_attr_t small;  // 64 KiB stacks: the address-space limit stays out of it
        pthread_attr_init(&small);
        pthread_attr_setstacksize(&small, 64 << 10);
        auto wait_for_gate = [](void*) -> void* {
            char c;
            ssize_t got = read(gate[0], &c, 1);  // 0 (end of file) once the gate is closed
            (void)got;
            return nullptr;
        };
        int n = 0;
        while (n < most && pthread_create(&kids[n], &small, wait_for_gate, nullptr) == 0) ++n;
        pthread_attr_destroy(&small);
        close(gate[1]);
        for (int i = 0; i < n; ++i) pthread_join(kids[i], nullptr);
        close(gate[0]);
        if (n == most) std::_Exit(3);""".replace("PAST_THE_LIMIT", str(PAST_THE_LIMIT)),
                                 "#include <pthread.h>\n"), "pass"),
        # asks for 3 GiB, 64 MiB at a time, until refused, then gives it back;
        # all of it would mean no limit held. Not in an AddressSanitizer
        # build: there the limit is off (ASan reserves terabytes of its own)
        # and all 3 GiB would come, 0.6 s of ASan's bookkeeping at each start
        "memory-hog": (attack("""
#ifndef __SANITIZE_ADDRESS__
        static void* got[48];
        int n = 0;
        while (n < 48 && (got[n] = std::malloc(64 << 20)) != nullptr) ++n;
        for (int i = 0; i < n; ++i) std::free(got[i]);
        if (n == 48) std::_Exit(3);
#endif"""), "pass"),
        "floods-its-output": (attack("""
        static char line[65536];
        std::memset(line, 'x', sizeof line);
        for (;;) {
            if (write(1, line, sizeof line) < 0) std::_Exit(1);
        }"""), r"stage 1 "),
        "never-answers": ("#include <unistd.h>\nint main() { for (;;) pause(); }\n", r"stage 1 "),
    }
    expected = {}
    for name, (text, grade) in students.items():
        (subs / name / THEIRS).parent.mkdir(parents=True)
        (subs / name / THEIRS).write_text(text)
        expected[name] = grade
    # a folder that is a link to another student's: nothing is taken through it
    (subs / "links-to-another").mkdir()
    (subs / "links-to-another" / "ch03").symlink_to(subs / "a-honest" / "ch03")
    expected["links-to-another"] = "no ch03/exercises/timeserver/timeserver.cpp in the submission"
    return expected


def checksums(top, skip=()):
    """sha256 of every file below top, less folders named in skip and the
    builds (build*/, and the build's passing logs, build*.log, beside them)."""
    sums = {}
    for d, dirs, files in os.walk(top):
        dirs[:] = [x for x in dirs if x not in skip and not x.startswith("build")]
        for f in files:
            path = Path(d, f)
            if not (path.parent == Path(top) and f.startswith("build") and f.endswith(".log")):
                sums[str(path.relative_to(top))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def test_a_hostile_class_changes_nothing_but_its_grades(tmp_path):
    """The class is graded at -j 2, then again at -j 6: each time every
    attack fails or changes only its own grade, and nothing of the tree,
    the submissions or the machine changes; the grades do not depend on N.
    (The second grading reuses every compile: grading's CompileCache.)"""
    ok, why = sandbox.available()
    if not ok:
        if CI:
            pytest.fail(f"{why}; under CI a skip is a failure")
        pytest.skip(why)
    subs = tmp_path / "submissions"
    expected = hostile_class(subs)
    tree_before = checksums(SOURCE, skip={"__pycache__", ".pytest_cache", ".git", ".workbook"})
    subs_before = checksums(subs)
    grades, outs = {}, {}
    for jobs in ("2", "6"):
        tmp = sandbox.workdir("wb-teacher-")  # grading's TMPDIR (one the sandbox's uid can reach)
        try:
            # (a cache of this test's own: the first grading compiles every file)
            r = grade_all(subs, TIMESERVER, "-j", jobs, "--cache", tmp_path / "cache",
                          env={**os.environ, "TMPDIR": str(tmp)})
            left = list(tmp.iterdir())
            # every process of the grading has its folder (under tmp) in its command line
            running = subprocess.run(["pgrep", "-af", str(tmp)], capture_output=True, text=True).stdout
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        assert r.returncode == 0, r.stdout + r.stderr
        outs[jobs] = r.stdout
        with open(subs / "grades.csv") as f:
            grades[jobs] = rows = {row["student"]: row[TIMESERVER] for row in csv.DictReader(f)}
        for name, grade in expected.items():
            if grade == "pass":
                assert rows[name] == "pass", f"-j {jobs}: {name}: {rows[name]}\n{report(subs / name)}"
            else:
                assert rows[name].startswith("fail: ") and re.search(grade, rows[name]), \
                    f"-j {jobs}: {name}: {rows[name]}"
        assert "printed more than" in report(subs / "floods-its-output"), report(subs / "floods-its-output")
        assert "error" in report(subs / "does-not-compile"), "the compiler's first error should reach the student"
        # nothing changed but the grades, nothing left running or lying about
        assert checksums(SOURCE, skip={"__pycache__", ".pytest_cache", ".git", ".workbook"}) == tree_before
        after = checksums(subs)
        for name in expected:
            after.pop(f"{name}/results.json")
        after.pop("grades.csv")
        assert after == subs_before, "a submission was changed"
        assert not left, f"grading left {left} in its TMPDIR"
        assert not running, f"processes of the grading outlived it:\n{running}"
        assert not Path(f"/tmp/{MARK}-file").exists(), "a student's program wrote into the machine's /tmp"
        deadline = time.monotonic() + 10
        while subprocess.run(["pgrep", "-f", SLEEPER], capture_output=True).returncode == 0:
            assert time.monotonic() < deadline, "a student's process outlived the grading"
            time.sleep(0.05)
    assert grades["6"] == grades["2"], "the grades should not depend on -j"
    handed_in = len(expected) - 1  # (links-to-another has no file to compile)
    assert f"0 of {handed_in} compiles reused" in outs["2"], outs["2"]
    assert f"{handed_in} of {handed_in} compiles reused" in outs["6"], outs["6"]


# ------------------------------------------------ grading again


def test_grading_again_reuses_the_compiles(tmp_path):
    """A class graded again (after a grader was fixed, say) compiles nothing
    that was compiled before with the same inputs (grade_all.CompileCache):
    the same grades, the same compiler error; a file that differs by a
    line is compiled afresh, and so is a new exercise beside a reused one
    (in the folder the reused program was put in: as root, the sandbox's).
    A change to the tree reuses the compiles that did not read what
    changed: after a README changed, only those that read it (by the
    assembler's .incbin) or reached the tree by another path (/proc/self/
    root/workbook/...) are compiled again; after a header changed, those
    that include it. (Graded from a copy of this tree, whose files the test
    may change.)"""
    tree = tmp_path / "tree"
    files = subprocess.run(["git", "-C", SOURCE, "ls-files"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    for f in files:
        if (SOURCE / f).is_file():
            (tree / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(SOURCE / f, tree / f)
    # (a repository, as this tree is: grading copies the files git lists)
    subprocess.run(["git", "init", "-q", tree], check=True)
    subprocess.run(["git", "-C", tree, "add", "-A"], check=True)
    subs = tmp_path / "submissions"
    pollecho = Path("ch03/exercises/pollecho/pollecho.cpp")

    def hand_in(name, text, path=THEIRS):
        (subs / name / path).parent.mkdir(parents=True, exist_ok=True)
        (subs / name / path).write_text(text)

    def grade(run):
        # (-j 1: each student's exercises in order, the reused one first)
        r = grade_all(subs, f"{TIMESERVER} ch03-pollecho", "-j", "1", "--out", tmp_path / run,
                      "--cache", tmp_path / "cache", tree=tree)
        assert r.returncode == 0, r.stdout + r.stderr
        with open(tmp_path / run / "grades.csv") as f:
            rows = {row["student"]: (row[TIMESERVER], row["ch03-pollecho"]) for row in csv.DictReader(f)}
        return r.stdout, rows, report(tmp_path / run / "broken")

    hand_in("good", SOLUTION)
    hand_in("broken", "int main() { this is not C++ }\n")
    out, rows, broken = grade("first")
    assert "0 of 2 compiles reused" in out, out
    missing = f"fail: no {pollecho} in the submission"
    assert rows == {"good": ("pass", missing), "broken": ("fail: does not compile", missing)}, rows
    assert "error" in broken, broken
    hand_in("edited", SOLUTION + "// one line more\n")
    hand_in("good", "int main() { return 0; }\n", pollecho)
    # two that read the tree where the compiler's list does not say
    hand_in("incbin", 'asm(".incbin \\"/workbook/README.md\\"");\nint main() { return 0; }\n')
    hand_in("proc-path", '#include "/proc/self/root/workbook/common/fd.hpp"\nint main() { return 0; }\n')
    out, rows_again, broken_again = grade("again")
    assert "2 of 6 compiles reused" in out, out
    assert rows_again["broken"] == rows["broken"] and rows_again["edited"] == ("pass", missing), rows_again
    assert rows_again["good"][0] == "pass" and rows_again["good"][1].startswith("fail: stage 1 "), rows_again
    assert broken_again == broken, "a reused compile must grade as the compile did"
    assert rows_again["incbin"][0].startswith("fail: stage 1 "), rows_again  # (compiled: a program)
    assert rows_again["proc-path"][0].startswith("fail: stage 1 "), rows_again
    # the README: incbin and proc-path compiled again, the other four reused
    with open(tree / "README.md", "a") as f:
        f.write("One line more.\n")
    out, rows_readme, _ = grade("readme")
    assert "4 of 6 compiles reused" in out and rows_readme == rows_again, out
    # a header the timeserver solution includes (errors.hpp): the two
    # timeservers and proc-path are compiled again; the broken file, the
    # pollecho that includes nothing and incbin are reused
    with open(tree / "common" / "errors.hpp", "a") as f:
        f.write("// One line more.\n")
    out, rows_header, _ = grade("header")
    assert "3 of 6 compiles reused" in out and rows_header == rows_again, out


def test_graders_name_the_programs_they_run():
    """grade builds only the programs the graders name as prog("chNN/NAME")
    (grade_all.programs_used); a grader that reached this tree's build any
    other way would find its program missing on Gradescope."""
    import grade_all
    for grader in sorted(HERE.glob("grade_ch*.py")):
        text = grader.read_text()
        calls = re.findall(r"\bprog\(([^)]*)\)", text)
        assert all(re.fullmatch(r'"ch0\d/[\w-]+"', c) for c in calls), f"{grader.name}: prog({calls})"
        assert "BUILD" not in text and "WORKBOOK_BUILD" not in text, f"{grader.name} reaches the build itself"
        for used in grade_all.programs_used([grader.stem[len("grade_"):].replace("_", "-", 1)]):
            assert (SOURCE / f"{used}.cpp").is_file(), f"{grader.name} runs {used}, which is no program"
    assert grade_all.programs_used(["ch03-timeserver"]) == ["ch02/udptime"]


# ------------------------------------------------ the Gradescope autograder

def unpack(zip_path, dest):
    """Unpacks a zip as Gradescope does (unzip), keeping each file's mode."""
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            path = Path(z.extract(info, dest))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                path.chmod(mode & 0o777)


def test_the_gradescope_autograder(tmp_path):
    """./workbook autograder writes a zip; unpacked into a fake /autograder,
    its setup.sh builds and run_autograder grades /autograder/submission
    (Gradescope's layout: files as the student uploaded them) into
    /autograder/results/results.json, in Gradescope's format."""
    zip_path = tmp_path / "autograder.zip"
    r = workbook("autograder", zip_path, "--only", f"{EX},{TIMESERVER}", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    root = tmp_path / "autograder"
    unpack(zip_path, root / "source")
    names = {p.name for p in (root / "source").iterdir()}
    assert {"setup.sh", "run_autograder", "workbook"} <= names, names
    assert not list((root / "source").glob("workbook/ch0*/exercises/solutions")), "the zip holds the solutions"
    r = subprocess.run(["bash", root / "source" / "setup.sh"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    # a student's upload: the timeserver solution at the top, a udpretry that does nothing
    (root / "submission" / "sub").mkdir(parents=True)
    shutil.copy(SOURCE / "ch03/exercises/solutions/timeserver.cpp", root / "submission")
    (root / "submission" / "sub" / "udpretry.cpp").write_text("int main() { return 0; }\n")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")  # as Gradescope does
    r = subprocess.run([root / "run_autograder"], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    assert r.returncode == 0, r.stdout + r.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    tests = {t["name"]: t for t in results["tests"]}
    assert results["score"] == 1 and isinstance(results["execution_time"], (int, float)), results
    assert tests[TIMESERVER]["status"] == "passed" and tests[TIMESERVER]["score"] == 1, tests[TIMESERVER]
    assert tests[EX]["status"] == "failed" and tests[EX]["max_score"] == 1, tests[EX]
    assert "stage 1" in tests[EX]["output"] and "expected" in tests[EX]["output"], tests[EX]["output"]
