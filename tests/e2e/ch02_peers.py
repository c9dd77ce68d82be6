"""Real peers for chapter 2's clients: nginx, xinetd's time service, socat as
a UDP echo server, and small Python servers that misbehave on purpose (reset
the connection, send a wrong-sized time).

Every peer is a context manager: leaving it stops and reaps the process or
joins the thread, whatever happened in the test.
"""

import select
import socket
import struct
import threading
import time
from pathlib import Path

from harness import TIMEOUT, Proc, free_port, need, wait_port

PY = "/usr/bin/python3"  # Debian's python3 (the first on PATH may be another)

LAB_DATA = Path(__file__).resolve().parents[1] / "lab" / "ch02"
INDEX = (LAB_DATA / "www" / "index.html").read_bytes()


def lab_file(name, **values):
    """One of chapter 2's lab files (tests/lab/ch02), its @NAME@ filled in
    from `values` (lab="/tmp/x" fills @LAB@)."""
    text = (LAB_DATA / name).read_text()
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", str(value))
    return text


def nginx_command(workdir, port):
    """The lab's nginx configuration (tests/lab/ch02/nginx.conf), serving a
    copy of its page at /index.html on `port` of 127.0.0.1 and ::1, written
    under `workdir`; returns the command that runs it in the foreground."""
    nginx = need("nginx")
    workdir = Path(workdir)
    (workdir / "www").mkdir(parents=True, exist_ok=True)
    (workdir / "www" / "index.html").write_bytes(INDEX)
    conf = workdir / "nginx.conf"
    conf.write_text(lab_file("nginx.conf", lab=workdir, root=workdir / "www", port=port))
    return [nginx, "-e", workdir / "nginx-error.log", "-p", workdir, "-c", conf, "-g", "daemon off;"]


class Nginx:
    """nginx on a free port of 127.0.0.1 and ::1, in the host's network."""

    def __init__(self, workdir):
        self.port = free_port()
        self.proc = Proc(nginx_command(workdir, self.port))
        try:
            wait_port(self.port, proc=self.proc)
        except BaseException:
            self.proc.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stop()


def http_get(port, path, host="127.0.0.1"):
    """The reply to the request socketerrors sends, read with a plain socket."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            piece = s.recv(65536)
            if not piece:
                return data
            data += piece


def ns_wait_port(ns, port, host="127.0.0.1", kind="tcp"):
    """Waits, inside a Namespace, until a TCP port accepts connections (or,
    for kind="time" or "echo", until a UDP server answers a datagram)."""
    script = f"""
import socket, sys, time
deadline = time.monotonic() + {TIMEOUT}
while time.monotonic() < deadline:
    try:
        if {kind!r} == "tcp":
            socket.create_connection(({host!r}, {port}), timeout=1).close()
        else:
            s = socket.socket(socket.AF_INET6 if ":" in {host!r} else socket.AF_INET,
                              socket.SOCK_DGRAM)
            s.settimeout(0.2)
            s.sendto(b"" if {kind!r} == "time" else b"probe", ({host!r}, {port}))
            s.recv(16)
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
"""
    r = ns.run([PY, "-c", script], timeout=TIMEOUT + 5)
    assert r.returncode == 0, f"nothing answers on {host}:{port} in the lab"


def udp_probe(port, host, payload=b"", want=None, timeout=TIMEOUT):
    """Sends `payload` to a UDP server until a reply comes (the server may
    still be starting); returns the reply. `want` checks each reply."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + timeout
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((host, port))
        while time.monotonic() < deadline:
            try:
                s.send(payload)
                ready, _, _ = select.select([s], [], [], 0.2)
                if ready:
                    reply = s.recv(65536)
                    if want is None or want(reply):
                        return reply
            except ConnectionRefusedError:
                time.sleep(0.05)  # not bound yet: the ICMP came back
    raise AssertionError(f"no UDP reply from {host}:{port} within {timeout}s")


def wait_udp_bound(port, proc, timeout=TIMEOUT):
    """Waits until a UDP socket is bound to `port` (/proc/net/udp and udp6,
    as the lab's starter waits for xinetd), without sending it anything."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.p.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited: {proc.err!r}")
        for table in ("/proc/net/udp", "/proc/net/udp6"):
            with open(table) as f:
                if any(int(line.split()[1].rsplit(":", 1)[1], 16) == port for line in list(f)[1:]):
                    return
        time.sleep(0.05)  # polling the kernel's table
    raise AssertionError(f"nothing bound UDP port {port} within {timeout}s")


def xinetd_command(workdir, port, host="127.0.0.1"):
    """xinetd with only its built-in RFC 868 time service (UDP) on host:port:
    the lab's configuration (tests/lab/ch02/xinetd.conf) on another port."""
    xinetd = need("xinetd")
    conf = Path(workdir) / "xinetd.conf"
    conf.write_text(lab_file("xinetd.conf", address=host, port=port))
    return [xinetd, "-dontfork", "-f", conf, "-pidfile", Path(workdir) / "xinetd.pid",
            "-filelog", Path(workdir) / "xinetd.log"]


def socat_echo_command(port, host):
    """socat as a UDP echo server: every datagram goes back to its sender."""
    socat = need("socat")
    if ":" in host:
        return [socat, f"UDP6-RECVFROM:{port},bind=[{host}],fork", "PIPE"]
    return [socat, f"UDP4-RECVFROM:{port},bind={host},fork", "PIPE"]


class ThreadServer:
    """A small Python server in a thread, for the peers no package offers.

    TCP: accepts connections and calls handler(conn) for each; UDP: calls
    handler(sock, data, addr) for each datagram. `peers` lists the clients'
    addresses as Python prints them; `served` is set after each handler.
    """

    def __init__(self, handler, host="127.0.0.1", kind=socket.SOCK_STREAM):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, kind)
        self.sock.bind((host, 0))
        if kind == socket.SOCK_STREAM:
            self.sock.listen(5)
        self.sock.settimeout(0.1)
        self.address = self.sock.getsockname()
        self.port = self.address[1]
        self.kind = kind
        self.handler = handler
        self.peers = []
        self.served = threading.Event()
        self.errors = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                if self.kind == socket.SOCK_STREAM:
                    conn, addr = self.sock.accept()
                else:
                    data, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError as e:
                self.errors.append(e)
                return
            self.peers.append(str(addr))
            try:
                if self.kind == socket.SOCK_STREAM:
                    conn.settimeout(TIMEOUT)
                    with conn:
                        self.handler(conn)
                else:
                    self.handler(self.sock, data, addr)
            except Exception as e:  # an assertion in a handler too
                self.errors.append(e)
            self.served.set()

    def wait_served(self):
        assert self.served.wait(TIMEOUT), "the server was not reached in time"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(TIMEOUT)
        self.sock.close()


def reset(conn):
    """Closes with SO_LINGER 0: the kernel sends RST instead of FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def read_request(conn):
    """Reads an HTTP request head (up to the blank line)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(4096)
        if not piece:
            break
        data += piece
    return data


# System call numbers of socket() and the audit arch codes seccomp reports.
SOCKET_SYSCALL = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


def socket_fails_with(err):
    """A preexec_fn that makes every socket() of the program fail with errno
    `err` (a seccomp filter, which the kernel keeps across exec): the way to
    see socket() fail, since a descriptor limit low enough for EMFILE stops
    the dynamic loader before the program starts."""
    import ctypes
    import platform

    arch, nr = SOCKET_SYSCALL[platform.machine()]

    class Insn(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte),
                    ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Insn))]

    ld, jeq, ret = 0x20, 0x15, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_RET|K
    code = (Insn * 6)(
        Insn(ld, 0, 0, 4),          # A = seccomp_data.arch
        Insn(jeq, 0, 3, arch),      # another ABI: allow
        Insn(ld, 0, 0, 0),          # A = seccomp_data.nr
        Insn(jeq, 0, 1, nr),        # socket()?
        Insn(ret, 0, 0, 0x00050000 | err),  # SECCOMP_RET_ERRNO | err
        Insn(ret, 0, 0, 0x7FFF0000),        # SECCOMP_RET_ALLOW
    )
    prog = Prog(len(code), code)

    def preexec():
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, FILTER
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")

    return preexec
