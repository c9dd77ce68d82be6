"""Grader of ch02-udpretry: a UDP client that retransmits with exponential
back-off until its message is echoed.

The peer is the grader's own echo service (LossyEcho below): a thread with a
UDP socket on loopback that notes when each datagram arrives and answers as
the stage says: not at all for the first K datagrams, twice, late, or with
strays, some from a second socket (another port). The spacing of the
retransmissions is measured where it matters, at the server, with a
tolerance generous enough for a loaded machine (+-40% or +-0.15 s).
"""

import socket
import threading
import time

from grading import command_line, fail, printable, run, stage

MESSAGE = "hello, world"
DATA = MESSAGE.encode()


class LossyEcho:
    """A UDP echo service in a thread. For the n-th datagram (from 1),
    policy(n, data) returns the answers: a list of (delay, via, payload),
    via "main" (its own address) or "stray" (a second socket: another port).
    `arrivals` lists (monotonic time, data, sender) for each datagram."""

    def __init__(self, policy, host="127.0.0.1"):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.policy = policy
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.05)
        self.stray = socket.socket(family, socket.SOCK_DGRAM)
        self.stray.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.arrivals = []
        self.timers = []
        self.errors = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                data, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError as e:
                self.errors.append(e)
                return
            self.arrivals.append((time.monotonic(), data, addr))
            for delay, via, payload in self.policy(len(self.arrivals), data):
                sock = self.sock if via == "main" else self.stray
                if delay:
                    timer = threading.Timer(delay, self._send, (sock, payload, addr))
                    self.timers.append(timer)
                    timer.start()
                else:
                    self._send(sock, payload, addr)

    @staticmethod
    def _send(sock, payload, addr):
        try:
            sock.sendto(payload, addr)
        except OSError:
            pass  # the program has gone: its port is closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        for timer in self.timers:
            timer.cancel()
            timer.join(5)
        self.sock.close()
        self.stray.close()


def echo_after(k, *extra):
    """A policy: ignore the first k datagrams (they are "lost"), echo every
    later one; `extra` answers go out for every datagram before that."""
    def policy(n, data):
        return [*extra, *([(0, "main", data)] if n > k else [])]
    return policy


def tries(n):
    return f"{n} try" if n == 1 else f"{n} tries"


def replied(n):
    return f"Reply: {MESSAGE}\nafter {tries(n)}\n".encode()


def spacing(timeout, n):
    """The gaps expected between n datagrams: timeout, 2x, 4x, ..."""
    return [timeout * 2 ** i for i in range(n - 1)]


def seconds(values):
    return ", ".join(f"{v:.2f} s" for v in values)


def received(seen):
    """What the server received, in words."""
    if not seen:
        return "no datagram"
    return f"{len(seen)} datagram(s): " + ", ".join(printable(d) for d in seen)


def check_outcome(srv, result, did, scenario, expected, status, n):
    """The program printed `expected` and exited with `status`, and the
    server saw exactly n datagrams, each the message."""
    seen = [d for _, d, _ in srv.arrivals]
    if result.out != expected or result.status != status:
        fail(f"{scenario}: the program should print this and exit {status}", did=did,
             expected=expected, got=result.out, result=result,
             note=f"the server received {received(seen)}")
    if len(seen) != n:
        fail(f"{scenario}: the server should have received {n} datagram(s), each the message",
             did=did, expected=f"{n} datagram(s) of {printable(DATA)}",
             got=received(seen), result=result)
    for d in seen:
        if d != DATA:
            fail(f"{scenario}: every try must send the message, byte for byte", did=did,
                 expected=DATA, got=d, result=result)


def check_spacing(srv, timeout, did, result):
    """The gaps between arrivals are timeout, 2x, 4x, ... (+-40% or +-0.15 s)."""
    times = [t for t, _, _ in srv.arrivals]
    gaps = [b - a for a, b in zip(times, times[1:])]
    want = spacing(timeout, len(times))
    for got, expected in zip(gaps, want):
        if abs(got - expected) > max(0.4 * expected, 0.15):
            fail("the retransmissions are not spaced timeout, 2 x timeout, 4 x timeout, ...",
                 did=did, expected=f"intervals of {seconds(want)} between the datagrams",
                 got=f"intervals of {seconds(gaps)}", result=result,
                 note="measured between the datagrams' arrivals at the grader's server;"
                      " each may be off by 40% or 0.15 s, whichever is more")


def run_against(program, srv, *options, message=MESSAGE, host="127.0.0.1"):
    args = [program, *options, host, srv.port, message]
    return args, run(args)


@stage("an echo server that answers at once: Reply and `after 1 try`, exit 0", hint=1)
def test_echo_answered_at_once(program):
    with LossyEcho(echo_after(0)) as srv:
        args, result = run_against(program, srv)
    check_outcome(srv, result, command_line(args), "the server echoed the first datagram at once",
                  replied(1), 0, 1)


@stage("no echo for the first 3 datagrams: retransmits after timeout, 2x, 4x", hint=2)
def test_backoff(program):
    timeout = 0.2
    with LossyEcho(echo_after(3)) as srv:
        args, result = run_against(program, srv, "--timeout", timeout)
    did = command_line(args) + " (the server drops the first 3 datagrams, echoes the 4th)"
    check_outcome(srv, result, did, "the 4th datagram was echoed", replied(4), 0, 4)
    check_spacing(srv, timeout, did, result)


@stage("a server that never answers: `No reply after N tries`, exit 1, after the last wait", hint=3)
def test_gives_up(program):
    timeout, n = 0.1, 4
    with LossyEcho(lambda n, data: []) as srv:
        args, result = run_against(program, srv, "--timeout", timeout, "--tries", n)
    did = command_line(args) + " (the server never answers)"
    check_outcome(srv, result, did, "no datagram was echoed", f"No reply after {tries(n)}\n".encode(), 1, n)
    check_spacing(srv, timeout, did, result)
    # The last try's wait: from its datagram's arrival to the moment the
    # program's `No reply` line came, never shorter than 70% of it. Its line,
    # not its exit: the sanitizers' leak check at the exit and the sandbox's
    # end, on a loaded machine, have taken most of a second more.
    last = timeout * 2 ** (n - 1)
    waited = result.out_at - srv.arrivals[-1][0]
    if not 0.7 * last <= waited <= last + max(0.4 * last, 0.3):
        fail("the program gave up too early or too late: after the last try it should wait that"
             " try's whole timeout, then stop", did=did,
             expected=f"`No reply` about {last:.2f} s after the last datagram"
                      f" (the intervals between the tries: {seconds(spacing(timeout, n + 1))})",
             got=f"`No reply` {waited:.2f} s after the last datagram", result=result)


STRAYS = [
    ("the server answered try 1 only with the same bytes from another port (a stray),"
     " and echoed try 2", [(0, "stray", DATA)]),
    ("the server answered try 1 only with a longer datagram that starts with the message,"
     " and echoed try 2", [(0, "main", DATA + b"!!")]),
    ("the server answered try 1 only with datagrams of other contents (same length, shorter, empty),"
     " and echoed try 2", [(0, "main", DATA.upper()), (0, "main", DATA[:5]), (0, "main", b"")]),
]


@stage("ignores datagrams from another port and datagrams that are not the echo", hint=4)
def test_ignores_strays(program):
    timeout = 0.1
    for scenario, answers in STRAYS:
        with LossyEcho(lambda n, data, answers=answers: answers if n == 1 else [(0, "main", data)]) as srv:
            args, result = run_against(program, srv, "--timeout", timeout)
        did = command_line(args)
        check_outcome(srv, result, did, scenario, replied(2), 0, 2)
        check_spacing(srv, timeout, did, result)


@stage("a late echo of an earlier try counts; a duplicated echo is printed once", hint=5)
def test_late_and_duplicated(program):
    timeout = 0.2
    # Every datagram echoed twice at once: one Reply, one try.
    with LossyEcho(lambda n, data: [(0, "main", data), (0, "main", data)]) as srv:
        args, result = run_against(program, srv, "--timeout", timeout)
    check_outcome(srv, result, command_line(args), "the server echoed every datagram twice",
                  replied(1), 0, 1)
    # The echo of try 1 comes twice, 0.4 s late: after try 2 went out (at
    # 0.2 s), well before try 2's deadline (0.6 s). It answers us.
    late = [(2 * timeout, "main", DATA), (2 * timeout, "main", DATA)]
    with LossyEcho(lambda n, data: late if n == 1 else []) as srv:
        args, result = run_against(program, srv, "--timeout", timeout)
    check_outcome(srv, result, command_line(args),
                  f"the server echoed try 1 twice, {2 * timeout:.1f} s late, and never echoed try 2",
                  replied(2), 0, 2)


@stage("IPv6: the same over ::1, with a lost first datagram", hint=5)
def test_ipv6(program):
    timeout = 0.1
    with LossyEcho(echo_after(1), host="::1") as srv:
        args, result = run_against(program, srv, "--timeout", timeout, host="::1")
    did = command_line(args) + " (the server on ::1 drops the first datagram)"
    check_outcome(srv, result, did, "the 2nd datagram was echoed", replied(2), 0, 2)
    check_spacing(srv, timeout, did, result)
