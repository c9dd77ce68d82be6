"""Chapter 1 end to end: the Gopher clients against real Gopher servers
(gophernicus and pygopherd), download against a real HTTP server, and the
server against real clients (raw sockets and nc).

The reference for every Gopher reply is curl, a real Gopher client: each
workbook client must print exactly the bytes curl received.
"""

import contextlib
import hashlib
import os
import signal
import socket
import struct
import subprocess
import threading

import pytest

from harness import (
    SOURCE, Lab, Namespace, Proc, connect, free_port, gophernicus_namespaces, need, prog, recv_all, run, wait_port,
)

GOPHER_CLIENTS = ["gopherclient", "gopherclient2", "gopherclient3", "gopherlibclient", "urlclient"]
ALL_PROGRAMS = GOPHER_CLIENTS + ["download", "server"]
TEXT = b"Hello, Gopher.\nThis is a text file.\n"
BINARY = bytes(range(256)) + b"\r\n\n\r\0\0CR LF NUL\r\x00\n" * 100


# ------------------------------------------------------------------ peers

@pytest.fixture(scope="module")
def gopher_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gopher")
    (root / "file.txt").write_bytes(TEXT)
    (root / "bin.dat").write_bytes(BINARY)
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_bytes(b"inside\n")
    # gophernicus serves only world-readable files and folders: open up what
    # we made here, and nothing above it (never a parent we did not create)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def gophernicus_on(root, host, port):
    """gophernicus has no listen mode: socat accepts and runs it per client.
    `nofork` hands it the real TCP socket (without it socat relays through a
    socketpair and may drop a reply sent just before gophernicus exits)."""
    need("socat", "gophernicus")
    listen = f"TCP6-LISTEN:{port},bind=[{host}]" if ":" in host else f"TCP-LISTEN:{port},bind={host}"
    name = "localhost" if ":" in host else host  # socat's EXEC: cannot take "::1"
    cmd = f"/usr/sbin/gophernicus -h {name} -p {port} -r {root} -nv -nr -nf -nd -ns"
    return Proc([*gophernicus_namespaces(), "socat", f"{listen},reuseaddr,fork", f"EXEC:{cmd},nofork"])


@pytest.fixture(scope="module")
def gophernicus(gopher_root):
    port = free_port()
    with gophernicus_on(gopher_root, "127.0.0.1", port) as server:
        wait_port(port, proc=server)
        yield port


@pytest.fixture(scope="module")
def pygopherd(tmp_path_factory, gopher_root):
    need("pygopherd")
    work = tmp_path_factory.mktemp("pygopherd")
    port = free_port()
    settings = {
        "port": str(port), "interface": "127.0.0.1", "servername": "127.0.0.1",
        "root": str(gopher_root), "usechroot": "no", "logmethod": "none",
        "pidfile": str(work / "pid"), "detach": "no",
        # No directory cache: wait_port()'s probe is itself a request for the
        # root menu, and a forked pygopherd child writing .cache.pygopherd.dir
        # races the next child reading it (EOFError: an empty reply).
        "cachetime": "0",
    }
    lines = []
    for line in open("/etc/pygopherd/pygopherd.conf"):
        key = line.split("=")[0].strip()
        lines.append(f"{key} = {settings.pop(key)}\n" if key in settings else line)
    lines += [f"{k} = {v}\n" for k, v in settings.items()]
    (work / "pygopherd.conf").write_text("".join(lines))
    with Proc(["pygopherd", work / "pygopherd.conf"]) as server:
        wait_port(port, proc=server)
        yield port


def curl_gopher(host, port, selector):
    """What curl, a real Gopher client, receives for this selector."""
    need("curl")
    h = f"[{host}]" if ":" in host else host
    r = run(["curl", "-sS", f"gopher://{h}:{port}/1{selector}"])
    assert r.returncode == 0, r.stderr
    return r.stdout


def fetch(client, host, port, selector):
    return run([prog(f"ch01/{client}"), "--port", port, host, selector])


# ------------------------------------------------------------------ Gopher clients

# What each server must send for each selector (besides matching curl).
GOPHER_CASES = {
    "gophernicus": [
        ("/", b"0file.txt\t/file.txt\t127.0.0.1\t"),     # a menu
        ("/file.txt", TEXT.replace(b"\n", b"\r\n")),    # served as text: CR LF
        ("/bin.dat", BINARY),                            # CR, LF and NUL bytes
        ("/nothere", b"Error: File or directory not found!"),
    ],
    "pygopherd": [
        ("", b"0file\t/file.txt\t"),                     # its menus drop extensions
        ("/file.txt", b"Hello, Gopher."),
        ("/bin.dat", BINARY),
        ("/nothere", b"3"),                              # a Gopher error item
    ],
}


@pytest.mark.parametrize("client", GOPHER_CLIENTS)
@pytest.mark.parametrize("server,selector,expect", [
    (server, selector, expect) for server, cases in GOPHER_CASES.items() for selector, expect in cases
])
def test_gopher_clients_match_curl(request, server, client, selector, expect):
    port = request.getfixturevalue(server)
    r = fetch(client, "127.0.0.1", port, selector)
    assert (r.returncode, r.stderr) == (0, b"")
    assert r.stdout == curl_gopher("127.0.0.1", port, selector)
    assert expect in r.stdout


@pytest.fixture(scope="module")
def lab():
    """Chapter 1's lab (tests/lab/ch01): gophernicus as quux.org port 70."""
    with Lab("ch01") as lab:
        yield lab


@pytest.mark.parametrize("client", GOPHER_CLIENTS)
def test_the_books_invocation_in_the_lab(lab, client):
    """`gopherclient quux.org /hello.txt`, as the book runs it: the lab's
    gophernicus is quux.org, so the document is the lab's own file (sent
    with CR LF line ends, as Gopher text is)."""
    r = lab.run([prog(f"ch01/{client}"), "quux.org", "/hello.txt"])
    assert r.returncode == 0, r.stderr
    text = (SOURCE / "tests/lab/ch01/gopher/hello.txt").read_bytes()
    assert r.stdout == text.replace(b"\n", b"\r\n")


def test_the_labs_menu_names_quux_org(lab):
    r = lab.run([prog("ch01/gopherclient"), "quux.org", "/"])
    assert r.returncode == 0, r.stderr
    assert b"0hello.txt\t/hello.txt\tquux.org\t70\r\n" in r.stdout
    assert r.stdout.endswith(b".\r\n")


@pytest.mark.parametrize("client", GOPHER_CLIENTS)
def test_gopher_clients_over_ipv6(gopher_root, client):
    port = free_port(socket.AF_INET6)
    with gophernicus_on(gopher_root, "::1", port) as server:
        wait_port(port, host="::1", proc=server)
        r = fetch(client, "::1", port, "/file.txt")
        assert (r.returncode, r.stdout, r.stderr) == (0, TEXT.replace(b"\n", b"\r\n"), b"")


def test_selector_with_url_special_characters(gophernicus, gopher_root):
    # gophernicus lists "odd name #1.txt" under the selector
    # "/odd#040name#040#0431.txt": the URL-based clients must escape "#".
    (gopher_root / "odd name #1.txt").write_bytes(b"odd\n")
    (gopher_root / "odd name #1.txt").chmod(0o644)
    menu = curl_gopher("127.0.0.1", gophernicus, "/")
    selector = next(line.split(b"\t")[1] for line in menu.splitlines() if line.startswith(b"0odd"))
    assert b"#" in selector
    for client in GOPHER_CLIENTS:
        r = fetch(client, "127.0.0.1", gophernicus, selector.decode())
        assert (client, r.returncode, r.stdout) == (client, 0, b"odd\r\n")


# ------------------------------------------------------------------ download

@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """Python's http.server: a real HTTP server, on 127.0.0.1 and ::1."""
    root = tmp_path_factory.mktemp("web")
    big = os.urandom(3 * 1024 * 1024 + 17)
    (root / "big.bin").write_bytes(big)
    (root / "page.html").write_bytes(b"<html><body>hello</body></html>\n")
    ports = {}
    with contextlib.ExitStack() as servers:
        for host in ("127.0.0.1", "::1"):
            port = free_port(socket.AF_INET6 if ":" in host else socket.AF_INET)
            p = servers.enter_context(Proc(["/usr/bin/python3", "-m", "http.server", port,
                                            "--bind", host, "--directory", root]))
            wait_port(port, host=host, proc=p)
            ports[host] = port
        yield ports, hashlib.sha256(big).hexdigest()


def test_download_a_large_file(web):
    ports, digest = web
    r = run([prog("ch01/download"), f"http://127.0.0.1:{ports['127.0.0.1']}/big.bin"])
    assert (r.returncode, r.stderr) == (0, b"")
    assert len(r.stdout) == 3 * 1024 * 1024 + 17
    assert hashlib.sha256(r.stdout).hexdigest() == digest


def test_download_over_ipv6(web):
    ports, _ = web
    r = run([prog("ch01/download"), f"http://[::1]:{ports['::1']}/page.html"])
    assert (r.returncode, r.stdout, r.stderr) == (0, b"<html><body>hello</body></html>\n", b"")


def test_download_404_is_an_error(web):
    ports, _ = web
    r = run([prog("ch01/download"), f"http://127.0.0.1:{ports['127.0.0.1']}/missing"])
    assert r.returncode == 1
    assert r.stdout == b""
    assert r.stderr == b"download: The requested URL returned error: 404\n"


def test_download_speaks_gopher_too(gophernicus):
    r = run([prog("ch01/download"), f"gopher://127.0.0.1:{gophernicus}/0/bin.dat"])
    assert (r.returncode, r.stdout, r.stderr) == (0, BINARY, b"")


def test_download_bad_url():
    r = run([prog("ch01/download"), "nosuchscheme://x/"])
    assert r.returncode == 1
    assert r.stderr.startswith(b"download: Protocol \"nosuchscheme\" not supported")
    assert r.stderr.count(b"\n") == 1


# ------------------------------------------------------------------ server

@pytest.fixture
def server():
    with Proc([prog("ch01/server"), "--port", "0"]) as p:
        port = p.port(rb"Server is running on port (\d+); press Ctrl-C to terminate\.\n")
        p.port_number = port
        yield p


def converse(port, line, host="127.0.0.1"):
    with connect(port, host) as s:
        me = s.getsockname()
        s.sendall(line)
        return me, recv_all(s)


def expected_reply(addr, line):
    return (f"Welcome, {addr}\nPlease enter a string: "
            f"You entered {len(line.strip())} characters.\n").encode()


def test_server_banner_is_exact(server):
    port = server.port_number
    assert server.out == f"Server is running on port {port}; press Ctrl-C to terminate.\n".encode()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_server_greets_with_the_client_address(server, host):
    me, reply = converse(server.port_number, b"  Hello, world!\t\r\n", host)
    addr = f"('{me[0]}', {me[1]})" if host == "127.0.0.1" else f"('::1', {me[1]}, 0, 0)"
    assert reply == expected_reply(addr, b"Hello, world!")


def test_server_with_nc(server):
    nc = need("nc")
    r = run([nc, "-q", "2", "127.0.0.1", server.port_number], input=b"twelve chars\n")
    assert r.returncode == 0
    assert r.stdout.startswith(b"Welcome, ('127.0.0.1', ")
    assert r.stdout.endswith(b")\nPlease enter a string: You entered 12 characters.\n")


def test_server_survives_bad_clients(server):
    port = server.port_number
    # 1. hangs up before sending a line
    connect(port).close()
    # 2. resets the connection at once
    s = connect(port)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    # 3. sends 1 MiB with no newline: the server reads one 64 KiB piece,
    #    answers, and closes with the rest unread (so the kernel resets)
    with connect(port) as s:
        t = threading.Thread(target=lambda: _send_quietly(s, b"x" * (1 << 20)))
        t.start()
        reply = recv_all(s, reset_ok=True)
        t.join(10)
    assert reply.endswith(b"Please enter a string: You entered 65536 characters.\n"), reply[-80:]
    # 4. binary garbage
    me, reply = converse(port, bytes(range(256)) * 4 + b"\n")
    assert reply.startswith(f"Welcome, ('127.0.0.1', {me[1]})\n".encode())
    # ... and the next client is served correctly
    me, reply = converse(port, b"still here\n")
    assert reply == expected_reply(f"('127.0.0.1', {me[1]})", b"still here")
    assert server.p.poll() is None


def _send_quietly(sock, data):
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server may drop us: that is allowed


def test_server_ctrl_c_ends_it_cleanly(server):
    server.signal(signal.SIGINT)
    assert server.finish() == 0
    assert server.err == b""


def test_server_default_port_is_51423():
    # Port 51423 is only free for sure inside a private network namespace.
    need("nc")
    with Namespace() as ns:
        with ns.spawn([prog("ch01/server")]) as p:
            p.wait_for(rb"Server is running on port 51423; press Ctrl-C to terminate\.\n")
            r = ns.run(["nc", "-q", "2", "127.0.0.1", "51423"], input=b"abc\n")
            assert r.returncode == 0
            assert r.stdout.endswith(b"Please enter a string: You entered 3 characters.\n")


def test_server_ctrl_c_during_a_conversation(server):
    """Ctrl-C while a client is connected but silent still ends it cleanly."""
    with connect(server.port_number) as s:
        greeting = b""
        while not greeting.endswith(b"Please enter a string: "):
            greeting += s.recv(1024)
        server.signal(signal.SIGINT)
        assert server.finish() == 0
    assert server.err == b""


def test_server_port_in_use(server):
    port = server.port_number
    r = run([prog("ch01/server"), "--port", port])
    assert r.returncode == 1
    assert r.stderr == f"server: bind to port {port}: [Errno 98] Address already in use\n".encode()


def test_server_bad_port():
    r = run([prog("ch01/server"), "--port", "nosuchservice"])
    assert r.returncode == 2
    assert r.stderr == (b"usage: server [--port PORT]\n"
                        b"server: error: bad --port 'nosuchservice': service/proto not found\n")
    r = run([prog("ch01/server"), "--port", "70000"])
    assert r.returncode == 2
    assert r.stderr.endswith(b"server: error: bad --port '70000': port number out of range: 70000\n")


# ------------------------------------------------------------------ bad input

USAGE = {name: f"usage: {name} [--port PORT] HOST SELECTOR\n" for name in GOPHER_CLIENTS}
USAGE["download"] = "usage: download URL\n"
USAGE["server"] = "usage: server [--port PORT]\n"


@pytest.mark.parametrize("name", ALL_PROGRAMS)
def test_usage_errors_exit_2(name):
    for args in ([], ["a"], ["a", "b", "c"], ["--bogus", "a", "b"]):
        if name == "server" and not args:
            continue  # the server takes no arguments: nothing missing
        if name == "download" and args == ["a"]:
            continue
        r = run([prog(f"ch01/{name}"), *args])
        assert r.returncode == 2, (args, r)
        assert r.stdout == b""
        lines = r.stderr.decode().splitlines(keepends=True)
        assert lines[0] == USAGE[name] and len(lines) == 2 and lines[1].startswith(f"{name}: error: ")


@pytest.mark.parametrize("name", ALL_PROGRAMS)
def test_help_exit_0(name):
    r = run([prog(f"ch01/{name}"), "--help"])
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout.startswith(USAGE[name].encode())


@pytest.mark.parametrize("name", GOPHER_CLIENTS)
def test_bad_port_option(name):
    r = run([prog(f"ch01/{name}"), "--port", "gopherx", "h", "/"])
    assert r.returncode == 2
    assert r.stderr.endswith(f"{name}: error: bad --port 'gopherx': service/proto not found\n".encode())


UNKNOWN_HOST = {
    "gopherclient": b"gopherclient: getaddrinfo: [Errno -2] Name or service not known\n",
    "gopherclient2": b"Error connecting to server: [Errno -2] Name or service not known\n",
    "gopherclient3": b"gopherclient3: getaddrinfo: [Errno -2] Name or service not known\n",
    "gopherlibclient": b"gopherlibclient: Could not resolve host: nosuch.example.test\n",
    "urlclient": b"urlclient: Could not resolve host: nosuch.example.test\n",
}


def test_unknown_host():
    # Inside the lab: names come from its own /etc/hosts only, so the lookup
    # fails at once and no query leaves the machine.
    files = {"/etc/nsswitch.conf": "hosts: files\n", "/etc/resolv.conf": "nameserver 127.0.0.1\n"}
    with Namespace(files) as ns:
        for name, message in UNKNOWN_HOST.items():
            r = ns.run([prog(f"ch01/{name}"), "nosuch.example.test", "/"])
            assert (name, r.returncode, r.stdout, r.stderr) == (name, 1, b"", message)
        r = ns.run([prog("ch01/download"), "http://nosuch.example.test/"])
        assert (r.returncode, r.stderr) == (1, b"download: Could not resolve host: nosuch.example.test\n")


@pytest.mark.parametrize("name", GOPHER_CLIENTS)
def test_refused_connection(name):
    port = free_port()
    r = fetch(name, "127.0.0.1", port, "/")
    assert r.returncode == 1 and r.stdout == b""
    if name.startswith("gopherclient"):
        assert r.stderr == f"{name}: connect: [Errno 111] Connection refused\n".encode()
    else:
        assert r.stderr.startswith(f"{name}: Failed to connect to 127.0.0.1 port {port}".encode())
        assert r.stderr.endswith(b": Couldn't connect to server\n")


class OneShot:
    """A raw TCP peer on a free port that reads the request, then either
    closes politely (FIN) or resets the connection (RST)."""

    def __init__(self, reset):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.reset = reset
        self.request = b""
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(20)
        conn, _ = self.sock.accept()
        while not self.request.endswith(b"\r\n"):
            piece = conn.recv(1024)
            if not piece:
                break
            self.request += piece
        if self.reset:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def close(self):
        self.thread.join(20)
        self.sock.close()


def fetch_from_one_shot(name, reset):
    """Runs client `name` against a OneShot peer: (its result, the request)."""
    peer = OneShot(reset)
    try:
        r = fetch(name, "127.0.0.1", peer.port, "/sel")
    finally:
        peer.close()
    return r, peer.request


@pytest.mark.parametrize("name", GOPHER_CLIENTS)
def test_server_that_closes_without_a_reply(name):
    r, request = fetch_from_one_shot(name, reset=False)
    assert request == b"/sel\r\n"
    assert (r.returncode, r.stdout, r.stderr) == (0, b"", b"")


@pytest.mark.parametrize("name", ["gopherclient", "gopherclient2", "gopherclient3"])
def test_server_that_resets(name):
    r, request = fetch_from_one_shot(name, reset=True)
    assert request == b"/sel\r\n"
    assert r.returncode == 1
    assert r.stderr == f"{name}: recv: [Errno 104] Connection reset by peer\n".encode()


def test_download_progress_meter_only_on_a_terminal(web):
    """With stderr on a terminal, libcurl's progress meter appears there;
    stdout still carries exactly the file."""
    import pty
    ports, digest = web
    url = f"http://127.0.0.1:{ports['127.0.0.1']}/big.bin"
    controller, terminal = pty.openpty()
    try:
        p = subprocess.run([prog("ch01/download"), url], stdout=subprocess.PIPE,
                           stderr=terminal, timeout=20)
        os.close(terminal)
        terminal = None
        shown = b""
        while True:
            try:
                piece = os.read(controller, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not piece:
                break
            shown += piece
    finally:
        if terminal is not None:
            os.close(terminal)
        os.close(controller)
    assert p.returncode == 0
    assert hashlib.sha256(p.stdout).hexdigest() == digest
    assert b"% Total" in shown and b"Speed" in shown  # curl's meter header
