"""The exercise graders' toolkit, and the runner that reports a grade
stage by stage.

A grader is a Python module written as a pytest module would be,
tests/exercises/grade_<id>.py (ch02-udpretry: grade_ch02_udpretry.py). Each
test function is one stage, run in file order, marked with
@stage("what it proves", hint=N); what a stage needs (a lab, a server)
comes from a @fixture named as its parameter. The program to grade arrives
by path (the `program` fixture), so one grader grades a starter, a reference
solution or a student's copy alike. check.py runs a grader with
run_grader(): one line per stage (ok / FAILED), and for the first failure
what the grader did, what it expected, what came back and which hint may
help.

The rules every grader keeps (learnyounode's users' complaint was flaky
verification and hangs): no sleeping to wait (wait for an announced port, a
line, an exit), every wait bounded (STAGE_TIMEOUT), whatever the program
prints capped (OUTPUT_CAP), and everything it started killed at the end of
the stage, its whole process group, whatever happened.
"""

import importlib.util
import inspect
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import (CI, ROOT_ONLY, SOURCE, TIMEOUT, Namespace, free_port, need,  # noqa: E402,F401
                     need_root, real_root)

STAGE_TIMEOUT = 10  # seconds: the bound on every wait for the graded program
OUTPUT_CAP = 1 << 20  # bytes: a program that prints more is cut off


# ------------------------------------------------------------ the stages

def stage(title, hint=None):
    """Marks a test function as a stage: its title, and the hint (a number in
    the exercise's hints.md) that helps when it fails."""
    def mark(fn):
        fn.stage_title = title
        fn.stage_hint = hint
        return fn
    return mark


# ------------------------------------------------------- failing clearly

class Failure(AssertionError):
    """A stage failed; the message is written for the student."""


def printable(data, limit=300):
    """Bytes as a student reads them: text as text, the rest escaped
    (\\r, \\n, \\x00), cut at `limit` bytes with the total size."""
    if isinstance(data, str):
        data = data.encode()
    shown = repr(bytes(data[:limit]))[2:-1].replace('"', '\\"')
    more = f" ... ({len(data)} bytes in all)" if len(data) > limit else ""
    return f'"{shown}"{more}'


def byte_name(b):
    """One byte, in hex and printable form: 0x0d '\\r'."""
    return f"0x{b:02x} {repr(bytes([b]))[1:]}"


def first_difference(expected, got):
    """Where two byte strings first differ, in words; None when equal."""
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(got, str):
        got = got.encode()
    if expected == got:
        return None
    i = next((k for k, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    line = expected[:i].count(b"\n") + 1
    column = i - (expected.rfind(b"\n", 0, i) + 1) + 1
    where = f"byte {i} (line {line}, column {column})"
    want = byte_name(expected[i]) if i < len(expected) else "the end of the output"
    have = byte_name(got[i]) if i < len(got) else "the end of the output"
    return f"first difference at {where}: expected {want}, got {have}"


def fail(summary, *, did=None, sent=None, expected=None, got=None, result=None, note=None):
    """Fails the stage with a message in protocol terms: what the grader did
    and sent, what it expected, what came back (and the first differing
    byte), the program's exit status and stderr."""
    lines = [summary]
    if did is not None:
        lines.append(f"  did:      {did}")
    if sent is not None:
        lines.append(f"  sent:     {sent if isinstance(sent, str) else printable(sent)}")
    if expected is not None:
        lines.append(f"  expected: {expected if isinstance(expected, str) else printable(expected)}")
    if got is not None:
        lines.append(f"  got:      {got if isinstance(got, str) else printable(got)}")
    if isinstance(expected, bytes) and isinstance(got, bytes):
        diff = first_difference(expected, got)
        if diff:
            lines.append(f"  {diff}")
    if result is not None:
        lines.append(f"  program:  {result.describe()}")
        if result.err:
            lines.append(f"  stderr:   {printable(result.err)}")
    if note:
        lines.append(f"  note:     {note}")
    raise Failure("\n".join(lines))


def expect_output(expected, result, *, did, sent=None, what="stdout"):
    """Fails unless the program exited 0 and printed exactly `expected`."""
    got = result.out if what == "stdout" else result.err
    if got != expected:
        fail(f"{what} is not what was expected", did=did, sent=sent,
             expected=expected, got=got, result=result)
    if result.status != 0:
        fail("the output was right, but the program should exit 0", did=did, result=result)


def command_line(args):
    """The command as a student would type it (the program by its name)."""
    args = [str(a) for a in args]
    return shlex.join([Path(args[0]).name, *args[1:]])


# ------------------------------------------------- running the program

SIGNALS = {s.value: s.name for s in signal.Signals}


class Result:
    """What a program did: its exit status (None while running), stdout and
    stderr (bytes, capped), and whether it was killed for time or output."""

    def __init__(self, args):
        self.args = args
        self.status = None
        self.out = b""
        self.err = b""
        self.timed_out = False
        self.spun = False  # killed for the CPU time it used (Program.wait_exit's cpu_limit)
        self.flooded = False
        self.out_at = None  # time.monotonic() when its last bytes on stdout came
        self.err_at = None  # and on stderr

    def describe(self):
        if self.flooded:
            return f"cut off after printing more than {OUTPUT_CAP} bytes"
        if self.spun:
            return "still running, past its limit of CPU time; killed"
        if self.timed_out:
            return "still running at the deadline; killed"
        if self.status is None:
            return "still running"
        if self.status < 0:
            name = SIGNALS.get(-self.status, str(-self.status))
            return f"killed by signal {-self.status} ({name})"
        if self.status in (86, 87):
            return f"exit status {self.status} (a sanitizer found a memory or undefined-behaviour error: see stderr)"
        return f"exit status {self.status}"


def cpu_seconds(pid):
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Program:
    """The graded program running in the background (a server, or a client
    the grader talks to while it runs). Its own process group: stop() (and
    leaving a `with` block) kills the whole group and reaps it. stdout and
    stderr are collected by threads, up to OUTPUT_CAP each; past that the
    program is killed and marked flooded."""

    def __init__(self, args, stdin=subprocess.DEVNULL, ns=None, env=None):
        self.args = [str(a) for a in args]
        cmd = ns.enter(self.args) if ns is not None else self.args
        # the graded program run through its sandbox's wrapper (check.py),
        # itself or through a command that execs it (prlimit, a superserver's
        # systemd-socket-activate): its exit status is then bwrap's
        self.sandboxed = (bool(os.environ.get("WORKBOOK_EX_SANDBOX"))
                          and os.environ.get("WORKBOOK_EX_PROGRAM") in self.args)
        self.result = Result(self.args)
        self.changed = threading.Condition()
        self.p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  start_new_session=True, env=env)
        self.readers = [threading.Thread(target=self._read, args=(s, n), daemon=True)
                        for s, n in ((self.p.stdout, "out"), (self.p.stderr, "err"))]
        for t in self.readers:
            t.start()

    def _read(self, stream, name):
        while True:
            data = os.read(stream.fileno(), 65536)
            with self.changed:
                if not data:
                    self.changed.notify_all()
                    return
                setattr(self.result, name, getattr(self.result, name) + data)
                setattr(self.result, name + "_at", time.monotonic())
                if len(getattr(self.result, name)) > OUTPUT_CAP:
                    setattr(self.result, name, getattr(self.result, name)[:OUTPUT_CAP])
                    self.result.flooded = True
                    self._kill()
                self.changed.notify_all()

    def _kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait_for(self, predicate, waiting_for, timeout=STAGE_TIMEOUT):
        """Waits until predicate(result) is true, the program exits, or the
        deadline; returns the predicate's value, or fails the stage."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                value = predicate(self.result)
                if value:
                    return value
                self._poll()
                if self.result.status is not None or self.result.flooded:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    fail(f"waited {timeout} s for {waiting_for}; it never came",
                         did=command_line(self.args), result=self.result,
                         got=self.result.out if self.result.out else "nothing on stdout")
                self.changed.wait(min(left, 0.05))
        self.wait_exit()
        value = predicate(self.result)  # what it printed just before it ended counts
        if value:
            return value
        fail(f"the program ended while the grader waited for {waiting_for}",
             did=command_line(self.args), got=self.result.out or "nothing on stdout",
             result=self.result)

    def wait_port(self, timeout=STAGE_TIMEOUT):
        """Waits for the port a server announces ("... port N ...")."""
        import re
        rx = re.compile(rb"port (\d+)")
        m = self.wait_for(lambda r: rx.search(r.out), "the server to announce its port ('... port N ...')",
                          timeout)
        return int(m.group(1))

    def _poll(self):
        if self.result.status is None and self.p.poll() is not None:
            self.result.status = self.p.returncode
            if self.sandboxed:
                self.result.status = sandbox.status(self.result.status)

    @property
    def pid(self):
        """The program's process id, for /proc/PID (memory, CPU time): in
        the sandbox, the process below bwrap (and its PID namespace's
        first process), not bwrap."""
        pid = self.p.pid
        for _ in range(3):
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() != "bwrap":
                    break
                pid = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
            except (OSError, IndexError, ValueError):
                break  # it has ended, or not started its child yet
        return pid

    def own_pid(self):
        """The process id the program sees as its own (getpid()): in the
        sandbox's PID namespace, not the grader's."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
        except OSError:
            pass
        return self.pid

    def ending(self, grace=2):
        """True if the program has ended, or ends within `grace` seconds: after
        a refused or reset connection a server may be on its way out, and a
        failure should then say that it ended (its Result is then complete).
        For failure paths only."""
        try:
            self.p.wait(grace)
        except subprocess.TimeoutExpired:
            return False
        self.wait_exit()
        return True

    def running(self):
        self._poll()
        return self.result.status is None

    def wait_exit(self, timeout=STAGE_TIMEOUT, waiting_for="the program to exit", cpu_limit=None):
        """Waits for the program to end; returns its Result. At the deadline
        the program is killed and the stage fails, saying what was awaited.
        With `cpu_limit` (seconds), a program that has used more CPU time
        than that is killed at once: a loop that never ends fails then,
        without keeping a core busy to the deadline."""
        deadline = time.monotonic() + timeout
        spun = None  # the CPU seconds of a program killed for its cpu_limit
        while True:
            left = max(deadline - time.monotonic(), 0)
            try:
                self.p.wait(left if cpu_limit is None else min(left, 0.1))
                break
            except subprocess.TimeoutExpired:
                pass
            if cpu_limit is not None:
                try:
                    used = cpu_seconds(self.pid)
                except (OSError, ValueError, IndexError):
                    used = 0  # ended between the looks: the next wait tells
                if used > cpu_limit:
                    spun = used
            if spun is not None or time.monotonic() >= deadline:
                self._kill()
                self.p.wait()
                self.result.timed_out = True
                self.result.spun = spun is not None
                break
        for t in self.readers:
            t.join(5)
        self._poll()
        if spun is not None:
            fail(f"the program was still running after {spun:.1f} s of CPU time (a loop that never ends?) "
                 f"while the grader waited for {waiting_for}",
                 did=command_line(self.args), got=self.result.out or "nothing on stdout",
                 result=self.result, note=f"a correct program needs far less than {cpu_limit} s of CPU here")
        if self.result.timed_out:
            fail(f"the program was still running after {timeout} s while the grader waited for {waiting_for}",
                 did=command_line(self.args), got=self.result.out or "nothing on stdout",
                 result=self.result)
        if self.result.flooded:
            fail(f"the program printed more than {OUTPUT_CAP} bytes and was cut off",
                 did=command_line(self.args), result=self.result)
        return self.result

    def signal(self, sig):
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self):
        """Kills the whole process group and reaps it; returns the Result."""
        self._kill()
        self.p.wait()
        for t in self.readers:
            t.join(5)
        self._poll()
        return self.result

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run(args, input=b"", timeout=STAGE_TIMEOUT, waiting_for="the program to finish", ns=None, env=None,
        cpu_limit=None):
    """Runs the program to the end with `input` on stdin; returns its Result
    (the stage fails if it runs past `timeout`, or past `cpu_limit` seconds
    of CPU time, or floods its output)."""
    prog = Program(args, stdin=subprocess.PIPE, ns=ns, env=env)
    try:
        def feed():
            try:
                prog.p.stdin.write(input)
                prog.p.stdin.close()
            except OSError:
                pass  # it exited without reading: its exit status tells
        threading.Thread(target=feed, daemon=True).start()
        return prog.wait_exit(timeout, waiting_for, cpu_limit)
    finally:
        prog.stop()


# --------------------------------------------- the runner: the report

class Report:
    """Collects each stage's outcome for the printed report and the JSON
    that `./workbook grade` turns into grades."""

    def __init__(self, out=None):
        self.stages = []
        self.out = out  # where the report is printed (None: sys.stdout)

    def add(self, fn, status, text):
        title = getattr(fn, "stage_title", None) or fn.__name__
        hint = getattr(fn, "stage_hint", None)
        number = len(self.stages) + 1
        self.stages.append({"number": number, "title": title, "status": status,
                            "output": text, "hint": hint})
        mark = {"passed": "ok     ", "failed": "FAILED ", "skipped": "SKIPPED"}[status]
        print(f"  {mark} {number}. {title}", file=self.out, flush=True)
        if text:
            print("\n".join("           " + line for line in text.splitlines()), file=self.out, flush=True)


REPORT = Report()


def fixture(fn=None, *, scope="function"):
    """Marks a function as a fixture, as pytest's does: a stage (or another
    fixture) that names it as a parameter gets what it returns, or yields
    (the code after the yield is its teardown). scope="module": made once
    for the whole grader, torn down at its end; else made for each stage."""
    def mark(f):
        f.fixture_scope = scope
        return f
    return mark(fn) if fn is not None else mark


@fixture
def program():
    """The path of the program being graded."""
    path = os.environ.get("WORKBOOK_EX_PROGRAM", "")
    if not path or not os.access(path, os.X_OK):
        raise GraderError(f"no program to grade at {path!r} (set WORKBOOK_EX_PROGRAM)")
    return path


class TempFolders:
    """pytest's tmp_path_factory, as far as graders use it: mktemp(name)
    makes a new folder; all of them are removed at the grader's end."""

    def __init__(self):
        self.made = []

    def mktemp(self, name):
        self.made.append(Path(tempfile.mkdtemp(prefix=name + "-")))
        return self.made[-1]


@fixture(scope="module")
def tmp_path_factory():
    folders = TempFolders()
    yield folders
    for path in folders.made:
        shutil.rmtree(path, ignore_errors=True)


class GraderError(Exception):
    """The grader itself cannot go on (not the program's fault)."""


def _outcome(exc):
    """("skipped" or "failed", the text for the report) for what a stage (or
    a fixture) raised: a Failure or an assert is the program's failure; a
    skip (harness.need's, pytest's own) is a skip; anything else is the
    grader's error, with where it happened."""
    outcomes = sys.modules.get("_pytest.outcomes")  # (harness imports pytest to skip or fail)
    if outcomes and isinstance(exc, outcomes.Skipped):
        return "skipped", str(exc.msg)
    if isinstance(exc, AssertionError):
        return "failed", str(exc) or "an assertion failed"
    if outcomes and isinstance(exc, outcomes.Failed) or isinstance(exc, GraderError):
        where = str(getattr(exc, "msg", exc))
    else:
        where = "".join(traceback.format_exception(exc, limit=-3)).rstrip()
    return "failed", "the grader itself hit an error (not necessarily your program's fault):\n" + where


class _Fixtures:
    """The fixtures a grader can name (its own, and `program` and
    `tmp_path_factory`), made on first use and kept for their scope."""

    def __init__(self, namespace):
        self.defs = {"program": program, "tmp_path_factory": tmp_path_factory}
        self.defs.update({name: obj for name, obj in namespace.items()
                          if callable(obj) and hasattr(obj, "fixture_scope")})
        self.made = {"module": {}, "function": {}}  # name: (value, or the exception it raised)
        self.teardowns = {"module": [], "function": []}

    def args(self, fn):
        return {name: self.get(name) for name in inspect.signature(fn).parameters}

    def get(self, name):
        if name not in self.defs:
            raise GraderError(f"no fixture named {name!r}")
        fn = self.defs[name]
        made = self.made[fn.fixture_scope]
        if name not in made:
            try:
                value = fn(**self.args(fn))
                if inspect.isgenerator(value):
                    self.teardowns[fn.fixture_scope].append(value)
                    value = next(value)
                made[name] = (value, None)
            except BaseException as e:  # a module fixture that failed fails every stage that needs it
                if isinstance(e, KeyboardInterrupt):
                    raise
                made[name] = (None, e)
        value, error = made[name]
        if error is not None:
            raise error
        return value

    def end(self, scope):
        """Tears the scope's fixtures down, the last made first; returns the
        first exception a teardown raised, or None."""
        first = None
        while self.teardowns[scope]:
            try:
                next(self.teardowns[scope].pop())
            except StopIteration:
                pass
            except BaseException as e:
                if isinstance(e, KeyboardInterrupt):
                    raise
                first = first or e
        self.made[scope].clear()
        return first


class _Quiet:
    """While a stage runs, stdin, stdout and stderr (the file descriptors:
    the peers a grader starts inherit them) are /dev/null, so nothing but
    the report reaches the student; the report goes to the real stdout."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = [os.dup(fd) for fd in (0, 1, 2)]
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((0, 1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)


def run_grader(path):
    """Runs the grader at `path` (a module whose test* functions are the
    stages, in file order, fixtures given by parameter name, as pytest would
    run them) up to its first failed stage, printing the report as it goes.
    Returns 0 when every stage passed (or was a skip allowed here), 1 when
    one failed, 2 when the grader could not be loaded.

    A small runner of its own, not pytest: pytest's start-up was a third of
    a quick grader's run, and a grader needs none of the rest."""
    REPORT.out = os.fdopen(os.dup(1), "w")  # stdout as it is now, past _Quiet
    try:
        spec = importlib.util.spec_from_file_location(Path(path).stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    except Exception as e:
        print("  the grader could not be loaded:\n" + "".join(traceback.format_exception(e, limit=-3)),
              file=REPORT.out, flush=True)
        return 2
    stages = [obj for name, obj in vars(module).items() if name.startswith("test") and inspect.isfunction(obj)]
    fixtures = _Fixtures(vars(module))
    code = 0
    try:
        for fn in stages:
            status, text = "passed", ""
            with _Quiet():
                try:
                    fn(**fixtures.args(fn))
                except KeyboardInterrupt:
                    raise
                except BaseException as e:  # (pytest's skips and failures are BaseExceptions)
                    status, text = _outcome(e)
                finally:
                    error = fixtures.end("function")
                    if error is not None and status == "passed":
                        status, text = _outcome(error)
                    if fn is stages[-1] or status == "failed":
                        error = fixtures.end("module")
                        if error is not None and status == "passed":
                            status, text = _outcome(error)
            # under CI a skip fails, unless it is a root-only stage in a normal user's run
            if status == "skipped" and CI and not (ROOT_ONLY in text and not real_root()):
                status, text = "failed", "skipped under CI, which counts as a failure: " + text
            REPORT.add(fn, status, text)
            if status == "failed":
                code = 1
                break
    finally:
        with _Quiet():
            fixtures.end("function")
            fixtures.end("module")
        REPORT.out.flush()
    return code
