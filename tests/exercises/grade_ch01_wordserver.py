"""Grader of ch01-wordserver: a TCP server that answers each line with
`N characters, M words`, one client at a time.

The server runs with --port 0 and announces its port; the grader's clients
are raw sockets on loopback (nc for the default port, inside a private
network namespace). Each reply is compared byte for byte with the whole
conversation so far, so a failure shows the first differing byte.
"""

import signal
import socket
import struct
import subprocess
import threading
import time

from grading import Namespace, Program, command_line, fail, need, stage

WAIT = 5  # seconds: the bound on each wait for a reply


def counted(text):
    """The reply to one line (without its line end): bytes, and words as
    Python's split() finds them."""
    return f"{len(text)} characters, {len(text.split())} words\n".encode()


class Client:
    """One client's conversation with the server. say() sends bytes and
    reads exactly the expected reply; on any difference the stage fails
    showing the whole conversation so far."""

    def __init__(self, server, port, host="127.0.0.1", what="a client"):
        self.server = server
        self.did = f"{command_line(server.args)}, then {what} connected to {host} port {port}"
        self.sent = b""
        self.expected = b""
        self.got = b""
        try:
            self.sock = socket.create_connection((host, port), timeout=WAIT)
        except OSError as e:
            ended = server.ending()
            fail(f"could not connect to the server: {e}" + ("; the server ended" if ended else ""),
                 did=self.did, result=server.result)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, data, pace=0.0):
        """Sends data, all at once or (pace > 0) one byte at a time."""
        try:
            if pace:
                for i in range(len(data)):
                    self.sock.sendall(data[i:i + 1])
                    time.sleep(pace)  # pacing the peer on purpose: one segment per byte
            else:
                self.sock.sendall(data)
        except OSError as e:
            fail(f"sending to the server failed: {e}", did=self.did, sent=self.sent + data,
                 result=self.server.result)
        self.sent += data

    def read(self, n):
        """Reads up to n bytes; returns how the reading ended."""
        deadline = time.monotonic() + WAIT
        got = b""
        while len(got) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return got, "timeout"
            self.sock.settimeout(left)
            try:
                piece = self.sock.recv(n - len(got))
            except socket.timeout:
                return got, "timeout"
            except ConnectionResetError:
                return got, "reset"
            if not piece:
                return got, "eof"
            got += piece
        return got, "ok"

    def expect(self, reply, summary="the reply is not what was expected"):
        got, how = self.read(len(reply))
        self.expected += reply
        self.got += got
        if got != reply:
            why = {"timeout": f"; nothing more came for {WAIT} s",
                   "eof": "; then the server closed the connection",
                   "reset": "; then the connection was reset"}.get(how, "")
            if how in ("eof", "reset") and self.server.ending():
                why += ", and the server ended"
            fail(summary + why, did=self.did, sent=self.sent, expected=self.expected, got=self.got,
                 result=self.server.result)

    def say(self, data, reply, pace=0.0):
        self.send(data, pace)
        self.expect(reply)

    def expect_close(self, after):
        """The server closes the connection (end of file, or a reset)."""
        extra, how = self.read(4096)
        if extra or how == "timeout":
            fail(f"the server should close the connection after {after}", did=self.did,
                 sent=self.sent, expected=self.expected + b" (then the end of the connection)",
                 got=self.got + extra + (b" (still open)" if how == "timeout" else b""),
                 result=self.server.result)

    def reset(self):
        """Closes with SO_LINGER 0: the kernel sends a reset (RST), not a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self):
        self.sock.close()


def start(program):
    server = Program([program, "--port", "0"])
    return server, server.wait_port()


def still_serving(server, port, after):
    """A new client is served normally: the server survived `after`."""
    if not server.running():
        server.wait_exit()
        fail(f"the server ended after {after}; it should go on serving the next client",
             did=command_line(server.args), result=server.result)
    c = Client(server, port, what=f"(after {after}) a new client")
    c.say(b"still there?\n", b"12 characters, 2 words\n")
    c.close()


def peak_memory_kib(pid):
    """The process's peak resident memory (VmHWM in /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


@stage("one client, lines ending in LF: a reply for each, `quit` gets `Bye.` and the end", hint=1)
def test_lf_lines(program):
    server, port = start(program)
    with server:
        c = Client(server, port)
        for line in ["hello world", "", "  one\ttwo  three ", "x"]:
            c.say(line.encode() + b"\n", counted(line))
        c.say(b"quit\n", b"Bye.\n")
        c.expect_close("Bye.")
        c.close()


@stage("lines ending in CR LF: the CR is not counted; `quit` CR LF ends it too", hint=2)
def test_crlf_lines(program):
    server, port = start(program)
    with server:
        c = Client(server, port)
        for line in ["hello world", "", "\tTabs\tand  spaces\t", "a b c d e f g"]:
            c.say(line.encode() + b"\r\n", counted(line))
        c.say(b"quit\r\n", b"Bye.\n")
        c.expect_close("Bye.")
        c.close()


@stage("several clients in turn, IPv4 and IPv6; one that hangs up without quit; a last line without LF", hint=3)
def test_several_clients(program):
    server, port = start(program)
    with server:
        a = Client(server, port, what="client A")
        a.say(b"first client\n", counted("first client"))
        b = Client(server, port, what="client B, while A was still connected,")
        b.send(b"second client\r\n")     # waits in line until A is done
        a.say(b"a b\n", counted("a b"))
        a.close()                        # hangs up without quit
        b.expect(counted("second client"), "client B's line was not answered after A hung up")
        b.say(b"quit\n", b"Bye.\n")
        b.close()
        c = Client(server, port, host="::1", what="client C")
        c.say(b"over IPv6\n", counted("over IPv6"))
        c.close()
        d = Client(server, port, what="client D")
        d.send(b"abc def")               # no line end: then the client closes its side
        d.sock.shutdown(socket.SHUT_WR)
        d.expect(counted("abc def"), "a last line without a line end, before the client's end of file,"
                                     " should be answered too")
        d.expect_close("the client's end of file")
        d.close()
        still_serving(server, port, "those clients")


@stage("split writes: lines that arrive one byte at a time, and several lines in one write", hint=4)
def test_split_writes(program):
    server, port = start(program)
    with server:
        c = Client(server, port)
        c.say(b"one byte at a time\r\n", counted("one byte at a time"), pace=0.002)
        c.say(b"lf only\n", counted("lf only"), pace=0.002)
        c.send(b"split CR")
        time.sleep(0.05)                 # pacing: the CR LF in two pieces
        c.send(b"\r")
        time.sleep(0.05)
        c.say(b"\n", counted("split CR"))
        c.say(b"three\nlines in\r\none write\n",
              counted("three") + counted("lines in") + counted("one write"))
        c.say(b"last\nquit\n", counted("last") + b"Bye.\n")
        c.expect_close("Bye.")
        c.close()


@stage("clients that reset the connection (SO_LINGER 0): the server goes on", hint=5)
def test_resets(program):
    server, port = start(program)
    with server:
        c = Client(server, port, what="a client that resets before sending")
        c.reset()
        c = Client(server, port, what="a client that resets in the middle of a line")
        c.send(b"half a li")
        c.reset()
        c = Client(server, port, what="a client that resets before reading its reply")
        c.send(b"nobody reads this\n")
        c.reset()
        c = Client(server, port, what="a client that resets after a reply")
        c.say(b"one reply\n", counted("one reply"))
        c.send(b"and a line")
        c.reset()
        still_serving(server, port, "clients reset their connections")


@stage("long lines: 64 KiB is served; longer gets `Line too long.` and the end; memory stays bounded", hint=4)
def test_long_lines(program):
    server, port = start(program)
    with server:
        c = Client(server, port, what="a client")
        c.send(b"a" * 65536 + b"\r\n")
        c.expect(b"65536 characters, 1 words\n", "a line of exactly 64 KiB (65536 bytes, then CR LF) should be served")
        c.say(b"x y\n", counted("x y"))
        c.close()
        before = peak_memory_kib(server.pid)

        c = Client(server, port, what="a client")
        c.send(b"b" * 65537 + b"\n")
        c.expect(b"Line too long.\n", "a line of 65537 bytes is over 64 KiB")
        c.expect_close("Line too long.")
        c.close()

        # 16 MiB with no line end (then one): the server must answer once it
        # has 64 KiB and more, not keep it all. A thread sends; the server may
        # reset the connection long before the end.
        c = Client(server, port, what="a client")
        huge = b"c" * (16 << 20) + b"\n"
        c.sent = "16 MiB of 'c' (16777216 bytes), then LF"
        def send_quietly():
            try:
                c.sock.sendall(huge)
            except OSError:
                pass  # the server closed or reset the connection: allowed
        sender = threading.Thread(target=send_quietly, daemon=True)
        sender.start()
        try:
            c.expect(b"Line too long.\n", "16 MiB without a line end should get `Line too long.`")
            c.expect_close("Line too long.")
        finally:
            c.close()
            sender.join(WAIT)
        if server.running():
            grew = peak_memory_kib(server.pid) - before
            if grew > 8 << 10:
                fail("the server's memory grew by more than 8 MiB while a 16 MiB line arrived:"
                     " it kept the line; it should never hold much more than 64 KiB of it",
                     did=c.did, sent=c.sent, expected="peak memory (VmHWM) growing by at most 8 MiB",
                     got=f"it grew by {grew / 1024:.1f} MiB", result=server.result)
        still_serving(server, port, "the long lines")


@stage("Ctrl-C (SIGINT) ends the server with exit status 0, idle or mid-conversation", hint=5)
def test_ctrl_c(program):
    server, port = start(program)
    with server:
        server.signal(signal.SIGINT)
        result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT) while no client was connected")
        if result.status != 0:
            fail("Ctrl-C while no client was connected should end the server with exit status 0",
                 did=command_line(server.args) + ", then SIGINT", result=result)
    server, port = start(program)
    with server:
        c = Client(server, port)
        c.say(b"before Ctrl-C\n", counted("before Ctrl-C"))
        c.send(b"half a line")
        server.signal(signal.SIGINT)
        result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT) in the middle of a line")
        c.close()
        if result.status != 0:
            fail("Ctrl-C during a conversation should end the server with exit status 0",
                 did=c.did + ", sent half a line, then SIGINT", result=result)


@stage("without --port it listens on port 51423 (nc, in a private network namespace)", hint=1)
def test_default_port(program):
    nc = need("nc")
    with Namespace() as ns:
        with Program([program], ns=ns) as server:
            port = server.wait_port()
            did = command_line([program]) + " in a private network namespace"
            if port != 51423:
                fail("the server should listen on port 51423 when no --port is given", did=did,
                     expected="Server is running on port 51423; ...", got=server.result.out,
                     result=server.result)
            try:
                r = ns.run([nc, "-q", "2", "127.0.0.1", "51423"], input=b"one two\nquit\n", timeout=WAIT * 2)
            except subprocess.TimeoutExpired:
                fail(f"nc did not finish within {WAIT * 2} s: the server did not close the connection after Bye.?",
                     did=did + ", then nc 127.0.0.1 51423", sent=b"one two\nquit\n", result=server.result)
            want = counted("one two") + b"Bye.\n"
            if r.stdout != want:
                fail("nc's conversation with the server went wrong", did=did + ", then nc 127.0.0.1 51423",
                     sent=b"one two\nquit\n", expected=want, got=r.stdout, result=server.result)
