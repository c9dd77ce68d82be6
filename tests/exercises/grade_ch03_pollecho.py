"""Grader of ch03-pollecho: echoserver for many clients at once, one thread
and poll().

The server runs with --port 0 and announces its port; the grader's clients
are raw sockets on loopback. Every echo is checked byte for byte (each
client sends its own random bytes). The misbehaving clients are the
grader's own: one that connects and says nothing, one that sends 64 MiB
and reads nothing (the server's VmRSS in /proc/PID/status must stay
bounded), ones that reset (SO_LINGER 0). The descriptor limit is lowered
for one stage with prlimit, so accept() meets EMFILE for sure.
"""

import hashlib
import resource
import selectors
import signal
import socket
import struct
import threading
import time

from grading import STAGE_TIMEOUT, Namespace, Program, command_line, cpu_seconds, fail, need, stage
from ch02_peers import PY, ns_wait_port

WAIT = 5            # seconds: the bound on each wait for an echo
CLIENTS = 200       # clients connected at once in stage 3
PUSH = 64 << 20     # bytes the client that never reads sends (stage 4)
RSS_GROWTH = 16 << 10  # KiB the server's VmRSS may grow by meanwhile
STALL = 1.0         # seconds without progress: the pushing client is held back
FD_LIMIT = 16       # RLIMIT_NOFILE for the EMFILE stage
EOF_PUSH = 1 << 20  # bytes sent just before an end of file (stage 1)


def raise_fd_limit(want=4096):
    """200 clients here and 200 connections in the server (which inherits
    our limit): raise the soft limit of open files if it is low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def pattern(seed, n):
    """n random-looking bytes, the same for the same seed: one client's own
    data. (SHAKE-128's output: 64 MiB of it in a third of the CPU time of
    random.randbytes, and stage 4 makes 64 MiB at every run.)"""
    return hashlib.shake_128(str(seed).encode()).digest(n)


def proc_status(pid, field):
    """A field of /proc/PID/status in KiB (VmRSS, VmHWM); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def watch_busy(pid, seconds):
    """Watches the process for `seconds`: (CPU seconds it used, the share of
    looks that found it runnable), or None once it has ended.

    The CPU time alone says too little on a busy machine (the tests run side
    by side, and on two cores a program that spins gets only its share of
    them); a program that spins is also always runnable (state R) where one
    asleep in poll() is not (state S), however busy the machine."""
    try:
        cpu = cpu_seconds(pid)
        looks = runnable = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with open(f"/proc/{pid}/stat") as f:
                runnable += f.read().rsplit(")", 1)[1].split()[0] == "R"
            looks += 1
            time.sleep(0.01)  # pacing the looks at /proc
        return cpu_seconds(pid) - cpu, runnable / max(looks, 1)
    except OSError:
        return None  # it ended: the echoes below say so


class Client:
    """One client of the server; every failure names what it did."""

    def __init__(self, server, port, host="127.0.0.1", what="a client", rcvbuf=None):
        self.server = server
        self.did = f"{command_line(server.args)}, then {what} connected to {host} port {port}"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        if rcvbuf:  # a small fixed receive buffer (before connect: no autotuning)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, rcvbuf)
        self.sock.settimeout(WAIT)
        try:
            self.sock.connect((host, port))
        except OSError as e:
            self.sock.close()
            self.fail(f"could not connect to the server: {e}")

    def fail(self, summary, **kw):
        if self.server.ending():
            summary += "; the server has ended"
        fail(summary, did=kw.pop("did", self.did), result=self.server.result, **kw)

    def send(self, data, what=None):
        try:
            self.sock.settimeout(WAIT)
            self.sock.sendall(data)
        except OSError as e:
            self.fail(f"sending to the server failed: {e}", sent=what or data)

    def read(self, n, timeout=WAIT):
        """Reads n bytes; returns (data, how): ok, eof, reset or timeout."""
        deadline = time.monotonic() + timeout
        got = bytearray()
        while len(got) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(got), "timeout"
            self.sock.settimeout(left)
            try:
                piece = self.sock.recv(min(n - len(got), 1 << 20))
            except socket.timeout:
                return bytes(got), "timeout"
            except ConnectionResetError:
                return bytes(got), "reset"
            if not piece:
                return bytes(got), "eof"
            got += piece
        return bytes(got), "ok"

    def expect(self, data, summary="the echo is not what was sent", sent=None):
        got, how = self.read(len(data))
        if got != data:
            why = {"timeout": f"; nothing more came for {WAIT} s",
                   "eof": "; then the server closed the connection",
                   "reset": "; then the connection was reset"}.get(how, "")
            self.fail(summary + why, sent=sent if sent is not None else data, expected=data, got=got)

    def echo(self, data, summary="the echo is not what was sent"):
        self.send(data)
        self.expect(data, summary)

    def expect_eof(self, after="the client shut down its sending side"):
        self.sock.shutdown(socket.SHUT_WR)
        extra, how = self.read(1)
        if extra or how != "eof":
            self.fail(f"the server should close the connection once {after} and everything is echoed",
                      expected="the end of the connection",
                      got=extra + b" (more data)" if extra else f"({how})")

    def reset(self):
        """Closes with SO_LINGER 0: the kernel sends a reset (RST), not a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()


def exchange(client, data, timeout=STAGE_TIMEOUT, start=0, shut=False):
    """Sends data[start:] while reading the echo of all of data (the first
    `start` bytes were sent before), as echoclient-nodeadlock does, so the
    grader never deadlocks; checks every byte as it comes. With shut, the
    sending side is shut down right after the last byte."""
    sock = client.sock
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
    sent, got = start, 0
    deadline = time.monotonic() + timeout
    what = f"{len(data)} random bytes" + (", then end of file (shutdown)" if shut else "")
    try:
        while got < len(data):
            left = deadline - time.monotonic()
            if left <= 0:
                client.fail(f"the echo stopped after {got} of {len(data)} bytes (nothing more for {timeout} s)",
                            sent=what, expected=f"all {len(data)} bytes back")
            for key, events in sel.select(left):
                if events & selectors.EVENT_WRITE and sent < len(data):
                    try:
                        sent += sock.send(data[sent:sent + 65536])
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError as e:
                        client.fail(f"sending to the server failed after {sent} bytes: {e}", sent=what)
                    if sent == len(data):
                        sel.modify(sock, selectors.EVENT_READ)
                        if shut:
                            sock.shutdown(socket.SHUT_WR)
                if events & selectors.EVENT_READ:
                    try:
                        piece = sock.recv(1 << 20)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as e:
                        client.fail(f"the connection failed after {got} bytes of echo: {e}", sent=what)
                    if not piece:
                        client.fail(f"the server closed the connection after {got} of {len(data)} bytes of echo",
                                    sent=what, expected=f"all {len(data)} bytes back")
                    want = data[got:got + len(piece)]
                    if piece != want:
                        client.fail(f"the echo differs from what was sent, somewhere after byte {got}",
                                    sent=f"{what}; bytes {got}.. of it were:", expected=want[:64], got=piece[:64])
                    got += len(piece)
    finally:
        sel.close()
        sock.setblocking(True)


def start(program, prefix=()):
    raise_fd_limit()
    server = Program([*prefix, program, "--port", "0"])
    return server, server.wait_port()


def still_serving(server, port, after):
    """A new client is served normally: the server survived `after`."""
    if not server.running():
        server.wait_exit()
        fail(f"the server ended after {after}; it should go on serving the other clients",
             did=command_line(server.args), result=server.result)
    c = Client(server, port, what=f"(after {after}) a new client")
    c.echo(b"still there?\n", f"a new client was not served after {after}")
    c.expect_eof()
    c.close()


@stage("one client: every byte echoed, IPv4 and IPv6; after its end of file, the rest of the echo, then the end", hint=1)
def test_one_client(program):
    server, port = start(program)
    with server:
        for host in ("127.0.0.1", "::1"):
            c = Client(server, port, host)
            c.echo(b"hello, world\n")
            exchange(c, pattern(host, 100_000))
            c.expect_eof()
            c.close()
        # End of file right behind the data, with echo still waiting in the server.
        c = Client(server, port, what="a client with a small receive buffer", rcvbuf=8192)
        c.did += f", sent {EOF_PUSH} bytes and shut down its side at once, reading meanwhile"
        exchange(c, pattern("eof", EOF_PUSH), shut=True)
        extra, how = c.read(1)
        if extra or how != "eof":
            c.fail("the server should close the connection once the client has shut down its side"
                   " and everything is echoed", expected="the end of the connection",
                   got=extra + b" (more data)" if extra else f"({how})")
        c.close()


@stage("a silent client does not hold up others; two clients' echoes interleave", hint=2)
def test_two_clients(program):
    server, port = start(program)
    with server:
        silent = Client(server, port, what="client A (silent)")
        b = Client(server, port, what="client B, while client A was connected and silent,")
        b.echo(b"B speaks while A is silent\n", "client B got no echo while client A sat silent")
        silent.did = b.did = f"{command_line(server.args)}, then clients A and B connected to port {port}"
        silent.send(b"A: one")
        b.send(b"B: one")
        silent.expect(b"A: one", "client A's echo did not come")
        b.expect(b"B: one", "client B's echo did not come")
        b.send(b"B: two")             # B first this time
        silent.send(b"A: two")
        silent.expect(b"A: two", "client A's echo did not come")
        b.expect(b"B: two", "client B's echo did not come")
        silent.expect_eof()
        b.echo(b"B goes on after A has gone\n")
        b.expect_eof()
        silent.close()
        b.close()


@stage(f"{CLIENTS} clients connected at once, each echoed its own data byte for byte", hint=2)
def test_many_clients(program):
    server, port = start(program)
    with server:
        clients, data = [], []
        for i in range(CLIENTS):
            clients.append(Client(server, port, what=f"client {i + 1} of {CLIENTS}"))
            data.append(b"client %d: " % (i + 1) + pattern(i, 500 + 37 * i))
        for c, d in zip(clients, data):
            c.send(d)
        for c, d in zip(reversed(clients), reversed(data)):  # the last one first
            c.expect(d, f"with {CLIENTS} clients connected (each sent its own bytes first), this one's echo is wrong")
        for c in clients:
            c.expect_eof()
            c.close()


@stage(f"a client that sends {PUSH >> 20} MiB and never reads: others served, memory bounded, its echo whole", hint=3)
def test_back_pressure(program):
    server, port = start(program)
    with server:
        first = Client(server, port)
        first.echo(b"warming up\n")
        first.expect_eof()
        first.close()
        base = proc_status(server.pid, "VmRSS")

        data = pattern("push", PUSH)
        pusher = Client(server, port, what="a client that sends and never reads", rcvbuf=65536)
        progress = {"sent": 0, "how": "running"}

        def push():  # until all is sent, or nothing moves for STALL seconds
            pusher.sock.settimeout(STALL)
            try:
                while progress["sent"] < PUSH:
                    progress["sent"] += pusher.sock.send(data[progress["sent"]:progress["sent"] + 65536])
                progress["how"] = "done"
            except socket.timeout:
                progress["how"] = "stalled"
            except OSError as e:
                progress["how"] = f"failed: {e}"

        thread = threading.Thread(target=push, daemon=True)
        thread.start()
        thread.join(STAGE_TIMEOUT * 3)
        did = pusher.did + f" and sent {PUSH} random bytes without reading any echo"
        if progress["how"].startswith("failed"):
            pusher.fail(f"sending {PUSH} bytes without reading: the connection {progress['how'][8:]}"
                        f" after {progress['sent']} bytes", did=did)
        # A server that keeps all it reads holds tens of MiB once the push is
        # done (the kernel's buffers hold less): let it show.
        deadline = time.monotonic() + (2 if progress["how"] == "done" else 0)
        while True:
            grew = proc_status(server.pid, "VmRSS") - base
            if grew > RSS_GROWTH or time.monotonic() >= deadline:
                break
            time.sleep(0.05)  # pacing the look at /proc
        if grew > RSS_GROWTH:
            pusher.fail("the server's memory grew with what a client sent without reading its echo:"
                        " stop reading from a client while its unsent echo is over a bound (64 KiB)",
                        did=did, expected=f"VmRSS growing by at most {RSS_GROWTH >> 10} MiB",
                        got=f"it grew by {grew / 1024:.1f} MiB after the client had sent {progress['sent']} bytes")

        other = Client(server, port, what="another client, while that one sent and did not read,")
        other.did += f" (the first had sent {progress['sent']} bytes without reading)"
        exchange(other, pattern("other", 200_000))
        other.expect_eof()
        other.close()

        # Now the pusher reads: everything it sent comes back, and the rest too.
        pusher.did = did + ", then started reading while it sent the rest"
        exchange(pusher, data, timeout=20, start=progress["sent"])
        pusher.expect_eof()
        pusher.close()
        still_serving(server, port, "the client that sent a lot")


@stage("clients that reset the connection (SO_LINGER 0), even with echo pending: the server goes on", hint=4)
def test_resets(program):
    server, port = start(program)
    with server:
        watcher = Client(server, port, what="a client that stays connected")
        Client(server, port, what="a client that resets at once").reset()
        c = Client(server, port, what="a client that resets after sending")
        c.send(b"never read" * 100)
        c.reset()
        c = Client(server, port, what="a client that sends 1 MB, reads nothing and resets", rcvbuf=8192)
        c.sock.settimeout(0.5)
        try:
            c.sock.sendall(pattern("reset", 1 << 20))
        except OSError:
            pass  # the server stopped reading (back-pressure): fine
        c.reset()
        # A reset that comes before accept(): the server is stopped meanwhile.
        server.signal(signal.SIGSTOP)
        try:
            Client(server, port, what="a client that resets before the server accepts it").reset()
        finally:
            server.signal(signal.SIGCONT)
        watcher.echo(b"the others reset\n", "a client connected all along was not served after others reset")
        watcher.expect_eof()
        watcher.close()
        still_serving(server, port, "clients reset their connections")


@stage(f"out of descriptors (RLIMIT_NOFILE {FD_LIMIT}): accept's EMFILE reported, no busy loop, clients served later",
       hint=5)
def test_emfile(program):
    prlimit = need("prlimit")
    server, port = start(program, prefix=(prlimit, f"--nofile={FD_LIMIT}"))
    with server:
        n = FD_LIMIT + 8  # more clients than the server can hold: some wait in the listen queue
        clients = [Client(server, port, what=f"client {i + 1} of {n} (the server may open {FD_LIMIT} files)")
                   for i in range(n)]
        server.wait_for(lambda r: b"Too many open files" in r.err or b"EMFILE" in r.err,
                        f"a line on stderr about accept's EMFILE ([Errno 24] Too many open files)"
                        f" once {n} clients connected")
        # Watch the server while clients wait in the queue: it must sleep in
        # poll(). The window (0.5 s) is long enough for 0.1 s of CPU, and
        # for about 50 looks at its state, to tell sleeping from spinning.
        watched = watch_busy(server.pid, 0.5)
        if watched and (watched[0] > 0.1 or watched[1] > 0.5):
            spent, runnable = watched
            fail("while out of descriptors, the server kept the CPU busy: poll() keeps reporting the"
                 " listening socket ready while accept() fails; stop watching it until a client leaves",
                 did=f"{command_line(server.args)}, then {n} clients connected",
                 expected="under 0.1 s of CPU in 0.5 s, asleep (not runnable) most of the time",
                 got=f"{spent:.2f} s of CPU in 0.5 s, runnable in {runnable:.0%} of the looks",
                 result=server.result)
        for i, c in enumerate(clients):
            c.did = (f"{command_line(server.args)}, then {n} clients connected; each in turn echoes a line"
                     f" and closes (this is client {i + 1})")
            c.echo(b"client %d\n" % (i + 1), "a client that had to wait for a free descriptor was never served"
                   if i >= FD_LIMIT - 4 else "the echo is not what was sent")
            c.expect_eof()
            c.close()
        lines = server.result.err.count(b"\n")
        if lines > 100:
            fail("the server printed too many lines on stderr while out of descriptors: report EMFILE and"
                 " wait for a client to leave, do not retry at once", did=f"{command_line(server.args)}",
                 expected="a few lines", got=f"{lines} lines", result=server.result)
        still_serving(server, port, "running out of descriptors")


@stage("Ctrl-C (SIGINT) ends the server with exit status 0, idle or with clients connected", hint=4)
def test_ctrl_c(program):
    server, port = start(program)
    with server:
        server.signal(signal.SIGINT)
        result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT) with no client")
        if result.status != 0:
            fail("Ctrl-C with no client connected should end the server with exit status 0",
                 did=command_line(server.args) + ", then SIGINT", result=result)
    server, port = start(program)
    with server:
        silent = Client(server, port, what="a silent client")
        busy = Client(server, port, what="a client that sent and does not read", rcvbuf=8192)
        busy.sock.settimeout(0.5)
        try:
            busy.sock.sendall(pattern("busy", 1 << 20))
        except OSError:
            pass  # back-pressure: fine
        talker = Client(server, port, what="a client")
        talker.echo(b"before Ctrl-C\n")
        server.signal(signal.SIGINT)
        result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT) with clients connected")
        for c in (silent, busy, talker):
            c.close()
        if result.status != 0:
            fail("Ctrl-C with clients connected should end the server with exit status 0",
                 did=command_line(server.args) + ", three clients connected, then SIGINT", result=result)


ECHO_ONCE = """
import socket, sys
s = socket.create_connection(("127.0.0.1", 51423), timeout=5)
s.sendall(b"default port\\n")
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    piece = s.recv(4096)
    if not piece:
        break
    data += piece
sys.stdout.write(repr(data))
"""


@stage("without --port it listens on port 51423 (in a private network namespace)", hint=1)
def test_default_port(program):
    with Namespace() as ns:
        with Program([program], ns=ns) as server:
            did = command_line([program]) + " in a private network namespace, then a client to 127.0.0.1 port 51423"
            try:
                ns_wait_port(ns, 51423)
            except AssertionError:
                fail("nothing listens on port 51423 when no --port is given", did=did, result=server.result)
            r = ns.run([PY, "-c", ECHO_ONCE], timeout=WAIT * 2)
            if r.stdout != repr(b"default port\n").encode():
                fail("the echo on the default port is not what was sent", did=did, sent=b"default port\n",
                     expected=repr(b"default port\n"), got=r.stdout + r.stderr, result=server.result)
