"""The labs as a student uses them: `./workbook lab chNN -- CMD` runs the
book's invocation against the lab's real servers, `./workbook lab chNN`
opens a shell there (driven here through tmux, as a person would type), and
nothing is left behind afterwards: no process in the lab's namespaces, no
temporary folder.

The labs themselves are tests/lab/lab's (the same ones the chapters' tests
and the tour start).
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness import BUILD, SOURCE, TIMEOUT, Proc, need

WORKBOOK = str(SOURCE / "workbook")
# ./workbook uses the build the tests run (the sanitizer build under .ci/run)
ENV = {**os.environ, "WORKBOOK_BUILD_DIR": str(BUILD)}


def workbook(*args, timeout=120):
    """Runs ./workbook ARGS to the end (bounded); returns the CompletedProcess."""
    return subprocess.run([WORKBOOK, *args], capture_output=True, timeout=timeout, env=ENV,
                          stdin=subprocess.DEVNULL, cwd=SOURCE)


def in_namespace(kind, ns_id):
    """The processes whose `kind` namespace (net, mnt) is `ns_id`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/ns/{kind}") == ns_id:
                found.append(pid)
        except OSError:
            pass  # gone, or not ours to see
    return found


def test_ch02_connect3_prints_the_books_lines():
    r = workbook("lab", "ch02", "--", "connect3")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[:3] == ["Creating socket... done.", "Looking up port number... done.",
                         "Connecting to remote host on port 80... done."]
    assert re.fullmatch(r"Connected from \('127\.0\.0\.1', \d+\)", lines[3])
    assert lines[4:] == ["Connected to ('127.0.0.1', 80)"]


def test_ch04_dns_basic_asks_the_labs_dns():
    r = workbook("lab", "ch04", "--", "dns-basic", "www.example.test")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines()[-2:] == ["A     192.0.2.10", "AAAA  2001:db8::10"]


def test_ch03_syslogsample_then_lablog():
    # lablog shows what rsyslog stored; it stores each message a moment after
    # it came, so wait (bounded) for the last one.
    script = ("syslogsample && timeout 10 sh -c "
              "'until lablog | grep -q \"terminating\"; do sleep 0.05; done' && lablog")
    r = workbook("lab", "ch03", "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    got = [re.sub(r"syslogsample\[\d+\]", "syslogsample", line)
           for line in r.stdout.decode().splitlines() if "syslogsample[" in line]
    assert got == [
        "daemon.info syslogsample: Started.",
        "daemon.err syslogsample: std::runtime_error: Exception 1",
        "daemon.err syslogsample: Could not start the service:",
        "daemon.err syslogsample: std::runtime_error: Exception 2",
        "daemon.info syslogsample: I'm terminating.",
    ]


def test_without_a_chapter_every_labs_servers_are_there():
    script = ("connect3 && gopherclient quux.org /hello.txt && "
              "dns-basic www.example.test && test -S /dev/log && echo ALL-OK")
    r = workbook("lab", "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "Connected to ('127.0.0.1', 80)\n" in out  # ch02: nginx as www.google.com
    assert "Hello from the lab's Gopher server" in out  # ch01: gophernicus as quux.org
    assert "A     192.0.2.10\n" in out  # ch04: the DNS hierarchy
    assert out.endswith("ALL-OK\n")  # ch03: the lab's /dev/log, rsyslog's socket


def test_the_commands_exit_status_is_the_labs():
    r = workbook("lab", "ch02", "--", "connect", "127.0.0.1", "9")
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[-1] == "connect: connect: [Errno 111] Connection refused"


def test_two_labs_at_once_each_on_its_own():
    cmd = [WORKBOOK, "lab", "ch02", "--", "connect3"]
    procs = [Proc(cmd, env=ENV, cwd=SOURCE) for _ in range(2)]
    try:
        for p in procs:
            assert p.finish(timeout=120) == 0, p.err
            assert p.out.endswith(b"Connected to ('127.0.0.1', 80)\n")
    finally:
        for p in procs:
            p.stop()


def test_ch04_nsd_keeps_its_transfer_folder_in_the_lab():
    """nsd makes a folder for zone transfers named after its PID, which is
    the same small number in every lab (each has its own PID namespace). It
    was made in /tmp, so while one lab ran, another user's lab found that
    folder taken and nsd did not start (CI: the normal user's ch04 tests
    beside root's). Now it is in the lab's own folder."""
    script = ('pid=$(cat "$WORKBOOK_LAB_DIR/nsd.pid") && test -d "$WORKBOOK_LAB_DIR/nsd-xfr-$pid" '
              '&& ! test -e "/tmp/nsd-xfr-$pid" && echo "in the lab: nsd-xfr-$pid"')
    r = workbook("lab", "ch04", "--", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(rb"in the lab: nsd-xfr-\d+\n", r.stdout), r.stdout


# ------------------------------------- run --calls / --wire, in the lab

def test_run_calls_shows_connects_socket_calls():
    r = workbook("run", "--calls", "ch02/connect")  # the book's: www.google.com, port 80
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert re.search(r"^calls\| socket\(AF_INET6?, SOCK_STREAM", err, re.M), err
    assert re.search(r"^calls\| connect\(3<TCP.*htons\(80\).* = 0$", err, re.M), err
    assert r.stdout == b"Creating socket... done.\nConnecting to remote host... done.\n"


def test_run_calls_shows_udps_sendto():
    cmd = [WORKBOOK, "run", "--calls", "ch02/udp", "127.0.0.1", "echo"]
    with Proc(cmd, env=ENV, cwd=SOURCE, stdin=subprocess.PIPE) as p:
        p.p.stdin.write(b"hello, lab\n")
        p.p.stdin.close()
        p.wait_for(rb"Received: hello, lab", timeout=120)
        p.signal(signal.SIGINT)  # udp waits for more until Ctrl-C
        p.finish()
    err = p.err.decode()
    assert re.search(r"^calls\| socket\(AF_INET6?, SOCK_DGRAM", err, re.M), err
    assert re.search(r'^calls\| sendto\(3<UDP.*"hello, lab", 10, .* = 10$', err, re.M), err


def test_run_wire_shows_the_gopher_selector_bytes():
    r = workbook("run", "--wire", "ch01/gopherclient", "quux.org", "/")
    assert r.returncode == 0, r.stderr
    shown = (r.stdout + r.stderr).decode()
    assert re.search(r"> (127\.0\.0\.1|::1)\.70: Flags \[S\]", shown), shown
    assert re.search(r"^ +0000  2f 0d 0a +/\.\.$", shown, re.M), shown
    assert re.search(r"Flags \[F\.\]", shown), shown


def test_run_wire_shows_the_dns_query():
    r = workbook("run", "--wire", "ch04/dns-basic", "www.example.test")
    assert r.returncode == 0, r.stderr
    shown = (r.stdout + r.stderr).decode()
    assert re.search(r"> 127\.0\.0\.1\.53: \d+\+ ANY\? www\.example\.test\.", shown), shown
    # the question's name, as DNS writes it: 3 www 7 example 4 test 0
    assert re.search(r"03 77 77 77\s.*\n\s+0010  07 65 78 61 6d 70 6c 65 04 74 65 73 74 00", shown), shown


@pytest.mark.parametrize("args", [["ch09"], ["ch02", "ch03"], ["ch02", "--"], ["--info", "nosuch"]])
def test_bad_arguments_get_one_line(args):
    r = workbook("lab", *args)
    assert r.returncode != 0
    assert len(r.stderr.decode().splitlines()) == 1, r.stderr
    assert r.stderr.startswith(b"workbook: ")


def test_info_prints_the_table_without_starting_anything():
    r = workbook("lab", "--info", "ch02", timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert re.search(r"www\.google\.com +127\.0\.0\.1:80, ::1 +nginx", out)
    assert re.search(r"time\.nist\.gov +127\.0\.0\.1:37/udp", out)


# ------------------------------------------------------ the shell, in tmux

class Terminal:
    """A terminal (a tmux session on a private socket) running a command."""

    def __init__(self, tmp, command):
        self.tmux = need("tmux")
        self.socket = str(tmp / "tmux.sock")
        self.cmd([ "new-session", "-d", "-s", "lab", "-x", "160", "-y", "50",
                   "-e", f"WORKBOOK_BUILD_DIR={BUILD}", "-c", str(SOURCE), command])

    def cmd(self, args):
        return subprocess.run([self.tmux, "-S", self.socket, *args], capture_output=True,
                              timeout=TIMEOUT, env={**os.environ, "TMUX": ""})

    def screen(self):
        return self.cmd(["capture-pane", "-p", "-t", "lab", "-S", "-200"]).stdout.decode()

    def type(self, line):
        self.cmd(["send-keys", "-t", "lab", "-l", line])
        self.cmd(["send-keys", "-t", "lab", "Enter"])

    def wait_for(self, pattern, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.screen())
            if m:
                return m
            time.sleep(0.1)  # polling the screen: tmux has no "wait for text"
        raise AssertionError(f"no {pattern!r} on the screen within {timeout} s:\n{self.screen()}")

    def alive(self):
        return self.cmd(["has-session", "-t", "lab"]).returncode == 0

    def wait_closed(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while self.alive():
            assert time.monotonic() < deadline, f"the terminal is still open:\n{self.screen()}"
            time.sleep(0.1)

    def close(self):
        self.cmd(["kill-server"])


@pytest.fixture
def lab_terminal(tmp_path):
    """A terminal where a student typed ./workbook lab ch02, at the lab's
    prompt; yields (terminal, the lab's net and mnt namespaces, its folder)."""
    term = Terminal(tmp_path, f"{WORKBOOK} lab ch02; echo WORKBOOK-ENDED $?; sleep 600")
    try:
        term.wait_for(r"(?m)^\(lab ch02\) \$\s*$")
        term.type("echo NS $(readlink /proc/self/ns/net) $(readlink /proc/self/ns/mnt) $WORKBOOK_LAB_DIR")
        m = term.wait_for(r"NS (net:\[\d+\]) (mnt:\[\d+\]) (\S+)")
        assert in_namespace("net", m.group(1)), "the lab's servers should be running"
        yield term, m.group(1), m.group(2), Path(m.group(3))
    finally:
        term.close()


def assert_nothing_left(net, mnt, folder):
    """Waits (bounded) until no process is in the lab's namespaces and its
    folder is gone: the workbook removes it last."""
    deadline = time.monotonic() + 60
    while in_namespace("net", net) or in_namespace("mnt", mnt) or folder.exists():
        assert time.monotonic() < deadline, (
            f"left behind: processes {in_namespace('net', net) + in_namespace('mnt', mnt)}"
            + (f", the folder {folder}" if folder.exists() else ""))
        time.sleep(0.1)


def test_shell_runs_the_books_command_and_exit_cleans_up(lab_terminal):
    term, net, mnt, folder = lab_terminal
    term.type("connect3")
    term.wait_for(r"Connected to \('127\.0\.0\.1', 80\)")
    term.type("sleep 600 &")  # something left running: exit must end it too
    term.type("exit")
    term.wait_for(r"WORKBOOK-ENDED 0")
    assert_nothing_left(net, mnt, folder)


def test_a_killed_terminal_leaves_nothing_behind(lab_terminal):
    term, net, mnt, folder = lab_terminal
    term.cmd(["kill-session", "-t", "lab"])  # the window closed: SIGHUP
    term.wait_closed()
    assert_nothing_left(net, mnt, folder)
