"""The grading sandbox (sandbox.py), tried directly: what a program inside
can see, write and start, and what is left of it afterwards. Each test runs
a small Python script in the sandbox, as a student's program would run."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sandbox
from grading import CI

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]


@pytest.fixture(autouse=True)
def need_sandbox():
    ok, why = sandbox.available()
    if not ok:
        if CI:
            pytest.fail(f"{why}; under CI a skip is a failure")
        pytest.skip(why)


@pytest.fixture
def open_dir():
    """A folder the sandbox's uid can reach (pytest's tmp_path is the
    user's alone: as root the sandbox runs as nobody)."""
    path = sandbox.workdir("wb-sandbox-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def inside(script, *binds, timeout=30, limits=sandbox.LIMITS):
    """Runs a Python script in the sandbox; returns CompletedProcess (text)."""
    cmd = sandbox.bwrap(list(binds), ["/usr/bin/python3", "-c", script], limits)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def test_an_unprivileged_uid_and_only_its_own_processes():
    r = inside("import os; print(os.getuid(), os.getgid(), os.getpid(), sorted(int(p) for p in os.listdir('/proc')"
               " if p.isdigit()))")
    assert r.returncode == 0, r.stderr
    uid, gid, pid, *_ = r.stdout.split(maxsplit=3)
    assert (uid, gid) == ("65534", "65534"), r.stdout
    # its PID namespace: bwrap's first process, and itself
    assert pid == "2" and r.stdout.split(maxsplit=3)[3].strip() == "[1, 2]", r.stdout


def test_sees_no_home_no_teacher_tree_and_writes_nowhere_but_its_tmp(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the teacher's")
    script = f"""
import os
for path in [{str(secret)!r}, {str(SOURCE / "tests/exercises/check.py")!r}, "/root", "/home", "/work"]:
    print(path, os.path.exists(path))
for path in ["/usr/x", "/etc/x", "/x", "/tmp/x"]:
    try:
        open(path, "w").write("x")
        print(path, "written")
    except OSError as e:
        print(path, "refused")
"""
    r = inside(script)
    assert r.returncode == 0, r.stderr
    lines = dict(line.rsplit(" ", 1) for line in r.stdout.splitlines())
    for path in (secret, SOURCE / "tests/exercises/check.py", "/root", "/home", "/work"):
        assert lines[str(path)] == "False", f"{path} is visible in the sandbox:\n{r.stdout}"
    assert lines["/tmp/x"] == "written", r.stdout
    for path in ("/usr/x", "/etc/x", "/x"):
        assert lines[path] == "refused", r.stdout
    assert secret.read_text() == "the teacher's"


def test_a_bind_is_the_only_way_in(open_dir):
    shared = open_dir / "given"
    shared.mkdir(mode=0o755)
    (shared / "in.txt").write_text("hello")
    os.chmod(shared / "in.txt", 0o644)
    r = inside("print(open('/given/in.txt').read()); open('/given/out.txt', 'w')", "--ro-bind", str(shared), "/given")
    assert r.stdout == "hello\n" and r.returncode != 0 and "Read-only file system" in r.stderr, r


def test_nothing_outlives_the_program():
    """A child that makes a session of its own and sleeps is gone when the
    program ends: the PID namespace ends with its first process."""
    marker = f"wb-sandbox-left-{os.getpid()}"
    script = f"""
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "600", {marker!r}])
    os._exit(0)
os.wait()
print("parent done")
"""
    r = inside(script)
    assert r.returncode == 0 and r.stdout == "parent done\n", r
    deadline = time.monotonic() + 10
    while subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, f"a process of the sandbox is still running: {marker}"
        time.sleep(0.05)


def test_limits_hold_a_fork_storm_and_a_memory_hog():
    script = """
import mmap, os, signal
kids = 0
try:
    for _ in range(2000):
        pid = os.fork()
        if pid == 0:
            signal.pause()
            os._exit(0)
        kids += 1
except OSError as e:
    print("fork refused after", kids, e.strerror)
got = []
try:  # (mappings count against the address-space limit untouched: no page is written)
    for _ in range(64):
        got.append(mmap.mmap(-1, 64 << 20))
except OSError:
    print("memory refused after", len(got) * 64, "MiB")
"""
    r = inside(script, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "fork refused after" in r.stdout, r.stdout
    kids = int(r.stdout.split("fork refused after")[1].split()[0])
    assert kids < sandbox.LIMITS["nproc"], r.stdout
    assert "memory refused after" in r.stdout, r.stdout
    mib = int(r.stdout.split("memory refused after")[1].split()[0])
    assert mib < sandbox.LIMITS["as"] >> 20, r.stdout


def test_a_signal_reaches_the_program_not_bwrap(open_dir):
    """Ctrl-C to the wrapper's process group: the program's own handler
    runs and its exit status is what the grader sees."""
    program = open_dir / "traps"
    program.write_text("#!/usr/bin/python3\nimport signal, sys\n"
                       "signal.signal(signal.SIGINT, lambda *a: sys.exit(7))\nprint('ready', flush=True)\n"
                       "signal.pause()\n")
    program.chmod(0o755)
    folder = open_dir / "wrap"
    folder.mkdir()
    wrapper = sandbox.write_wrapper(program, folder)
    p = subprocess.Popen([wrapper], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert p.stdout.readline() == b"ready\n"
        os.killpg(p.pid, 2)
        assert sandbox.status(p.wait(10)) == 7
    finally:
        if p.poll() is None:
            os.killpg(p.pid, 9)
            p.wait()


def test_a_killed_program_reads_as_killed(open_dir):
    program = open_dir / "dies"
    program.write_text("#!/usr/bin/python3\nimport os\nos.kill(os.getpid(), 11)\n")
    program.chmod(0o755)
    folder = open_dir / "wrap"
    folder.mkdir()
    r = subprocess.run([sandbox.write_wrapper(program, folder)], timeout=30)
    assert sandbox.status(r.returncode) == -11



def test_the_wrapper_sets_the_limits_and_keeps_a_lower_one(open_dir):
    """The wrapper's limits apply to the program; one that a grader set
    lower before (prlimit --cpu=5 PROGRAM) stays, as a normal user cannot
    raise a hard limit."""
    folder = open_dir / "wrap"
    folder.mkdir()
    wrapper = sandbox.write_wrapper("/usr/bin/prlimit", folder)
    r = subprocess.run(["prlimit", "--cpu=5:5", "--fsize=1000000:1000000", wrapper, "--raw", "--noheadings",
                        "--output", "RESOURCE,HARD"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    hard = dict(line.split() for line in r.stdout.splitlines())
    assert hard["CPU"] == "5" and hard["FSIZE"] == "1000000", hard
    assert hard["NPROC"] == str(sandbox.LIMITS["nproc"]) and hard["CORE"] == "0", hard
    assert hard["AS"] == str(sandbox.LIMITS["as"]), hard



def test_the_wrappers_program_runs_unprivileged_and_alone(open_dir):
    """Through the wrapper (sandbox-exec, then bwrap), as through
    sandbox.bwrap(): the uid nobody, no group of the grader's, and the
    first process of its own PID namespace after sandbox-exec (PID 2)."""
    folder = open_dir / "wrap"
    folder.mkdir()
    wrapper = sandbox.write_wrapper("/usr/bin/python3", folder)
    r = subprocess.run([wrapper, "-c", "import os; print(os.getuid(), os.getgid(), os.getgroups(), os.getpid())"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split(maxsplit=2) == [str(sandbox.NOBODY), str(sandbox.NOBODY), f"[{sandbox.NOBODY}] 2\n"] \
        or r.stdout.split(maxsplit=2) == [str(sandbox.NOBODY), str(sandbox.NOBODY), "[] 2\n"], r.stdout


@pytest.mark.parametrize("args,status,message", [
    (["--bogus"], 2, "usage: sandbox-exec"),
    (["--", "bwrap", "--", "program"], 2, "no --inside PATH"),
    (["--limit", "nofile=5", "--", "x", "--", "y"], 126, "bad limit 'nofile=5'"),
    (["--inner", "--", "/no/such/program"], 127, "/no/such/program: No such file or directory"),
])
def test_sandbox_exec_says_what_is_wrong_in_one_line(args, status, message):
    r = subprocess.run([sandbox.sandbox_exec(), *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == status and r.stderr.startswith("sandbox-exec: ") and message in r.stderr, r
    assert r.stderr.count("\n") == (2 if "usage" in message else 1), r.stderr  # (the usage is its two lines)


def test_the_program_gets_only_the_environment_it_needs(open_dir):
    """The grader's (or the teacher's) variables stay outside; the socket a
    superserver hands over and the sanitizers' options go in."""
    folder = open_dir / "wrap"
    folder.mkdir()
    wrapper = sandbox.write_wrapper("/usr/bin/env", folder)
    env = {**os.environ, "TEACHERS_TOKEN": "secret", "MALLOC_PERTURB_": "124", "LANG": "de_DE.UTF-8",
           "LISTEN_FDS": "1", "LISTEN_PID": "4242", "ASAN_OPTIONS": "detect_leaks=1"}
    r = subprocess.run([wrapper], capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == 0, r.stderr
    got = dict(line.split("=", 1) for line in r.stdout.splitlines())
    kept = {name: env[name] for name in sandbox.KEEP_ENV if name in env}  # (UBSAN_OPTIONS, under ./workbook test)
    assert got == {**kept, "PATH": sandbox.PATH, "LISTEN_PID": "2"}, got
    assert "TEACHERS_TOKEN" not in got and got["LISTEN_FDS"] == "1" and got["ASAN_OPTIONS"] == "detect_leaks=1"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
