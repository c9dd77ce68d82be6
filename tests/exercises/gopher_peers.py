"""Gopher peers for the chapter 1 exercise graders (ch01-gophermenu,
ch01-gopherwalk): gophernicus serving a folder the grader builds, curl as the
reference client, small Gopher servers in threads that misbehave on purpose,
the menu rules the exercises share, and a meter for peak memory.

Every peer is a context manager: leaving it stops and reaps the process or
joins the thread, and removes the folder it made.
"""

import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

from harness import TIMEOUT, Proc, free_port, gophernicus_namespaces, need, wait_port

KINDS = {"0": "text", "1": "menu", "7": "search", "9": "binary", "h": "html"}


# ---------------------------------------------------------- the menu rules

def menu_lines(reply):
    """The lines of a menu as the exercises read it: CR LF or bare LF ends a
    line, a line holding only "." ends the menu (the rest is not read)."""
    lines = []
    for line in reply.split(b"\n")[:-1]:
        line = line[:-1] if line.endswith(b"\r") else line
        if line == b".":
            break
        lines.append(line)
    return lines


def render_menu(reply):
    """What gophermenu prints for a well-formed menu."""
    out, number = [], 0
    for line in menu_lines(reply):
        display = line.split(b"\t")[0][1:]
        if line[:1] == b"i":
            out.append(b"    " + display)
        else:
            number += 1
            kind = KINDS.get(chr(line[0]), "type " + chr(line[0])).encode()
            out.append(b"%d. [%s] %s" % (number, kind, display))
    return b"".join(line + b"\n" for line in out)


def item_number(reply, display):
    """The number gophermenu gives the item whose display string is
    `display` (info lines not counted)."""
    number = 0
    for line in menu_lines(reply):
        if line[:1] != b"i":
            number += 1
            if line.split(b"\t")[0][1:] == display.encode():
                return number
    raise AssertionError(f"the grader found no item {display!r} in the menu {reply!r}")


def item_count(reply):
    return sum(1 for line in menu_lines(reply) if line[:1] != b"i")


# ----------------------------------------------------------- gophernicus

class Gophernicus:
    """gophernicus serving `files` ({"docs/a.txt": b"...", "map/gophermap":
    b"..."}) from a folder of its own, under socat on a free port of
    127.0.0.1. gophernicus serves only world-readable files and folders: the
    folder is made here (mkdtemp) and opened up, nothing above it is touched."""

    def __init__(self, files):
        need("socat", "gophernicus")
        self.root = Path(tempfile.mkdtemp(prefix="workbook-gopher-"))
        self.proc = None
        try:
            self.root.chmod(0o755)
            for name, data in files.items():
                path = self.root / name
                for folder in reversed(path.relative_to(self.root).parents[:-1]):
                    (self.root / folder).mkdir(exist_ok=True)
                    (self.root / folder).chmod(0o755)
                path.write_bytes(data)
                path.chmod(0o644)
            self.port = free_port()
            cmd = (f"/usr/sbin/gophernicus -h 127.0.0.1 -p {self.port} -r {self.root}"
                   " -nv -nr -nf -nd -ns")
            self.proc = Proc([*gophernicus_namespaces(), "socat",
                              f"TCP-LISTEN:{self.port},bind=127.0.0.1,reuseaddr,fork",
                              f"EXEC:{cmd},nofork"])
            wait_port(self.port, proc=self.proc)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.proc is not None:
            self.proc.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def curl(port, url_path):
    """What curl, a real Gopher client, receives for gopher://127.0.0.1:PORT/URL_PATH
    (URL_PATH starts with the item type: "1/docs/", "9/file.bin")."""
    need("curl")
    r = subprocess.run(["curl", "-sS", f"gopher://127.0.0.1:{port}/{url_path}"],
                       capture_output=True, timeout=TIMEOUT)
    assert r.returncode == 0, f"curl failed: {r.stderr!r}"
    return r.stdout


# ------------------------------------------------- the grader's own servers

class GopherServer:
    """A Gopher server in a thread, one client at a time, on `host` (any
    127.x.y.z) and a free port. `reply(selector, conn)` answers: it sends
    what it likes on conn and returns; the connection is closed after it.
    `requests` lists what each client sent (bytes, up to the LF)."""

    def __init__(self, reply, host="127.0.0.1"):
        self.reply = reply
        self.host = host
        self.requests = []
        self.errors = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError as e:
                self.errors.append(e)
                return
            with conn:
                conn.settimeout(TIMEOUT)
                try:
                    request = b""
                    while not request.endswith(b"\n") and len(request) < 4096:
                        piece = conn.recv(4096 - len(request))
                        if not piece:
                            break
                        request += piece
                    self.requests.append(request)
                    self.reply(request.rstrip(b"\r\n").decode("latin-1"), conn)
                except OSError:
                    pass  # the client went away: what it printed tells

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(TIMEOUT)
        self.sock.close()


def fixed(data):
    """A reply(): sends `data` whatever the selector, then closes."""
    def reply(selector, conn):
        conn.sendall(data)
    return reply


def menus(table):
    """A reply(): the bytes table[selector], or a Gopher error item."""
    def reply(selector, conn):
        conn.sendall(table.get(selector, b"3No such selector\t\terror.host\t1\r\n.\r\n"))
    return reply


# ------------------------------------------------------- a memory meter

def peak_memory(pid):
    """A running process's peak resident memory so far, in KiB (VmHWM in
    /proc/PID/status). Read while it runs: after it exits, wait4()'s
    ru_maxrss would also count the grader's own memory, copied at fork()."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM in /proc/{pid}/status")
