"""The lab's tools and the tour's options: tests/lab/bin/calls shows a
program's socket calls (strace), tests/lab/bin/wire its packets (tcpdump);
./workbook tour --step waits for Enter after each program, and
./workbook tour chNN/PROG shows one program's part of the tour."""

import contextlib
import os
import pty
import re
import select
import signal
import socket
import subprocess
import time

import pytest

from ch02_peers import PY, ThreadServer
from harness import BUILD, SOURCE, TIMEOUT, Lab, Namespace, Proc, need, prog, run

CALLS = SOURCE / "tests/lab/bin/calls"
WIRE = SOURCE / "tests/lab/bin/wire"


def workbook(*args, **kwargs):
    """./workbook ARGS with this build directory."""
    env = {**os.environ, "WORKBOOK_BUILD_DIR": str(BUILD)}
    return run([SOURCE / "workbook", *args], env=env, timeout=300, **kwargs)


def trace(stderr):
    """The trace lines calls printed, without their "calls| " prefix."""
    return [line[len("calls| "):] for line in stderr.decode().splitlines() if line.startswith("calls| ")]


def payloads(stdout):
    """The bytes wire showed, one bytes object per packet, from its hex lines
    ("      0000  2f 0d 0a    /..")."""
    packets = []
    for line in stdout.decode().splitlines():
        m = re.match(r"^ {6}[0-9a-f]{4} ((?: [0-9a-f]{2})+)", line)
        if m:
            packets[-1] += bytes.fromhex(m.group(1))
        else:
            packets.append(b"")
    return [p for p in packets if p]


# ------------------------------------------------------------------ calls

def test_calls_shows_the_udp_clients_socket_and_sendto():
    need("strace")
    echo = ThreadServer(lambda sock, data, addr: sock.sendto(data, addr), kind=socket.SOCK_DGRAM)
    with echo, Proc([CALLS, prog("ch02/udp"), "127.0.0.1", echo.port], stdin=subprocess.PIPE) as p:
        p.p.stdin.write(b"hello, calls\n")
        p.p.stdin.close()
        p.wait_for("Received: hello, calls")
        p.signal(signal.SIGINT)  # Ctrl-C, as udp asks
        status = p.finish()
    lines = trace(p.err)
    assert any(re.match(r"socket\(AF_INET6?, SOCK_DGRAM", line) for line in lines), lines
    assert any(line.startswith("sendto(") and '"hello, calls"' in line for line in lines), lines
    assert any(line.startswith("recvfrom(") for line in lines), lines
    # read and write on stdin and stdout are not socket calls
    assert not any(re.match(r"(read|write)\([012]<", line) for line in lines), lines
    assert f"calls: udp exited with status {status}".encode() in p.err


def test_calls_shows_connect_and_passes_on_the_exit_status():
    need("strace")
    with ThreadServer(lambda conn: None) as server:
        r = run([CALLS, prog("ch02/connect"), "127.0.0.1", server.port])
        server.wait_served()
    lines = trace(r.stderr)
    connects = [line for line in lines if line.startswith("connect(")]
    assert len(connects) == 1 and f"htons({server.port})" in connects[0], lines
    assert connects[0].endswith("= 0"), connects
    assert r.returncode == 0, r.stderr
    with socket.socket() as s:  # a port nothing listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        r = run([CALLS, prog("ch02/connect"), "127.0.0.1", s.getsockname()[1]])
    assert r.returncode == 1, r.stderr
    assert any(line.startswith("connect(") and "ECONNREFUSED" in line for line in trace(r.stderr))


# ------------------------------------------------------------------ wire

GOPHER_SERVER = """
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 70))
s.listen(1)
print("ready", flush=True)
conn, _ = s.accept()
data = b""
while not data.endswith(b"\\r\\n"):
    piece = conn.recv(100)
    if not piece:
        break
    data += piece
conn.sendall(b"0hello\\t/hello\\tquux.org\\t70\\r\\n.\\r\\n")
conn.close()
"""

DNS_SERVER = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
query, peer = s.recvfrom(512)
reply = bytearray(query)
reply[2] |= 0x80  # QR: a response, with no answers
s.sendto(bytes(reply), peer)
"""


def test_wire_shows_the_gopher_selector_and_the_tcp_flags():
    need("tcpdump", "strace")
    with Namespace() as ns, ns.spawn([PY, "-c", GOPHER_SERVER]) as server:
        server.wait_for("ready")
        r = ns.run([WIRE, prog("ch01/gopherclient"), "--port", "70", "127.0.0.1", "/"])
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert out.startswith("0hello\t/hello"), out  # the program's own output comes first
    assert re.search(r"^ {6}0000  2f 0d 0a +/\.\.$", out, re.M), out
    assert b"/\r\n" in payloads(r.stdout)
    assert b"0hello\t/hello\tquux.org\t70\r\n.\r\n" in payloads(r.stdout)
    assert re.search(r"127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.70: Flags \[S\]", out), out
    assert re.search(r"127\.0\.0\.1\.70 > 127\.0\.0\.1\.\d+: Flags \[S\.\]", out), out
    assert "Flags [F.]" in out, out
    assert "end of capture" not in out  # wire's own marker is not shown


def test_wire_shows_a_dns_query():
    need("tcpdump", "strace", "dig")
    with Namespace() as ns, ns.spawn([PY, "-c", DNS_SERVER]) as server:
        server.wait_for("ready")
        r = ns.run([WIRE, "dig", "+tries=1", "+time=5", "@127.0.0.1", "example.test", "A"])
    assert r.returncode == 0, r.stderr
    query, reply = payloads(r.stdout)[:2]
    assert b"\x07example\x04test\x00\x00\x01\x00\x01" in query, r.stdout.decode()
    assert query[:2] == reply[:2]  # the reply carries the query's id
    assert re.search(rb"127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.53: ", r.stdout), r.stdout


def test_wire_as_a_normal_user_makes_a_namespace_of_its_own():
    need("tcpdump")
    if os.geteuid() == 0:
        r = run(["unshare", "-r", "-n", "sh", "-c", "ip link set lo up && id -u"])
        assert r.returncode == 0  # (then root in a user namespace: the case of the lab)
        return
    r = run([WIRE, prog("ch02/connect3"), "127.0.0.1", "9"])
    assert r.returncode == 1
    assert b"wire: not root here, so in a network namespace of its own" in r.stderr
    assert b"Flags [S]" in r.stdout and b"Flags [R.]" in r.stdout


def test_tools_without_their_package_say_which(tmp_path):
    (tmp_path / "bash").symlink_to("/bin/bash")
    env = {"PATH": str(tmp_path)}
    r = run([CALLS, "true"], env=env)
    assert (r.returncode, r.stdout) == (127, b"")
    assert r.stderr.decode().splitlines() == [
        "calls: strace is not installed (Debian package strace; ./workbook setup installs it)"]
    r = run([WIRE, "true"], env=env)
    assert (r.returncode, r.stdout) == (127, b"")
    assert r.stderr.decode().splitlines() == [
        "wire: tcpdump is not installed (Debian package tcpdump; ./workbook setup installs it)"]


def test_workbook_run_wire_and_calls_name_a_missing_program():
    for tool in ("--wire", "--calls"):
        r = workbook("run", tool, "nosuch")
        assert r.returncode != 0
        assert r.stderr.decode().splitlines() == ["workbook: no program 'nosuch' (./workbook list shows them)"]


def test_workbook_run_calls():
    need("strace")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        r = workbook("run", "--calls", "ch02/connect3", "127.0.0.1", s.getsockname()[1])
    assert r.returncode == 1, r.stderr
    assert b"calls| connect(" in r.stderr and b"calls: connect3 exited with status 1" in r.stderr


# ------------------------------------------------------------------ tour

def test_tour_of_one_program_shows_only_its_section():
    need("socat", "gophernicus", "nc")
    r = workbook("tour", "ch01/server")
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert re.findall(r"== (ch\d\d/[^\s\x1b]+)", out) == ["ch01/server"], out
    assert "You entered 14 characters." in out  # its clients ran
    assert "gopherclient" not in out and "Chapter 1" not in out


def test_tour_refuses_what_it_cannot_do():
    r = workbook("tour", "ch01/nosuch")
    assert r.returncode == 2 and r.stderr.decode().splitlines() == [
        "workbook: no program 'ch01/nosuch' (./workbook list shows them)"]
    r = workbook("tour", "ch01/server", "ch02")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
    r = workbook("tour", "--step", "ch01")  # stdin is not a terminal
    assert r.returncode == 2 and r.stderr.decode().splitlines() == [
        "workbook: tour --step waits for Enter, so it needs a terminal"]


class Terminal:
    """A program on a pseudo-terminal, read as it writes."""

    def __init__(self, args, env):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen([str(a) for a in args], stdin=slave, stdout=slave, stderr=slave,
                                  env=env, cwd=SOURCE, start_new_session=True)
        os.close(slave)
        self.out = b""

    def wait_for(self, text, after=0, timeout=120):
        """Waits until `text` is in the output past offset `after`; returns where it ends."""
        deadline = time.monotonic() + timeout
        while (at := self.out.find(text, after)) < 0:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} in {timeout}s: {self.out[after:].decode(errors='replace')}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    self.out += os.read(self.master, 65536)
                except OSError:  # the program ended and closed the terminal
                    assert False, f"ended without {text!r}: {self.out[after:]!r}"
        return at + len(text)

    def type(self, data):
        os.write(self.master, data)

    def close(self):
        with contextlib.suppress(ProcessLookupError):  # (it may have ended)
            os.killpg(self.p.pid, signal.SIGTERM)
        self.p.wait(TIMEOUT)
        os.close(self.master)


def test_tour_step_waits_for_enter_and_q_stops_it():
    need("socat", "gophernicus")
    term = Terminal([SOURCE / "workbook", "tour", "--step", "ch01"],
                    {**os.environ, "WORKBOOK_BUILD_DIR": str(BUILD)})
    try:
        prompt = b"press Enter for the next, q to stop"
        first = term.wait_for(prompt)
        assert b"== ch01/gopherclient\x1b" in term.out and b"ch01/gopherclient2" not in term.out
        time.sleep(0.5)  # it waits: nothing more comes
        term.out += os.read(term.master, 65536) if select.select([term.master], [], [], 0)[0] else b""
        assert b"ch01/gopherclient2" not in term.out
        term.type(b"\r")
        second = term.wait_for(prompt, first)
        assert b"== ch01/gopherclient2" in term.out[first:second]
        assert b"ch01/gopherclient3" not in term.out
        term.type(b"q")
        term.wait_for(b"tour stopped", second)
        assert term.p.wait(TIMEOUT) == 0
        assert b"ch01/gopherclient3" not in term.out
    finally:
        term.close()


# ------------------------------------------------------------------ ladder

LADDER_DATA = SOURCE / "tests/lab/ladder/data"


def ladder_lines(stdout):
    """The ladder's lines from wire --ladder's output, after the program's own."""
    lines = stdout.decode().splitlines()
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("client"))
    return lines[first:]


def arrows(lines, direction):
    """The labels of the arrows one way: "->" to the right, "<-" to the left."""
    found = []
    for line in lines:
        m = re.search(r"\|([<~-][-~]*) (.*?) ([-~]*[>~-])\|", line)
        if m and (m.group(3).endswith(">") if direction == "->" else m.group(1).startswith("<")):
            found.append(m.group(2))
    return found


@pytest.mark.parametrize("name", sorted(p.stem for p in LADDER_DATA.glob("*.pcap")))
def test_ladder_draws_the_committed_captures_line_by_line(name):
    r = run([prog("tests/lab/ladder/ladder"), LADDER_DATA / f"{name}.pcap"])
    assert r.returncode == 0, r.stderr
    expected = (LADDER_DATA / f"{name}.txt").read_text().splitlines()
    got = r.stdout.decode().splitlines()
    for number, (line, want) in enumerate(zip(got, expected), 1):
        assert line == want, f"{name}.txt line {number}"
    assert len(got) == len(expected), got
    assert all(len(line) <= 80 for line in got)


def test_ladder_refuses_what_it_cannot_read(tmp_path):
    (tmp_path / "not.pcap").write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(60))
    r = run([prog("tests/lab/ladder/ladder"), tmp_path / "not.pcap"])
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    r = run([prog("tests/lab/ladder/ladder")])
    assert r.returncode == 2 and r.stderr.startswith(b"usage: ladder")
    # a bad width: usage, then one line that says why (an empty one once
    # ended the program on an uncaught std::invalid_argument)
    for width in ("", "39", "abc", "1000"):
        r = run([prog("tests/lab/ladder/ladder"), "--width", width, LADDER_DATA / "udptime.pcap"])
        assert r.returncode == 2, (width, r)
        assert r.stderr.decode().splitlines()[-1] == f"ladder: the width must be 40 columns or more, not '{width}'"


def test_wire_ladder_tcp_the_gopher_exchange_in_the_lab():
    """The issue's own example: the handshake, the 3-byte selector, the reply
    and the close, through ./workbook lab as a student types it."""
    need("tcpdump", "strace", "socat", "gophernicus")
    r = workbook("lab", "ch01", "--", "wire", "--ladder", "gopherclient", "quux.org", "/")
    assert r.returncode == 0, r.stderr
    assert b"as a ladder" in r.stderr
    lines = ladder_lines(r.stdout)
    assert lines[0].split() == ["client", "server"], lines
    assert re.fullmatch(r"\s*\[::1\]:\d+\s+\[::1\]:70", lines[1]), lines
    right, left = arrows(lines, "->"), arrows(lines, "<-")
    assert right[:3] == ["SYN", "ACK", '3 bytes "/\\r\\n"'], lines
    assert left[0] == "SYN ACK", lines
    assert any(re.match(r'\d+ bytes "i\[/\]\\tTITLE', a) for a in left), lines  # the menu
    assert "FIN" in right and "FIN" in left, lines
    assert all(len(line) <= 80 for line in lines)


def test_wire_ladder_udp_a_query_and_its_answer_in_the_lab(tmp_path):
    need("tcpdump", "strace", "xinetd")
    with Lab("ch02") as lab:
        svg = tmp_path / "udptime.svg"
        r = lab.run([WIRE, "--ladder", "--svg", svg, prog("ch02/udptime")])
    assert r.returncode == 0, r.stderr
    lines = ladder_lines(r.stdout)
    assert re.fullmatch(r"\s*127\.0\.0\.1:\d+\s+127\.0\.0\.1:37", lines[1]), lines
    assert arrows(lines, "->") == ["0 bytes"], lines
    assert len(arrows(lines, "<-")) == 1 and arrows(lines, "<-")[0].startswith("4 bytes "), lines
    text = svg.read_text()
    assert text.startswith("<svg ") and text.endswith("</svg>\n")
    assert text.count("marker-end") == 2 and ">udptime</text>" in text, text


def test_wire_ladder_icmp_port_unreachable_in_the_lab():
    need("tcpdump", "strace")
    with Lab("ch02") as lab:
        r = lab.run([WIRE, "--ladder", prog("ch02/udp"), "127.0.0.1", "9"], input=b"anyone\n")
    assert r.returncode == 1, r.stderr
    assert b"Connection refused" in r.stderr
    lines = ladder_lines(r.stdout)
    assert arrows(lines, "->") == ['6 bytes "anyone"'], lines
    assert arrows(lines, "<-") == ["ICMP port unreachable"], lines
    assert "<~~" in lines[-1], lines


def test_workbook_run_wire_ladder():
    need("tcpdump", "strace")
    r = workbook("run", "--wire", "--ladder", "ch02/connect3")
    assert r.returncode == 0, r.stderr
    lines = ladder_lines(r.stdout)
    assert arrows(lines, "->")[:2] == ["SYN", "ACK"] and arrows(lines, "<-")[0] == "SYN ACK", lines


# ------------------------------------------------------------------ the harness


def test_malloc_perturb_reaches_the_builds_programs_only(monkeypatch):
    """meson test's MALLOC_PERTURB_ (harness.PERTURB) is given to the
    build's programs, run directly or in a namespace, and to nothing else a
    test starts (the helpers, servers and tools pay for it and are not
    under test)."""
    import harness
    monkeypatch.setattr(harness, "PERTURB", "165")

    def environ(proc):
        return open(f"/proc/{proc.p.pid}/environ", "rb").read().split(b"\0")

    with Proc([prog("ch03/echoserver"), "--port", "0"]) as server, Proc(["sleep", "30"]) as helper, \
            Proc(["env", "TZ=UTC", prog("ch03/echoserver"), "--port", "0"]) as started:
        server.port()
        started.port()  # (env execs the program: the same process)
        assert b"MALLOC_PERTURB_=165" in environ(server), "the build's program should get MALLOC_PERTURB_"
        assert b"MALLOC_PERTURB_=165" in environ(started), "so should one a command starts"
        assert not any(v.startswith(b"MALLOC_PERTURB_=") for v in environ(helper)), \
            "a program not of the build should not get MALLOC_PERTURB_"
    with Namespace() as ns:
        with ns.spawn([prog("ch03/echoserver"), "--port", "0"]) as server:
            server.port()
            # nsenter execs the program: the same process, its environment
            assert b"MALLOC_PERTURB_=165" in environ(server), "in a namespace too"
