"""Grader of ch03-inetdwait: a TCP "wait" service that is handed the
listening socket by a superserver, accepts its clients itself, answers each
with `Hello, ('ADDR', PORT)` and exits after --idle seconds without one.

The superservers are real: systemd-socket-activate (without -a: the
program gets the listening socket, on fd 3 with LISTEN_FDS=1, or on fd 0
with --inetd; it works for a normal user) and, as real root, xinetd with
`wait = yes` (fd 0). The clients are raw sockets on loopback; each reply is
compared byte for byte with the client's own address as Python prints it.
"""

import os
import re
import signal
import socket
import struct
import sys
import time
from pathlib import Path

from grading import Program, fail, need, need_root, stage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from ch03_peers import Xinetd  # noqa: E402

WAIT = 5  # seconds: the bound on each wait for a reply or an exit


def clean_env():
    """The grader's environment without any LISTEN_* of its own."""
    return {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}


class Activated:
    """The program under systemd-socket-activate in "wait" mode: ssa listens,
    and at the first connection execs the program with the listening socket
    (fd 3 and LISTEN_FDS=1, or fd 0 with --inetd). .did says it in words."""

    def __init__(self, program, args=(), host="127.0.0.1", inetd=False):
        ssa = need("systemd-socket-activate")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as s:  # a port that was free a moment ago
            s.bind((host, 0))
            self.port = s.getsockname()[1]
        listen = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        mode = ["--inetd"] if inetd else []
        self.host = host
        self.name = Path(program).name
        self.did = " ".join(["systemd-socket-activate", "-l", listen, *mode, self.name, *args])
        self.did += " (the listening socket on fd 0)" if inetd else " (the listening socket on fd 3, LISTEN_FDS=1)"
        self.prog = Program([ssa, "-l", listen, *mode, program, *args], env=clean_env())
        self.prog.wait_for(lambda r: b"Listening on" in r.err, "systemd-socket-activate to listen")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.prog.stop()


def connect(port, host, did, result_of=None, what="a client"):
    """A client connected to the service; fails the stage if nobody listens."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    c = socket.socket(family)
    c.settimeout(WAIT)
    try:
        c.connect((host, port))
    except OSError as e:
        c.close()
        note = None
        if result_of is not None and result_of.ending():
            note = "the program had already ended, and the superserver does not listen again (no -a)"
        fail(f"{what} could not connect to {host} port {port}: {e}", did=did,
             result=result_of.result if result_of is not None else None, note=note)
    return c


def read_to_end(c):
    """Everything until the server closes, bounded; and how it ended."""
    got = b""
    deadline = time.monotonic() + WAIT
    while len(got) < 4096:
        left = deadline - time.monotonic()
        if left <= 0:
            return got, "timeout"
        c.settimeout(left)
        try:
            piece = c.recv(4096)
        except socket.timeout:
            return got, "timeout"
        except ConnectionResetError:
            return got, "reset"
        if not piece:
            return got, "eof"
        got += piece
    return got, "too much"


def expected_hello(c):
    """`Hello, ` and the client's own address as Python prints it."""
    me = c.getsockname()
    return f"Hello, {me[:2] if c.family == socket.AF_INET else me}\n".encode()


def hello(port, host, did, result_of=None, what="a client"):
    """A client connects, expects its Hello line and the end of the connection."""
    with connect(port, host, did, result_of, what) as c:
        want = expected_hello(c)
        got, how = read_to_end(c)
    if got != want or how != "eof":
        why = {"timeout": f"; then nothing more for {WAIT} s (the connection should be closed)",
               "reset": "; then the connection was reset",
               "too much": "; and it went on sending"}.get(how, "")
        if result_of is not None and result_of.ending():
            why += "; the program has ended"
        fail(f"{what} did not get its Hello line and the end of the connection" + why, did=did,
             expected=want, got=got, result=result_of.result if result_of is not None else None)


def reset_at_once(port, host):
    """Connects and resets the connection (SO_LINGER 0: RST, not FIN)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as c:
        c.connect((host, port))
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


@stage("systemd-socket-activate, socket on fd 3 (LISTEN_FDS=1): three clients in turn, each gets its Hello line",
       hint=1)
def test_listen_fds(program):
    with Activated(program) as a:
        for n in (1, 2, 3):
            hello(a.port, a.host, a.did, a.prog, what=f"client {n} of 3")


@stage("--inetd, socket on fd 0, over IPv6: two clients at once, and one that resets before it is accepted",
       hint=2)
def test_fd0_ipv6(program):
    with Activated(program, host="::1", inetd=True) as a:
        hello(a.port, a.host, a.did, a.prog, what="the first client")
        # Two clients connected at the same time: both wait in the listen
        # queue, and each gets its own line.
        with connect(a.port, a.host, a.did, a.prog, "client A") as ca, \
                connect(a.port, a.host, a.did, a.prog, "client B, connected while A was") as cb:
            for c, name in ((cb, "client B"), (ca, "client A")):
                want = expected_hello(c)
                got, how = read_to_end(c)
                if got != want or how != "eof":
                    fail(f"{name} (two clients connected at once) did not get its Hello line and the end",
                         did=a.did, expected=want, got=got, result=a.prog.result)
        # A client that resets the connection before the program accepts
        # it (the program is paused meanwhile): sending to it fails.
        a.prog.signal(signal.SIGSTOP)
        try:
            reset_at_once(a.port, a.host)
        finally:
            a.prog.signal(signal.SIGCONT)
        hello(a.port, a.host, a.did + ", then a client that reset the connection before it was accepted",
              a.prog, what="the next client")


@stage("--idle 0.8: serves clients 0.3 s apart, then exits with status 0 about 0.8 s after the last one", hint=3)
def test_idle(program):
    with Activated(program, ["--idle", "0.8"]) as a:
        for n in range(1, 7):
            if n > 1:
                time.sleep(0.3)  # pacing the clients on purpose: closer than --idle
            hello(a.port, a.host, a.did + ", then clients 0.3 s apart", a.prog,
                  what=f"client {n} (0.3 s after the one before)" if n > 1 else "client 1")
        last = time.monotonic()
        result = a.prog.wait_exit(3, "the program to exit: --idle 0.8, and no client came after the 6th")
        if result.status != 0:
            fail("after --idle seconds without a client the program should exit with status 0",
                 did=a.did, result=result)
        took = time.monotonic() - last
        if took < 0.6:
            fail(f"the program exited {took:.2f} s after the last client; --idle 0.8 says to wait 0.8 s",
                 did=a.did, result=result)


def expect_no_socket(program, stdin, what):
    with Program([program], stdin=stdin, env=clean_env()) as p:
        result = p.wait_exit(WAIT, f"the program to say it has no listening socket ({what})")
    lines = result.err.splitlines(keepends=True)
    if result.status != 2 or result.out or len(lines) != 1 or not lines[0].endswith(b"\n"):
        fail("without a listening socket the program should print one line on stderr, nothing on"
             " stdout, and exit with status 2", did=f"{Path(program).name} with {what} and no LISTEN_FDS",
             expected="one line on stderr, exit status 2", got=result.out or "nothing on stdout",
             result=result)


@stage("no superserver: stdin not a listening socket and no LISTEN_FDS: one line on stderr, exit 2", hint=4)
def test_no_socket(program):
    with open(os.devnull, "rb") as null:
        expect_no_socket(program, null, "stdin /dev/null")
    a, b = socket.socketpair()
    with a, b:
        expect_no_socket(program, a, "stdin a connected socket (one end of a socketpair)")


@stage("xinetd, wait = yes (socket on fd 0): clients, the idle exit in xinetd's log, a new run for the next client",
       hint=5)
def test_xinetd(program):
    need_root("xinetd (it cannot start services in a user namespace)")
    name = Path(program).name
    with Xinetd({"inetdwait": (program, "stream-wait", ["--idle", "0.8"])}) as x:
        port = x.port["inetdwait"]
        did = (f"xinetd with a service: socket_type = stream, wait = yes, port = {port},"
               f" server = {name}, server_args = --idle 0.8")

        def runs(count, waiting_for):
            """xinetd's log once it shows `count` exits: (log, starts, exit statuses)."""
            deadline = time.monotonic() + WAIT
            while True:
                log = x.log_text()
                exits = re.findall(r"EXIT: inetdwait status=(-?\d+)", log)
                if len(exits) >= count:
                    return log, re.findall(r"START: inetdwait pid=(\d+)", log), exits
                if time.monotonic() > deadline:
                    fail(f"xinetd did not log the program's exit within {WAIT} s while the grader waited for"
                         f" {waiting_for}", did=did, expected=f"{count} x 'EXIT: inetdwait status=0'",
                         got=log or "an empty log")
                time.sleep(0.05)  # polling xinetd's log file

        for n in (1, 2, 3):
            hello(port, "127.0.0.1", did, what=f"client {n} of 3")
        log, starts, exits = runs(1, "the idle exit (--idle 0.8) after three clients")
        if set(exits) != {"0"}:
            fail("the program should exit with status 0 when it has been idle", did=did,
                 expected="EXIT: inetdwait status=0", got=log)
        runs_before = len(starts)
        hello(port, "127.0.0.1", did + ", after the program's idle exit", what="a new client")
        log, starts, exits = runs(runs_before + 1, "the next run to exit")
        if len(set(starts)) != runs_before + 1 or set(exits) != {"0"}:
            fail("xinetd should have started the program again for the new client, and each run should"
                 " end with status 0", did=did,
                 expected=f"{runs_before + 1} START lines (new pids), each run's 'EXIT: inetdwait status=0'",
                 got=log)
