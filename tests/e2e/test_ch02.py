"""Chapter 2, network clients: each program against real servers.

- connect, connect2, connect3 with no arguments, inside a private network
  namespace (the lab) where www.google.com is a loopback address and nginx
  listens on port 80; and with an explicit host and port, on IPv4 and IPv6;
- socketerrors, shutdown, shutdownfile against nginx, and every error path
  made to happen for real (a reset comes from a Python server that closes
  with SO_LINGER 0: the kernel then sends RST);
- udp against socat as a UDP echo server and ch03's udpechoserver, and
  with nothing listening (ICMP port unreachable);
- udptime against xinetd's built-in RFC 868 time service, and against a
  Python peer that sends a reply of the wrong size.
"""

import contextlib
import errno
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from ch02_peers import (
    INDEX,
    PY,
    Nginx,
    ThreadServer,
    http_get,
    read_request,
    reset,
    socat_echo_command,
    socket_fails_with,
    udp_probe,
    wait_udp_bound,
    xinetd_command,
)
from harness import Lab, Proc, free_port, prog, run

LOCALHOST = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n"

# --------------------------------------------------------------- fixtures


def lab_fixture(google_ip, sysctls=()):
    """A module-scoped fixture: chapter 2's lab (tests/lab/ch02: nginx as
    www.google.com on port 80, xinetd's time as time.nist.gov on UDP 37,
    host names from /etc/hosts only), both names at `google_ip`. `sysctls`
    ("net.ipv6.bindv6only=1") are set in it before anything starts."""

    @pytest.fixture(scope="module")
    def fixture():
        options = ["--address", google_ip]
        for setting in sysctls:  # per network namespace: the host keeps its own
            options += ["--sysctl", setting]
        with Lab("ch02", *options) as ns:
            yield ns

    return fixture


lab = lab_fixture("127.0.0.1")  # www.google.com and time.nist.gov over IPv4
lab6 = lab_fixture("::1")  # the same names, IPv6 only
# A system where IPv6 sockets are IPv6-only unless a program says otherwise.
lab_v6only = lab_fixture("127.0.0.1", sysctls=["net.ipv6.bindv6only=1"])


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """nginx on a free port of 127.0.0.1 and ::1, outside any namespace."""
    with Nginx(tmp_path_factory.mktemp("web")) as server:
        yield server


def lines(data):
    return data.decode().splitlines()


@contextlib.contextmanager
def refused_port(host="127.0.0.1"):
    """A TCP port that refuses connections for as long as the block runs: a
    socket holds it bound (so nobody else can take it) but never listens, so
    the kernel answers every connection attempt with a reset."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        yield s.getsockname()[1]


@contextlib.contextmanager
def unreachable_udp_port(host="127.0.0.1"):
    """A UDP port where datagrams find no receiver, for as long as the block
    runs: a socket holds it bound but connected to another peer (port 9 of
    the same host), so the kernel delivers it nothing from anyone else and
    answers with an ICMP port unreachable."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        s.connect((host, 9))
        yield s.getsockname()[1]


def port_range():
    low, high = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
    return range(low, high + 1)


# ------------------------------------------------ connect, connect2, connect3

CONNECT_LINES = {
    "connect": ["Creating socket... done.", "Connecting to remote host... done."],
    "connect2": ["Creating socket... done.", "Looking up port number... done.",
                 "Connecting to remote host on port {port}... done."],
}
CONNECT_LINES["connect3"] = CONNECT_LINES["connect2"]


@pytest.mark.parametrize("name", ["connect", "connect2", "connect3"])
@pytest.mark.parametrize("labname, server", [("lab", "127.0.0.1"), ("lab6", "::1")])
def test_connect_no_arguments_reaches_www_google_com(request, name, labname, server):
    """The book's invocation: www.google.com port 80, here nginx in the lab."""
    ns = request.getfixturevalue(labname)
    r = ns.run([prog(f"ch02/{name}")])
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    out = lines(r.stdout)
    want = [line.format(port=80) for line in CONNECT_LINES[name]]
    assert out[: len(want)] == want
    if name != "connect3":
        assert len(out) == len(want)
        return
    assert len(out) == len(want) + 2
    tail = ", 0, 0" if server == "::1" else ""  # IPv6: flow info and scope id
    ours = re.fullmatch(r"Connected from \('(.*)', (\d+)%s\)" % tail, out[-2])
    assert ours, out[-2]
    assert ours.group(1) == server
    assert int(ours.group(2)) in port_range()  # an ephemeral port: no bind()
    theirs = f"('{server}', 80)" if server == "127.0.0.1" else f"('{server}', 80, 0, 0)"
    assert out[-1] == f"Connected to {theirs}"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_connect3_prints_the_addresses_the_server_sees(host):
    """Explicit HOST PORT: the printed addresses are what the server's
    accept() and getsockname() report (Python prints them the same way)."""
    with ThreadServer(lambda conn: None, host=host) as server:
        r = run([prog("ch02/connect3"), host, server.port])
        assert r.returncode == 0, r.stderr
        server.wait_served()
        assert lines(r.stdout) == [
            "Creating socket... done.",
            "Looking up port number... done.",
            f"Connecting to remote host on port {server.port}... done.",
            f"Connected from {server.peers[0]}",
            f"Connected to {server.address}",
        ]


@pytest.mark.parametrize("name", ["connect", "connect2"])
@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_connect_with_host_and_port(web, name, host):
    r = run([prog(f"ch02/{name}"), host, web.port])
    assert r.returncode == 0, r.stderr
    assert lines(r.stdout) == [line.format(port=web.port) for line in CONNECT_LINES[name]]


def test_connect_refused_is_one_line_and_exit_1():
    with refused_port() as port:
        r = run([prog("ch02/connect"), "127.0.0.1", port])
    assert r.returncode == 1
    assert r.stdout == b"Creating socket... done.\nConnecting to remote host... "
    assert r.stderr == b"connect: connect: [Errno 111] Connection refused\n"


V6ONLY_RUNS = {
    "connect": ([], CONNECT_LINES["connect"]),
    "connect2": ([], [line.format(port=80) for line in CONNECT_LINES["connect2"]]),
    "connect3": ([], None),
    "socketerrors": (["www.google.com", "80", "/index.html"], None),
    "shutdown": (["--sleep", "0", "www.google.com", "80", "/index.html"], None),
    "shutdownfile": (["--sleep", "0", "www.google.com", "80", "/index.html"], None),
}


@pytest.mark.parametrize("name", sorted(V6ONLY_RUNS))
def test_ipv4_host_with_bindv6only(lab_v6only, name):
    """With net.ipv6.bindv6only=1 a new IPv6 socket is IPv6-only, and an
    IPv4 host (www.google.com is 127.0.0.1 here) would be unreachable
    through it: each client turns IPV6_V6ONLY off itself."""
    args, want = V6ONLY_RUNS[name]
    r = lab_v6only.run([prog(f"ch02/{name}"), *args])
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    if want is not None:
        assert lines(r.stdout) == want
    elif name == "connect3":
        assert lines(r.stdout)[-1] == "Connected to ('127.0.0.1', 80)"
    else:
        assert r.stdout.startswith(b"sleeping...\nContinuing.\n" if "shutdown" in name else b"")
        assert r.stdout.endswith(b"\r\n\r\n" + INDEX)


def test_udp_ipv4_host_with_bindv6only(lab_v6only):
    """The same for udp's datagram socket, against the lab's UDP echo server
    (socat) on 127.0.0.1 port 7."""
    p = udp_session("127.0.0.1", "7", b"v4 from v6\n", spawn=lab_v6only.spawn)
    assert p.out == UDP_PROMPT + b"Received: v4 from v6\n"


def test_connect_tries_the_first_address_only(lab):
    """localhost is ::1 and 127.0.0.1 in the lab; getaddrinfo() puts ::1
    first, and like Python's connect() the clients try that one only. A
    server on 127.0.0.1 alone is reached by its address, not by the name
    (the README's IPv6 section says so)."""
    listener = ("import socket, time\n"
                "s = socket.socket()\n"
                "s.bind(('127.0.0.1', 8002))\n"
                "s.listen()\n"
                "print('listening', flush=True)\n"
                "time.sleep(60)\n")
    with lab.spawn([PY, "-c", listener]) as server:
        server.wait_for("listening")
        by_address = lab.run([prog("ch02/connect"), "127.0.0.1", "8002"])
        by_name = lab.run([prog("ch02/connect"), "localhost", "8002"])
    assert by_address.returncode == 0, by_address.stderr
    assert by_name.returncode == 1
    assert by_name.stderr == b"connect: connect: [Errno 111] Connection refused\n"


# ------------------------------------------------------------- socketerrors


def fetch_like_reference(port, path, command):
    """Runs `command` between two plain-socket fetches of the same page; the
    program's output must equal one of them (only nginx's Date header can
    differ, and only when a second boundary falls in between)."""
    before = http_get(port, path)
    r = run(command)
    after = http_get(port, path)
    return r, (before, after)


def test_socketerrors_copies_the_page_byte_for_byte(web):
    r, refs = fetch_like_reference(web.port, "/index.html",
                                   [prog("ch02/socketerrors"), "127.0.0.1", web.port, "/index.html"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert r.stdout in refs
    assert r.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    assert r.stdout.endswith(b"\r\n\r\n" + INDEX)


def test_socketerrors_copies_a_404_page(web):
    r, refs = fetch_like_reference(web.port, "/missing",
                                   [prog("ch02/socketerrors"), "::1", str(web.port), "/missing"])
    assert r.returncode == 0, r.stderr
    assert r.stdout in refs
    assert r.stdout.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"<center><h1>404 Not Found</h1></center>" in r.stdout


def test_socketerrors_port_by_service_name(lab):
    """`http` is looked up in /etc/services: port 80, nginx in the lab."""
    r = lab.run([prog("ch02/socketerrors"), "www.google.com", "http", "/index.html"])
    assert r.returncode == 0, r.stderr
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nServer: nginx" in head
    assert body == INDEX


def error_run(command, ns=None, **kwargs):
    r = ns.run(command, **kwargs) if ns else run(command, **kwargs)
    assert r.returncode == 1, (r.stdout, r.stderr)
    return r


@pytest.mark.parametrize("name", ["socketerrors", "shutdown", "shutdownfile"])
def test_unknown_port_name(name):
    r = error_run([prog(f"ch02/{name}"), "127.0.0.1", "nosuchservice", "/"])
    assert r.stdout == b""
    assert r.stderr == b"Couldn't find your port: service/proto not found\n"


@pytest.mark.parametrize("name", ["socketerrors", "shutdown", "shutdownfile"])
def test_unknown_host(lab, name):
    """In the lab, names come from /etc/hosts only: this one is not there."""
    r = error_run([prog(f"ch02/{name}"), "no-such-host.example", "80", "/"], ns=lab)
    assert r.stdout == b""
    assert r.stderr == (b"Address-related error connecting to server:"
                        b" [Errno -2] Name or service not known\n")


@pytest.mark.parametrize("name", ["socketerrors", "shutdown", "shutdownfile"])
@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_refused_port(name, host):
    with refused_port(host) as port:
        r = error_run([prog(f"ch02/{name}"), host, port, "/"])
    assert r.stdout == b""
    assert r.stderr == b"Connection error: [Errno 111] Connection refused\n"


def reset_mid_reply(conn):
    """Reads the request, sends the start of a reply, then resets."""
    request = read_request(conn)
    assert request.startswith(b"GET /page HTTP/1.0\r\n\r\n")
    conn.sendall(b"HTTP/1.0 200 OK\r\n\r\npartial")
    reset(conn)


def test_socketerrors_server_resets_while_reply_is_read():
    """Data that arrived before the reset is still read; the next recv()
    reports the reset."""
    with ThreadServer(reset_mid_reply) as server:
        r = error_run([prog("ch02/socketerrors"), "127.0.0.1", server.port, "/page"])
        server.wait_served()
    assert r.stdout == b"HTTP/1.0 200 OK\r\n\r\npartial"
    assert r.stderr == b"Error receiving data: [Errno 104] Connection reset by peer\n"
    assert server.errors == []


@pytest.mark.parametrize("name", ["socketerrors", "shutdown", "shutdownfile"])
def test_strange_error_creating_socket(name):
    """socket() fails as when the process is out of file descriptors
    (EMFILE): a seccomp filter makes the kernel fail the call."""
    r = error_run([prog(f"ch02/{name}"), "127.0.0.1", "80", "/"],
                  preexec_fn=socket_fails_with(errno.EMFILE))
    assert r.stdout == b""
    assert r.stderr == b"Strange error creating socket: [Errno 24] Too many open files\n"


def endless_reply(conn):
    """Reads the request, then sends until the client goes away."""
    read_request(conn)
    try:
        while True:
            conn.sendall(b"x" * 65536)
    except OSError:
        pass  # the client closed: what this server waits for


@pytest.mark.parametrize("name", ["socketerrors", "shutdown", "shutdownfile"])
def test_output_closed_is_an_error(name):
    """`socketerrors ... | head -c5`: once stdout's reader has gone, writing
    fails (EPIPE) and the program stops with one line instead of reading
    the server's endless reply forever."""
    sleep = [] if name == "socketerrors" else ["--sleep", "0"]
    with ThreadServer(endless_reply) as server:
        with Proc([prog(f"ch02/{name}"), *sleep, "127.0.0.1", server.port, "/"]) as p:
            p.wait_for(b"xxxxx")
            p.p.stdout.close()  # as head does after 5 bytes
            assert p.finish() == 1
    assert p.err == b"Error writing output: [Errno 32] Broken pipe\n"


# ------------------------------------------------------ shutdown, shutdownfile


@pytest.mark.parametrize("name", ["shutdown", "shutdownfile"])
def test_shutdown_normal_run(web, name):
    r, refs = fetch_like_reference(
        web.port, "/index.html",
        [prog(f"ch02/{name}"), "--sleep", "0.1", "127.0.0.1", web.port, "/index.html"])
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert r.stdout.startswith(b"sleeping...\nContinuing.\n")
    assert r.stdout[len(b"sleeping...\nContinuing.\n"):] in refs


def test_shutdown_sends_fin_server_sees_end_of_file():
    """shutdown(SHUT_WR) is what the server sees as end of file: a server
    that reads until EOF before answering still answers."""
    def until_eof(conn):
        data = b""
        while True:
            piece = conn.recv(4096)
            if not piece:
                break
            data += piece
        conn.sendall(b"got " + str(len(data)).encode() + b" bytes\n")

    with ThreadServer(until_eof, host="::1") as server:
        r = run([prog("ch02/shutdown"), "--sleep", "0", "::1", server.port, "/x"])
        server.wait_served()
    assert r.returncode == 0, r.stderr
    request = b"GET /x HTTP/1.0\r\n\r\n"
    assert r.stdout == b"sleeping...\nContinuing.\ngot %d bytes\n" % len(request)


def break_during_sleep(name, handler, path="/"):
    """Runs `name` against a server that breaks the connection at once (with
    `handler`), making sure the break happened before the program woke."""
    with ThreadServer(handler) as server:
        with Proc([prog(f"ch02/{name}"), "--sleep", "2", "127.0.0.1", server.port, path]) as p:
            p.wait_for("sleeping...\n")
            server.wait_served()
            p.read_for(0)
            assert b"Continuing." not in p.out, "the machine is too slow for this test"
            assert p.finish() == 1
    return p


@pytest.mark.parametrize("name", ["shutdown", "shutdownfile"])
@pytest.mark.parametrize("path", ["/", "/" + "a" * 40000], ids=["short", "40001-byte-path"])
def test_server_resets_during_the_sleep(name, path):
    """The reset arrives while the client sleeps. Linux records it on the
    socket (ECONNRESET) and the first call afterwards reports it: send() for
    shutdown; for shutdownfile write(), because the book's file object,
    s.makefile('rw', 0), is unbuffered: its write() sends at once, whatever
    the length of the request, and flush() has nothing left to send."""
    p = break_during_sleep(name, reset, path=path)
    assert p.out == b"sleeping...\nContinuing.\n"
    assert p.err == b"Error sending data: [Errno 104] Connection reset by peer\n"


@pytest.mark.parametrize("name", ["shutdown", "shutdownfile"])
def test_server_closes_during_the_sleep(name):
    """The book's case: the server goes away (an ordinary close, FIN) while
    the client sleeps. send() still succeeds: the kernel takes the request;
    the server's kernel answers it with a reset, which on loopback arrives
    before send() returns, so shutdown() finds the connection gone. The
    [Errno 107] expected here depends on that loopback timing: over a real
    network the reset takes a round trip, and shutdown() usually succeeds."""
    p = break_during_sleep(name, lambda conn: conn.close())
    assert p.out == b"sleeping...\nContinuing.\n"
    assert p.err == (b"Error sending data (detected by shutdown):"
                     b" [Errno 107] Transport endpoint is not connected\n")


# --------------------------------------------------------------------- udp

UDP_PROMPT = b"Enter data to transmit: \nLooking for replies; press Ctrl-C or Ctrl-Break to stop.\n"


def udp_session(host, port, text=b"  hello, world \n", replies=1, spawn=Proc):
    """Runs udp against an echo server, waits for the replies, then Ctrl-C."""
    with spawn([prog("ch02/udp"), host, port], stdin=subprocess.PIPE) as p:
        p.p.stdin.write(text)
        p.p.stdin.close()
        p.wait_for(rb"(?:Received: [^\n]*\n){%d}" % replies)
        p.signal(signal.SIGINT)
        assert p.finish() == 0, p.err
    assert p.err == b""
    return p


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_udp_against_socat_echo(host):
    port = free_port(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    with Proc(socat_echo_command(port, host)):
        udp_probe(port, host, b"probe", want=lambda reply: reply == b"probe")
        p = udp_session(host, port)
    assert p.out == UDP_PROMPT + b"Received: hello, world\n"


def test_udp_port_by_service_name(lab):
    """`echo` is UDP port 7 in /etc/services; the lab's socat echoes on it."""
    p = udp_session("127.0.0.1", "echo", b"ping\n", spawn=lab.spawn)
    assert p.out == UDP_PROMPT + b"Received: ping\n"


def test_udp_against_udpechoserver():
    """The partner program from chapter 3."""
    with Proc([prog("ch03/udpechoserver"), "--port", "0"]) as server:
        port = server.port()
        p = udp_session("127.0.0.1", port, b"from chapter 2\n")
        server.wait_for(r"Got data from \('127\.0\.0\.1', \d+\)")
    assert p.out == UDP_PROMPT + b"Received: from chapter 2\n"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_udp_no_server_gives_connection_refused(host):
    """Nothing listens: the ICMP port unreachable comes back to the
    connected socket as ECONNREFUSED at recv()."""
    with unreachable_udp_port(host) as port:
        r = run([prog("ch02/udp"), host, port], input=b"anyone there?\n")
    assert r.returncode == 1
    assert r.stdout == UDP_PROMPT
    assert r.stderr == b"Error receiving data: [Errno 111] Connection refused\n"


def test_udp_prints_every_datagram_until_ctrl_c():
    """A server that answers one datagram with three: all are printed."""
    def three_replies(sock, data, addr):
        for i in range(3):
            sock.sendto(data + b" #" + str(i).encode(), addr)

    with ThreadServer(three_replies, kind=socket.SOCK_DGRAM) as server:
        p = udp_session("127.0.0.1", server.port, b"x\n", replies=3)
    assert p.out == UDP_PROMPT + b"Received: x #0\nReceived: x #1\nReceived: x #2\n"


def test_udp_connected_socket_drops_datagrams_from_others():
    """The server answers from a second socket first (another port), then
    from the one the client connected to: only the second reply is printed,
    because the kernel drops datagrams a connected socket did not ask for."""
    def intruder_first(sock, data, addr):
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as other:
            other.sendto(b"intruder", addr)
        sock.sendto(b"echo: " + data, addr)

    with ThreadServer(intruder_first, kind=socket.SOCK_DGRAM) as server:
        p = udp_session("127.0.0.1", server.port, b"x\n")
    assert p.out == UDP_PROMPT + b"Received: echo: x\n"
    assert server.errors == []


def echo(sock, data, addr):
    sock.sendto(data, addr)


def test_udp_empty_datagram_is_printed():
    """An empty line is sent as an empty datagram; its echo is printed as
    `Received: ` (the book's loop would stop there)."""
    with ThreadServer(echo, kind=socket.SOCK_DGRAM) as server:
        p = udp_session("127.0.0.1", server.port, b"   \n")
    assert p.out == UDP_PROMPT + b"Received: \n"
    assert server.peers  # the empty datagram did reach the server


def test_udp_long_datagram_is_cut_to_2048_bytes():
    def long_reply(sock, data, addr):
        sock.sendto(b"a" * 3000, addr)

    with ThreadServer(long_reply, kind=socket.SOCK_DGRAM) as server:
        p = udp_session("127.0.0.1", server.port, b"x\n")
    assert p.out == UDP_PROMPT + b"Received: " + b"a" * 2048 + b"\n"


# ----------------------------------------------------------------- udptime


def expected_times(before, after, tz_name):
    """time.ctime() in the given zone for every second in [before, after]."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz_name
    time.tzset()
    try:
        return {time.ctime(t) for t in range(int(before) - 1, int(after) + 2)}
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_udptime_against_xinetd(tmp_path):
    port = free_port(kind=socket.SOCK_DGRAM)
    with Proc(xinetd_command(tmp_path, port)) as xinetd:
        # Ready once its socket is bound; udptime's datagram is then the
        # first the service sees. (Probing it with datagrams first, on a
        # busy machine, twice left it answering none of udptime's.)
        wait_udp_bound(port, xinetd)
        before = time.time()
        r = run([prog("ch02/udptime"), "127.0.0.1", port], env={**os.environ, "TZ": "UTC0"})
        after = time.time()
    assert r.returncode == 0, r.stderr
    out = lines(r.stdout)
    assert out[0] == "Looking for replies; press Ctrl-C to stop."
    assert len(out) == 2
    assert out[1] in expected_times(before, after, "UTC0")


@pytest.mark.parametrize("labname, tz", [("lab", "UTC0"), ("lab", "EST5EDT"), ("lab6", "UTC0")])
def test_udptime_no_arguments_asks_time_nist_gov(request, labname, tz):
    """The book's invocation: time.nist.gov port 37, here xinetd in the lab
    (over IPv6 in lab6). The time is local time, as ctime() prints it."""
    ns = request.getfixturevalue(labname)
    before = time.time()
    r = ns.run(["env", f"TZ={tz}", prog("ch02/udptime")])
    after = time.time()
    assert r.returncode == 0, r.stderr
    out = lines(r.stdout)
    assert out[0] == "Looking for replies; press Ctrl-C to stop."
    assert len(out) == 2
    assert out[1] in expected_times(before, after, tz)


def test_udptime_prints_like_ctime():
    """A known time, in both UTC and a zone behind it; a one-digit day is
    padded with a space, as C's ctime() does."""
    secs = 1000000000 + 2208988800  # 2001-09-09 01:46:40 UTC

    def answer(sock, data, addr):
        sock.sendto(secs.to_bytes(4, "big"), addr)

    with ThreadServer(answer, host="::1", kind=socket.SOCK_DGRAM) as server:
        utc = run([prog("ch02/udptime"), "::1", server.port], env={**os.environ, "TZ": "UTC0"})
        est = run([prog("ch02/udptime"), "::1", server.port], env={**os.environ, "TZ": "EST5"})
    assert utc.returncode == 0 and est.returncode == 0
    assert utc.stdout == b"Looking for replies; press Ctrl-C to stop.\nSun Sep  9 01:46:40 2001\n"
    assert est.stdout == b"Looking for replies; press Ctrl-C to stop.\nSat Sep  8 20:46:40 2001\n"


@pytest.mark.parametrize("reply", [b"hello", b"", b"12345678"])
def test_udptime_wrong_sized_reply(reply):
    def answer(sock, data, addr):
        assert data == b""  # the request is an empty datagram
        sock.sendto(reply, addr)

    with ThreadServer(answer, kind=socket.SOCK_DGRAM) as server:
        r = run([prog("ch02/udptime"), "127.0.0.1", server.port])
    assert r.returncode == 1
    assert r.stdout == b"Looking for replies; press Ctrl-C to stop.\n"
    assert r.stderr == b"Wrong-sized reply %d: %s\n" % (len(reply), reply)
    assert server.errors == []


def test_udptime_ignores_datagrams_from_others():
    """A datagram from another port comes first; udptime does not take it
    for the server's answer, and prints the time the server sends."""
    secs = 1000000000 + 2208988800

    def junk_first(sock, data, addr):
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as other:
            other.sendto(b"junk!", addr)
        sock.sendto(secs.to_bytes(4, "big"), addr)

    with ThreadServer(junk_first, host="::1", kind=socket.SOCK_DGRAM) as server:
        r = run([prog("ch02/udptime"), "::1", server.port], env={**os.environ, "TZ": "UTC0"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"Looking for replies; press Ctrl-C to stop.\nSun Sep  9 01:46:40 2001\n"
    assert server.errors == []


def test_udptime_no_server_waits_until_ctrl_c():
    """An unconnected UDP socket hears nothing of the ICMP error: the
    program waits, as the book says, until Ctrl-C."""
    with unreachable_udp_port() as port, Proc([prog("ch02/udptime"), "127.0.0.1", port]) as p:
        p.wait_for("press Ctrl-C to stop.\n")
        p.read_for(0.3)
        assert p.p.poll() is None, "udptime should still be waiting for a reply"
        p.signal(signal.SIGINT)
        assert p.finish() == 1
    assert p.err == b"No reply.\n"


# ------------------------------------------------------------------- usage

USAGE = {
    "connect": (["a", "80", "extra"], "[HOST [PORT]]"),
    "connect2": (["a", "80", "extra"], "[HOST [PORT]]"),
    "connect3": (["a", "80", "extra"], "[HOST [PORT]]"),
    "socketerrors": (["host", "80"], "HOST PORT PATH"),
    "shutdown": (["host"], "[--sleep SECONDS] HOST PORT PATH"),
    "shutdownfile": (["--sleep", "x", "h", "80", "/"], "[--sleep SECONDS] HOST PORT PATH"),
    "udp": (["host"], "HOST PORT"),
    "udptime": (["--bogus"], "[HOST [PORT]]"),
}


@pytest.mark.parametrize("name", sorted(USAGE))
def test_usage_errors(name):
    args, synopsis = USAGE[name]
    r = run([prog(f"ch02/{name}"), *args])
    assert r.returncode == 2
    assert r.stdout == b""
    err = lines(r.stderr)
    assert err[0] == f"usage: {name} {synopsis}"
    assert err[1].startswith(f"{name}: error: ")
    help_run = run([prog(f"ch02/{name}"), "--help"])
    assert help_run.returncode == 0
    assert lines(help_run.stdout)[0] == f"usage: {name} {synopsis}"


BAD_PORT = {
    "connect": ["127.0.0.1", "nosuch"],
    "connect2": ["127.0.0.1", "nosuch"],
    "connect3": ["127.0.0.1", "nosuch"],
    "udp": ["127.0.0.1", "nosuch"],
    "udptime": ["127.0.0.1", "nosuch"],
}


@pytest.mark.parametrize("name", sorted(BAD_PORT))
def test_bad_port_is_a_usage_error(name):
    """These programs have no error handling of the book's own: a PORT that
    is neither a number nor a service is a usage error naming it, before
    anything is printed. (socketerrors, shutdown and shutdownfile print the
    book's `Couldn't find your port: ...` instead: test_unknown_port_name.)"""
    r = run([prog(f"ch02/{name}"), *BAD_PORT[name]])
    assert r.returncode == 2
    assert r.stdout == b""
    assert lines(r.stderr) == [f"usage: {name} {USAGE[name][1]}",
                               f"{name}: error: bad PORT 'nosuch': service/proto not found"]
    r = run([prog(f"ch02/{name}"), "127.0.0.1", "65536"])
    assert r.returncode == 2
    assert lines(r.stderr)[1] == f"{name}: error: bad PORT '65536': port number out of range: 65536"
