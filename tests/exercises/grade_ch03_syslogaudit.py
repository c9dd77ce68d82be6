"""Grader of ch03-syslogaudit: a TCP server that records every client in
syslog: its connection, each line it sends (escaped, cut at 1024 bytes),
its closing, and errors at warning.

The syslog daemon is real: rsyslogd or busybox syslogd, owning /dev/log in
a private mount namespace (ch03_peers.SyslogLab), storing each entry as
`FACILITY.SEVERITY TAG: TEXT`, control characters as they come. The server
runs inside it with --port 0; the clients are raw sockets on loopback.
Every stored entry is compared with what the client sent, client by client
(entries that name no client are forgeries or broken entries, and fail).
"""

import os
import re
import socket
import struct
import sys
import threading
import time
from pathlib import Path

from grading import Program, command_line, fail, first_difference, stage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from ch03_peers import SyslogLab  # noqa: E402

WAIT = 5  # seconds: the bound on each wait for an entry, a reply or an exit
BUSYBOX_PREFIX = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ")  # its date and host
ENTRY = re.compile(r"^(\w+)\.(\w+) (\S+?): (.*)$")
DAEMON_NAMES = {"rsyslog": "rsyslogd", "busybox": "busybox syslogd"}


def shown(text):
    """An entry as the student should read it: the log's own text, with any
    raw byte outside printable ASCII shown as <0xHH>."""
    return "".join(c if " " <= c <= "~" else f"<0x{ord(c):02x}>" for c in text)


class Audit:
    """The graded server inside a SyslogLab; .port is the port it announced."""

    def __init__(self, program, daemon="rsyslog", args=()):
        # Under AddressSanitizer freed memory waits in a quarantine, which
        # would count as growth in stage 4: no quarantine here (programs
        # built without the sanitizer ignore the variable).
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=0",
                                                      "thread_local_quarantine_size_kb=0"]))
        self.args = [program, "--port", "0", *args]
        self.did = (f"{command_line(self.args)}, its /dev/log the socket of {DAEMON_NAMES[daemon]}"
                    " (a private mount namespace)")
        self.lab = SyslogLab(daemon)
        try:
            self.prog = Program(self.args, ns=self.lab, env=env)
            self.port = self.prog.wait_port()
            self.pid = self.prog.own_pid()  # as its syslog tag says it: syslogaudit[PID]
        except BaseException:
            self.lab.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.prog.stop()
        self.lab.close()

    def entries(self):
        """Every stored entry but the daemon's own, as 'facility.severity
        TEXT'; an entry of another ident keeps its tag, a line that is no
        entry at all is marked so."""
        raw = self.lab.file.read_bytes().decode("latin-1") if self.lab.file.exists() else ""
        out = []
        for line in raw.split("\n")[:-1]:
            line = BUSYBOX_PREFIX.sub("", line)
            if line.startswith("syslog."):
                continue  # the daemon's own start-up line
            m = ENTRY.match(line)
            if not m:
                out.append(f"(not an entry) {line}")
                continue
            facility, severity, tag, text = m.groups()
            severity = {"warn": "warning"}.get(severity, severity)  # busybox says warn
            if tag in ("syslogaudit", f"syslogaudit[{self.pid}]"):
                out.append(f"{facility}.{severity} {text}")
            else:
                out.append(f"{facility}.{severity} (ident {tag}:) {text}")
        return out

    def wait_entries(self, pattern, count, waiting_for, sent=None):
        """Waits until `count` entries match the regex; returns all entries."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + WAIT
        while True:
            got = self.entries()
            if sum(1 for e in got if rx.search(e)) >= count:
                return got
            if not self.prog.running():  # the daemon may still be storing its last entries
                deadline = min(deadline, time.monotonic() + 0.5)
            if time.monotonic() > deadline:
                ended = "" if self.prog.running() else "; the server has ended"
                fail(f"waited for {waiting_for} in the log; it never came{ended}", did=self.did, sent=sent,
                     got="\n            ".join(shown(e) for e in got) or "no entry at all",
                     result=self.prog.result)
            time.sleep(0.05)  # polling the daemon's file

    def check(self, expected, sent, did_more=""):
        """Compares the stored entries with `expected`: {client address:
        [entry, ...]} (an entry may be a compiled regex); every stored entry
        must belong to a client."""
        got = self.entries()
        did = self.did + did_more
        for entry in got:
            if not entry.split(" ", 1)[1].startswith("(ident") and any(a in entry for a in expected):
                continue
            fail("the log holds an entry that is not one of the server's entries about a client:"
                 " a forged or broken entry, or another ident", did=did, sent=sent,
                 expected="only entries `FACILITY.SEVERITY syslogaudit[PID]: ...` naming a client",
                 got=shown(entry), note="the whole log: " + " | ".join(shown(e) for e in got))
        for addr, want in expected.items():
            have = [e for e in got if addr in e]
            for i in range(max(len(want), len(have))):
                w = want[i] if i < len(want) else None
                h = have[i] if i < len(have) else None
                ok = (h is not None and w is not None and
                      (w.fullmatch(h) if isinstance(w, re.Pattern) else w == h))
                if ok:
                    continue
                w_text = "(no more entries)" if w is None else (f"an entry matching {w.pattern}"
                                                                if isinstance(w, re.Pattern) else shown(w))
                h_text = "(no more entries)" if h is None else shown(h)
                diff = (first_difference(w.encode("latin-1"), h.encode("latin-1"))
                        if isinstance(w, str) and h is not None else None)
                fail(f"entry {i + 1} about the client {addr} is not what was expected", did=did, sent=sent,
                     expected=w_text, got=h_text,
                     note=(diff + "; " if diff else "") + "a raw byte in the log is shown as <0xHH>")


def client(port, host="127.0.0.1"):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    c = socket.socket(family)
    c.settimeout(WAIT)
    c.connect((host, port))
    me = c.getsockname()
    return c, str(me[:2] if family == socket.AF_INET else me)


def finish(c):
    """Shuts down the client's side (if not done yet) and waits, bounded,
    for the server to close."""
    try:
        c.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # done already
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
    c.close()


def session(addr, lines, facility="daemon"):
    """The entries a client that sent `lines` (escaped text) and hung up makes."""
    return ([f"{facility}.info Connection from {addr}"]
            + [f"{facility}.info {addr} sent: {line}" for line in lines]
            + [f"{facility}.info Connection from {addr} closed"])


def peak_memory_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


@stage("one client, two lines: its connection, each line and its closing, at daemon.info (rsyslogd)", hint=1)
def test_one_client(program):
    with Audit(program) as a:
        data = b"hello, syslog\nsecond line\n"
        c, addr = client(a.port)
        c.sendall(data)
        finish(c)
        a.wait_entries(r"closed$", 1, "the entry `Connection from ADDR closed`", sent=data)
        a.check({addr: session(addr, ["hello, syslog", "second line"])}, data)


@stage("CR LF and LF, an empty line, a last line without LF; clients in turn, one over IPv6 (rsyslogd)", hint=2)
def test_lines_and_clients(program):
    with Audit(program) as a:
        ca, addr_a = client(a.port)
        ca.sendall(b"crlf line\r\n\r\nlf line\n")
        cb, addr_b = client(a.port)          # waits while A is served
        cb.sendall(b"from B\n")
        cb.shutdown(socket.SHUT_WR)
        ca.sendall(b"last, no newline")
        finish(ca)
        finish(cb)
        cc, addr_c = client(a.port, "::1")
        cc.sendall(b"over IPv6\n")
        finish(cc)
        sent = ("client A: b'crlf line\\r\\n\\r\\nlf line\\n' then b'last, no newline' and its end;"
                " client B (connected meanwhile): b'from B\\n' and its end; client C over ::1: b'over IPv6\\n'")
        a.wait_entries(r"closed$", 3, "three entries `Connection from ADDR closed`", sent=sent)
        a.check({addr_a: session(addr_a, ["crlf line", "", "lf line", "last, no newline"]),
                 addr_b: session(addr_b, ["from B"]),
                 addr_c: session(addr_c, ["over IPv6"])}, sent)


@stage("escaping: control bytes, backslashes, 8-bit bytes and % are escaped; `\\n<0>forged` forges nothing"
       " (rsyslogd, busybox syslogd)", hint=3)
def test_escaping(program):
    # The control bytes' line is split at its LF (byte 10): two lines.
    lines = [
        (b"innocent\n<0>forged\n", ["innocent", "<0>forged"]),
        (b"a\r<13>Dec  1 00:00:00 host root: forged\x1b[2K\n",
         ["a\\r<13>Dec  1 00:00:00 host root: forged\\x1b[2K"]),
        (bytes(range(0, 10)) + b"\n", ["\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t"]),
        (bytes(range(11, 32)) + b"\x7f\n",
         ["\\x0b\\x0c\\r" + "".join(f"\\x{b:02x}" for b in range(14, 32)) + "\\x7f"]),
        (b"\\x41 \\n \\\\ %s%n%x%% %s%s%s%s%s\n", ["\\\\x41 \\\\n \\\\\\\\ %s%n%x%% %s%s%s%s%s"]),
        (b"caf\xc3\xa9 \x80\xff\n", ["caf\\xc3\\xa9 \\x80\\xff"]),
    ]
    data = b"".join(d for d, _ in lines)
    want = [w for _, ws in lines for w in ws]
    for daemon in ("rsyslog", "busybox"):
        with Audit(program, daemon) as a:
            c, addr = client(a.port)
            c.sendall(data)
            finish(c)
            a.wait_entries(r"closed$", 1, "the entry `Connection from ADDR closed`", sent=data)
            a.check({addr: session(addr, want)}, data)


@stage("long lines: 1024 bytes kept whole, 1025 cut with ` [cut]`, 16 MiB cut once in bounded memory (rsyslogd)",
       hint=4)
def test_long_lines(program):
    with Audit(program) as a:
        data = (b"a" * 1024 + b"\n" + b"b" * 1024 + b"\r\n" + b"c" * 1025 + b"\n"
                + b"\x01" * 1500 + b"\nshort again\n")
        c, addr = client(a.port)
        c.sendall(data)
        finish(c)
        sent = ("1024 x 'a' LF, 1024 x 'b' CR LF, 1025 x 'c' LF, 1500 x b'\\x01' LF, b'short again\\n'"
                ", then the end")
        a.wait_entries(r"closed$", 1, "the entry `Connection from ADDR closed`", sent=sent)
        a.check({addr: session(addr, ["a" * 1024, "b" * 1024, "c" * 1024 + " [cut]",
                                      "\\x01" * 1024 + " [cut]", "short again"])}, sent)

        before = peak_memory_kib(a.prog.pid)
        c, addr2 = client(a.port)
        huge = b"d" * (16 << 20) + b"\nafter the long one\n"
        sent2 = "16 MiB of 'd' (16777216 bytes), LF, b'after the long one\\n', then the end"
        sender_error = []

        def send():
            try:
                c.sendall(huge)
            except OSError as e:
                sender_error.append(e)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        sender.join(WAIT * 2)
        if sender.is_alive() or sender_error:
            c.close()
            fail("the server did not read a 16 MiB line: it should read on and drop what is past 1024 bytes",
                 did=a.did, sent=sent2, got=f"sending failed: {sender_error[0]}" if sender_error
                 else f"sending was still blocked after {WAIT * 2} s", result=a.prog.result)
        finish(c)
        a.wait_entries(r"closed$", 2, "a second entry `Connection from ADDR closed`", sent=sent2)
        a.check({addr: session(addr, ["a" * 1024, "b" * 1024, "c" * 1024 + " [cut]",
                                      "\\x01" * 1024 + " [cut]", "short again"]),
                 addr2: session(addr2, ["d" * 1024 + " [cut]", "after the long one"])}, sent2)
        grew = peak_memory_kib(a.prog.pid) - before
        if grew > 8 << 10:
            fail("the server's memory grew by more than 8 MiB while a 16 MiB line arrived: it kept the line;"
                 " it should never hold much more than 1 KiB of it", did=a.did, sent=sent2,
                 expected="peak memory (VmHWM) growing by at most 8 MiB", got=f"it grew by {grew / 1024:.1f} MiB",
                 result=a.prog.result)


@stage("--facility local3 and user; a bad facility is a usage error: exit 2, nothing on stdout", hint=5)
def test_facility(program):
    for name in ("local3", "user"):
        with Audit(program, args=["--facility", name]) as a:
            data = f"to {name}\n".encode()
            c, addr = client(a.port)
            c.sendall(data)
            finish(c)
            a.wait_entries(r"closed$", 1, "the entry `Connection from ADDR closed`", sent=data)
            a.check({addr: session(addr, [f"to {name}"], facility=name)}, data)
    for bad in ("nosuch", "local8", "kern"):
        args = [program, "--port", "0", "--facility", bad]
        with Program(args) as p:
            result = p.wait_exit(WAIT, "the program to reject a bad --facility")
        if result.status != 2 or result.out or b"usage:" not in result.err:
            fail("a bad --facility is a usage error: `usage: ...` on stderr, nothing on stdout, exit 2",
                 did=command_line(args), expected="exit status 2 and a usage line on stderr",
                 got=result.out or "nothing on stdout", result=result)


@stage("errors at warning: a client that resets mid-line, `Error serving ADDR: ...`; the next client is"
       " recorded (rsyslogd, --facility local5)", hint=5)
def test_errors(program):
    with Audit(program, args=["--facility", "local5"]) as a:
        c, addr = client(a.port)
        c.sendall(b"a whole line\nhalf a li")
        a.wait_entries(r"sent: a whole line$", 1, "the entry `ADDR sent: a whole line`",
                       sent=b"a whole line\nhalf a li")
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()  # SO_LINGER 0: a reset (RST), not an end of file
        c2, addr2 = client(a.port)
        c2.sendall(b"after the reset\n")
        finish(c2)
        sent = "b'a whole line\\nhalf a li', then a reset; then a new client: b'after the reset\\n'"
        a.wait_entries(r"closed$", 1, "the entry `Connection from ADDR closed` of the client after the reset",
                       sent=sent)
        a.check({addr: [f"local5.info Connection from {addr}", f"local5.info {addr} sent: a whole line",
                        re.compile(re.escape(f"local5.warning Error serving {addr}: ")
                                   + r".*(\[Errno 104\]|Connection reset by peer).*")],
                 addr2: session(addr2, ["after the reset"], facility="local5")}, sent)
