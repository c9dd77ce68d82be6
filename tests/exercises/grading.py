"""The exercise graders' toolkit, and the pytest plugin that reports a
grade stage by stage.

A grader is a pytest module, tests/exercises/grade_<id>.py (ch02-udpretry:
grade_ch02_udpretry.py). Each test function is one stage, run in file order,
marked with @stage("what it proves", hint=N). The program to grade arrives by
path (the `program` fixture), so one grader grades a starter, a reference
solution or a student's copy alike. check.py runs a grader with this plugin:
one line per stage (ok / FAILED), and for the first failure what the grader
did, what it expected, what came back and which hint may help.

The rules every grader keeps (learnyounode's users' complaint was flaky
verification and hangs): no sleeping to wait (wait for an announced port, a
line, an exit), every wait bounded (STAGE_TIMEOUT), whatever the program
prints capped (OUTPUT_CAP), and everything it started killed at the end of
the stage, its whole process group, whatever happened.
"""

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

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


@pytest.fixture
def program():
    """The path of the program being graded."""
    path = os.environ.get("WORKBOOK_EX_PROGRAM", "")
    if not path or not os.access(path, os.X_OK):
        pytest.fail(f"no program to grade at {path!r} (set WORKBOOK_EX_PROGRAM)")
    return path


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
        self.flooded = False
        self.out_at = None  # time.monotonic() when its last bytes on stdout came
        self.err_at = None  # and on stderr

    def describe(self):
        if self.flooded:
            return f"cut off after printing more than {OUTPUT_CAP} bytes"
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

    def wait_exit(self, timeout=STAGE_TIMEOUT, waiting_for="the program to exit"):
        """Waits for the program to end; returns its Result. At the deadline
        the program is killed and the stage fails, saying what was awaited."""
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            self.p.wait()
            self.result.timed_out = True
        for t in self.readers:
            t.join(5)
        self._poll()
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


def run(args, input=b"", timeout=STAGE_TIMEOUT, waiting_for="the program to finish", ns=None, env=None):
    """Runs the program to the end with `input` on stdin; returns its Result
    (the stage fails if it runs past `timeout` or floods its output)."""
    prog = Program(args, stdin=subprocess.PIPE, ns=ns, env=env)
    try:
        def feed():
            try:
                prog.p.stdin.write(input)
                prog.p.stdin.close()
            except OSError:
                pass  # it exited without reading: its exit status tells
        threading.Thread(target=feed, daemon=True).start()
        return prog.wait_exit(timeout, waiting_for)
    finally:
        prog.stop()


# ---------------------------------------------- the plugin: the report

class Report:
    """Collects each stage's outcome for the printed report and the JSON
    that `./workbook grade` turns into grades."""

    def __init__(self):
        self.stages = []

    def add(self, item, status, text):
        fn = getattr(item, "function", None)
        title = getattr(fn, "stage_title", None) or item.name
        hint = getattr(fn, "stage_hint", None)
        number = len(self.stages) + 1
        self.stages.append({"number": number, "title": title, "status": status,
                            "output": text, "hint": hint})
        mark = {"passed": "ok     ", "failed": "FAILED ", "skipped": "SKIPPED"}[status]
        print(f"  {mark} {number}. {title}", flush=True)
        if text:
            print("\n".join("           " + line for line in text.splitlines()), flush=True)


REPORT = Report()


def _explain(call):
    exc = call.excinfo.value
    if isinstance(exc, AssertionError):
        return str(exc) or "an assertion failed"
    if isinstance(exc, pytest.skip.Exception):
        return str(exc)
    return ("the grader itself hit an error (not necessarily your program's fault):\n"
            + str(call.excinfo.getrepr(style="short")))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" or report.outcome != "passed":
        # under CI a skip fails, unless it is a root-only stage in a normal user's run
        allowed_skip = not CI or (ROOT_ONLY in str(report.longrepr) and not real_root())
        if report.outcome == "passed":
            REPORT.add(item, "passed", "")
        elif report.skipped and allowed_skip:
            REPORT.add(item, "skipped", _explain(call) if call.excinfo else "")
        else:
            text = _explain(call) if call.excinfo else str(report.longrepr)
            if report.skipped:
                report.outcome = "failed"
                text = "skipped under CI, which counts as a failure: " + text
            REPORT.add(item, "failed", text)


def pytest_collectreport(report):
    if report.failed:
        print(f"  the grader could not be loaded:\n{report.longrepr}", flush=True)
