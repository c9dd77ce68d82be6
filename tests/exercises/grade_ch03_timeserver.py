"""Grader of ch03-timeserver: RFC 868 time over TCP and UDP on one port
number, from one process.

The server runs with --port 0 and announces its port. Its peers are the
book's own client (chapter 2's udptime, over UDP), raw Python sockets (UDP
datagrams; TCP clients that read 4 bytes and the end, that stay silent, that
reset), on 127.0.0.1 and ::1. Every answer must be the true time, 4 bytes
big-endian counting from 1900, within 2 s of the grader's clock.
"""

import calendar
import os
import select
import signal
import socket
import struct
import time

from grading import Namespace, Program, command_line, fail, printable, run, stage
from harness import prog
from ch02_peers import ns_wait_port

WAIT = 5       # seconds: the bound on each wait for an answer
SLACK = 2      # seconds the answer may differ from the grader's clock
EPOCH = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def rfc868_now():
    return (int(time.time()) + EPOCH) % (1 << 32)


def off_by(value):
    """How far an RFC 868 value is from now, in seconds (32-bit wrap aware)."""
    return (value - rfc868_now() + (1 << 31)) % (1 << 32) - (1 << 31)


def shown(value):
    """An RFC 868 value in words: the number and the UTC time it means."""
    unix = value - EPOCH if value >= EPOCH else value + (1 << 32) - EPOCH
    return f"{value} ({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(unix))})"


def ended(server):
    """"; the server has ended" if it has (waiting a moment for a dying one)."""
    return "; the server has ended" if server.ending() else ""


def check_time(data, did, server, sent=None):
    """4 bytes, big-endian, within SLACK seconds of now."""
    if len(data) != 4:
        fail(f"the answer should be exactly 4 bytes, not {len(data)}" + (ended(server) if not data else ""),
             did=did, sent=sent,
             expected="4 bytes: seconds since 1900, big-endian", got=data, result=server.result)
    (value,) = struct.unpack("!I", data)
    off = off_by(value)
    if abs(off) > SLACK:
        way = "behind" if off < 0 else "ahead of"
        fail(f"the time is {abs(off)} s {way} the clock (allowed: {SLACK} s)", did=did, sent=sent,
             expected=f"about {shown(rfc868_now())}", got=f"{printable(data)} = {shown(value)}",
             result=server.result,
             note="4 bytes, big-endian (htonl), seconds since 1900: Unix time + 2208988800"
             if abs(off) > 10**6 else None)


def start(program):
    server = Program([program, "--port", "0"])
    return server, server.wait_port()


def ask_udp(server, port, host, payload=b""):
    """Sends one datagram; returns the answer (the stage fails if none comes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    did = f"{command_line(server.args)}, then a {printable(payload)} datagram to {host} port {port} (UDP)"
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((host, port))
        s.send(payload)
        s.settimeout(WAIT)
        try:
            data = s.recv(65536)
        except socket.timeout:
            fail(f"no UDP answer within {WAIT} s" + ended(server), did=did, result=server.result)
        except ConnectionRefusedError:
            fail("the UDP datagram was refused: nothing listens on that UDP port", did=did,
                 result=server.result, note="the UDP socket must be bound to the announced port too")
    check_time(data, did, server)


def ask_tcp(server, port, host):
    """Connects and reads to the end: 4 bytes, then the server closes."""
    did = f"{command_line(server.args)}, then a TCP client to {host} port {port}, reading to the end"
    try:
        s = socket.create_connection((host, port), timeout=WAIT)
    except OSError as e:
        fail(f"could not connect over TCP: {e}" + ended(server), did=did, result=server.result,
             note="the TCP socket must listen on the announced port, for IPv4 and IPv6")
    with s:
        data = b""
        deadline = time.monotonic() + WAIT
        while len(data) <= 4:
            s.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                piece = s.recv(64)
            except socket.timeout:
                fail(f"the server did not close the connection within {WAIT} s" if len(data) >= 4 else
                     f"no 4 bytes within {WAIT} s of connecting (the server sends them without a request)",
                     did=did, expected="4 bytes, then the end of the connection", got=data, result=server.result)
            except ConnectionResetError:
                break
            if not piece:
                break
            data += piece
    check_time(data, did, server)


def udptime(server, port, host):
    """Chapter 2's udptime against the server: its time line within SLACK."""
    args = [prog("ch02/udptime"), host, port]
    did = f"{command_line(server.args)}, then {command_line(args)} (TZ=UTC)"
    r = run(args, timeout=WAIT, waiting_for="udptime to print the time", env={**os.environ, "TZ": "UTC"})
    lines = r.out.decode(errors="replace").splitlines()
    if r.status != 0 or len(lines) < 2:
        fail("chapter 2's udptime did not print a time", did=did, got=r.out, result=r)
    try:
        value = calendar.timegm(time.strptime(lines[1], "%a %b %d %H:%M:%S %Y")) + EPOCH
    except ValueError:
        fail("udptime's second line is not a time", did=did, got=r.out, result=r)
    off = off_by(value % (1 << 32))
    if abs(off) > SLACK:
        fail(f"udptime shows a time {abs(off)} s {'behind' if off < 0 else 'ahead of'} the clock", did=did,
             expected=f"about {time.ctime(time.time())} (UTC)", got=lines[1], result=server.result)


@stage("UDP over IPv4: any datagram gets the true time (4 bytes, big-endian, since 1900); udptime agrees",
       hint=1)
def test_udp(program):
    server, port = start(program)
    with server:
        ask_udp(server, port, "127.0.0.1", b"what time is it?")
        ask_udp(server, port, "127.0.0.1", b"")
        udptime(server, port, "127.0.0.1")


@stage("TCP over IPv4, same port: 4 bytes on connect, then the server closes", hint=2)
def test_tcp(program):
    server, port = start(program)
    with server:
        ask_tcp(server, port, "127.0.0.1")
        ask_tcp(server, port, "127.0.0.1")
        ask_udp(server, port, "127.0.0.1")


@stage("IPv6 (::1): UDP, udptime and TCP", hint=3)
def test_ipv6(program):
    server, port = start(program)
    with server:
        ask_udp(server, port, "::1", b"v6")
        udptime(server, port, "::1")
        ask_tcp(server, port, "::1")


@stage("one process: UDP answered while a TCP client sits silent; a TCP client that resets; many of each", hint=4)
def test_both_at_once(program):
    server, port = start(program)
    with server:
        silent = socket.create_connection(("127.0.0.1", port), timeout=WAIT)  # never sends, never reads
        try:
            ask_udp(server, port, "127.0.0.1", b"while a TCP client sits there")
            # A reset that comes before accept(): the server is stopped meanwhile.
            server.signal(signal.SIGSTOP)
            try:
                r = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
                r.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                r.close()
            finally:
                server.signal(signal.SIGCONT)
            for i in range(10):
                ask_tcp(server, port, "::1" if i % 2 else "127.0.0.1")
                ask_udp(server, port, "127.0.0.1" if i % 2 else "::1", b"%d" % i)
            ready, _, _ = select.select([silent], [], [], WAIT)
            data = silent.recv(64) if ready else b""
            check_time(data, f"{command_line(server.args)}, then a TCP client that connected first and sent"
                             " nothing; it reads last", server)
        finally:
            silent.close()
        if not server.running():
            server.wait_exit()
            fail("the server ended after a TCP client reset the connection before it was accepted",
                 did=command_line(server.args), result=server.result)


@stage("a port taken (UDP or TCP) with --port: one line on stderr naming bind, exit status 1", hint=5)
def test_busy_port(program):
    for kind, name in ((socket.SOCK_DGRAM, "UDP"), (socket.SOCK_STREAM, "TCP")):
        with socket.socket(socket.AF_INET, kind) as taken:
            taken.bind(("0.0.0.0", 0))
            if kind == socket.SOCK_STREAM:
                taken.listen(1)
            port = taken.getsockname()[1]
            args = [program, "--port", port]
            # (run()'s own bound, STAGE_TIMEOUT, not WAIT: this wait holds
            # the program's whole life, its start included, not one reply)
            r = run(args, waiting_for=f"the server to give up on {name} port {port}, taken")
            did = f"{command_line(args)}, while the grader holds {name} port {port} on 0.0.0.0"
            lines = r.err.decode(errors="replace").splitlines()
            if r.status != 1 or len(lines) != 1 or "bind" not in lines[0] or "in use" not in lines[0]:
                fail(f"with {name} port {port} taken, the server should say so in one line and exit 1", did=did,
                     expected=f"stderr: timeserver: bind to port {port}: [Errno 98] Address already in use",
                     got=r.err or "nothing on stderr", result=r)


@stage("Ctrl-C (SIGINT) ends the server with exit status 0, idle or with a TCP client connected", hint=4)
def test_ctrl_c(program):
    server, port = start(program)
    with server:
        server.signal(signal.SIGINT)
        result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT)")
        if result.status != 0:
            fail("Ctrl-C should end the server with exit status 0", did=command_line(server.args) + ", then SIGINT",
                 result=result)
    server, port = start(program)
    with server:
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
            ask_udp(server, port, "127.0.0.1")
            server.signal(signal.SIGINT)
            result = server.wait_exit(WAIT, "the server to end after Ctrl-C (SIGINT) with a TCP client connected")
        if result.status != 0:
            fail("Ctrl-C with a TCP client connected should end the server with exit status 0",
                 did=command_line(server.args) + ", a TCP client, then SIGINT", result=result)


@stage("without --port it serves port 51423 (udptime in a private network namespace)", hint=1)
def test_default_port(program):
    with Namespace() as ns:
        with Program([program], ns=ns) as server:
            did = command_line([program]) + " in a private network namespace, then udptime 127.0.0.1 51423"
            try:
                ns_wait_port(ns, 51423, kind="time")
            except AssertionError:
                fail("no UDP answer on port 51423 when no --port is given", did=did, result=server.result)
            r = ns.run([prog("ch02/udptime"), "127.0.0.1", "51423"], timeout=WAIT)
            if r.returncode != 0 or len(r.stdout.splitlines()) != 2:
                fail("udptime got no time from port 51423", did=did, got=r.stdout + r.stderr,
                     result=server.result)
