#!/usr/bin/python3
"""./workbook bench: our programs side by side with what a user would pick instead.

Each pair runs in this one run on this machine, ours and theirs alternating,
and the table gives the ratio of the medians (ours / theirs: below 1.0 we are
faster) and the peak RSS of each side (the largest ru_maxrss of its runs, KiB).
No absolute time is a goal; the ratios are. A short program runs several
times per sample so that a sample lasts 0.2 s or more.

    bench.py --build DIR [--quick] [--csv FILE] [--only WORD]

--quick runs each pair once, on small inputs, and checks only that each side
ran and that both produced the same bytes (what CI runs, so the bench cannot
rot); it exits 1 when a side failed or the outputs differ, and under CI=true
also when a pair was skipped for a missing tool.

Test-side code: Python's standard library only. The DNS pairs run inside the
chapter 4 lab (see dns_lab()).
"""

import argparse
import csv
import hashlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PY = "/usr/bin/python3"
MiB = 1024 * 1024
QUICK = False  # --quick: no verdicts, one small run per side


class Skip(Exception):
    """A pair that cannot run here (a missing tool); says what it skipped."""


class Failed(Exception):
    """A side that did not run, or outputs that differ."""


def need(tool):
    path = shutil.which(tool)
    if not path:
        raise Skip(f"{tool} is not installed (./workbook setup installs it)")
    return path


# ------------------------------------------------------------- measuring
def run_once(cmd, out=None, env=None):
    """Runs cmd (stdin /dev/null, stdout `out` or /dev/null); returns (seconds,
    ru_maxrss). A failure raises Failed."""
    cmd = [str(c) for c in cmd]
    with open(os.devnull, "r+b") as null, tempfile.TemporaryFile() as err:
        actions = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0),
                   (os.POSIX_SPAWN_DUP2, (out or null).fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        start = time.monotonic()
        pid = os.posix_spawnp(cmd[0], cmd, os.environ if env is None else env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            text = err.read().decode(errors="replace").strip()[-300:]
            raise Failed(f"{' '.join(cmd)}: exit {code}: {text}")
    return elapsed, usage.ru_maxrss


def output_of(cmd, env=None):
    """Runs cmd once under /usr/bin/time: its stdout's bytes, seconds and
    peak RSS (KiB). time forks from a small process, so the RSS is the
    program's own (ru_maxrss after a fork from Python would count Python's)."""
    with tempfile.TemporaryFile() as f, tempfile.NamedTemporaryFile() as m:
        secs, _ = run_once([need("/usr/bin/time"), "-q", "-f", "%M", "-o", m.name] + list(cmd), out=f, env=env)
        f.seek(0)
        return f.read(), secs, int(m.read().split()[-1])


def batch(cmd, reps, env=None):
    """cmd run reps times in a row: the total seconds."""
    return sum(run_once(cmd, env=env)[0] for _ in range(reps))


class Pair:
    """One row: ours against theirs."""

    def __init__(self, group, ours, theirs, goal=None, note="", rss_goal=False):
        self.group, self.ours, self.theirs, self.goal, self.note = group, ours, theirs, goal, note
        self.rss_goal = rss_goal  # also: peak RSS at most theirs
        self.t_ours = self.t_theirs = None
        self.rss_ours = self.rss_theirs = None
        self.status = "ok"

    @property
    def ratio(self):
        return self.t_ours / self.t_theirs if self.t_ours and self.t_theirs else None

    def verdict(self):
        if self.group == "time" and self.status == "ok" and self.goal is not None:  # in seconds
            return "goal met" if self.t_ours <= self.goal else f"MISSED (goal <= {self.goal:g} s)"
        if QUICK or self.status != "ok" or self.goal is None or self.ratio is None:
            return ""
        missed = [] if self.ratio <= self.goal else [f"goal <= {self.goal:g}"]
        if self.rss_goal and self.rss_ours and self.rss_theirs and self.rss_ours > self.rss_theirs:
            missed.append("RSS goal <= theirs")
        return "goal met" if not missed else f"MISSED ({', '.join(missed)})"


def compare(pair, ours_cmd, theirs_cmd, quick, same=None, env_ours=None, env_theirs=None, samples=5):
    """Times ours_cmd against theirs_cmd: a first run of each whose outputs
    `same` compares (bytes equal by default), then alternating samples."""
    out_a, t_a, rss_a = output_of(ours_cmd, env_ours)
    out_b, t_b, rss_b = output_of(theirs_cmd, env_theirs)
    (same or same_bytes)(out_a, out_b)
    pair.rss_ours, pair.rss_theirs = rss_a, rss_b
    if quick:
        pair.t_ours, pair.t_theirs = t_a, t_b
        return
    reps = max(1, int(0.2 / max(min(t_a, t_b), 1e-4)) + 1)
    a, b = [], []
    for _ in range(samples):
        a.append(batch(ours_cmd, reps, env_ours) / reps)
        b.append(batch(theirs_cmd, reps, env_theirs) / reps)
    pair.t_ours, pair.t_theirs = statistics.median(a), statistics.median(b)


def same_bytes(a, b):
    if a != b:
        raise Failed(f"outputs differ: {len(a)} bytes (sha256 {hashlib.sha256(a).hexdigest()[:12]}) "
                     f"against {len(b)} bytes (sha256 {hashlib.sha256(b).hexdigest()[:12]})")
    if not a:
        raise Failed("both sides printed nothing")


# ------------------------------------------------------------- servers
@contextmanager
def background(cmd, announce=rb"port (\d+)", env=None):
    """A server in its own process group; yields (process, port it announced)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        line = p.stdout.readline()
        m = re.search(announce, line)
        if not m:
            raise Failed(f"{cmd[0]} did not announce a port: {line!r}")
        # The rest of its output (a line per datagram) must not fill the pipe.
        drain = subprocess.Popen(["cat"], stdin=p.stdout, stdout=subprocess.DEVNULL)
        p.stdout.close()
        yield p, m.group(1).decode()
    finally:
        try:
            os.killpg(p.pid, signal.SIGINT)
            p.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        if "drain" in locals():
            drain.wait()


def serve_sendfile(folder):
    """`bench.py --serve FOLDER`: one connection at a time, read the request
    (a Gopher selector line, or an HTTP request up to its blank line) and
    answer with the file of FOLDER the selector or path names, through
    sendfile(), so the server costs next to nothing. HTTP gets a status line
    and Content-Length first."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        print(f"serving on port {listener.getsockname()[1]}", flush=True)
        while True:
            conn, _ = listener.accept()
            with conn:
                request = b""
                while b"\n" not in request or (request.startswith(b"GET ") and b"\r\n\r\n" not in request):
                    piece = conn.recv(4096)
                    if not piece:
                        break
                    request += piece
                http = request.startswith(b"GET ")
                selector = request.split()[1 if http else 0].decode()
                path = Path(folder) / Path(selector).name
                size = path.stat().st_size
                if http:
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                                 b"Content-Length: %d\r\n\r\n" % size)
                offset = 0
                try:
                    with open(path, "rb") as f:
                        while offset < size:
                            offset += os.sendfile(conn.fileno(), f.fileno(), offset, size - offset)
                    conn.shutdown(socket.SHUT_WR)
                    while conn.recv(65536):  # until the client closes: no reset
                        pass
                except OSError:
                    pass


def make_document(path, size):
    """A text document of `size` bytes: 64-byte CR LF lines, as a Gopher text file."""
    line_no, chunks, total = 0, [], 0
    with open(path, "wb") as f:
        while total < size:
            line = b"line %010d of the bench's document, as a Gopher server sends\r\n" % line_no
            line = line[:62] + b"\r\n" if len(line) > 64 else line.ljust(62, b".")[:62] + b"\r\n"
            chunks.append(line)
            line_no += 1
            total += len(line)
            if len(chunks) == 4096:
                f.write(b"".join(chunks))
                chunks = []
        f.write(b"".join(chunks))
        f.truncate(size)


# ------------------------------------------------------------- the pairs
def bulk_pairs(build, quick, tmp):
    size = 1 * MiB if quick else 64 * MiB
    make_document(tmp / "document.txt", size)
    # The book's gopherclient3.py reads one byte per recv() (an unbuffered
    # makefile's readline), about 20 s a MiB: it gets a small document.
    small = 64 * 1024
    make_document(tmp / "small.txt", small)
    curl = need("curl")
    with background([PY, __file__, "--serve", str(tmp)]) as (_, port):
        mib = size // MiB

        def ours(prog, doc="document.txt"):
            if prog == "ch01/download":
                return [build / prog, f"http://127.0.0.1:{port}/{doc}"]
            return [build / prog, "--port", port, "127.0.0.1", f"/{doc}"]

        for prog, goal in [("ch01/gopherclient", 2.0), ("ch01/gopherclient3", 1.5),
                           ("ch01/gopherlibclient", 1.1), ("ch01/urlclient", 1.1), ("ch01/download", 1.1)]:
            url = (f"http://127.0.0.1:{port}/document.txt" if prog == "ch01/download"
                   else f"gopher://127.0.0.1:{port}/0/document.txt")
            pair = Pair("bulk", f"{prog.split('/')[1]} {mib} MiB", "curl", goal)
            yield pair, lambda pair=pair, cmd=ours(prog), url=url: compare(pair, cmd, [curl, "-s", url], quick)
        # The lesson of the book's recv(2048): gopherclient with a 64 KiB
        # buffer, built here from the same source with that one change.
        try:
            bigger = bigger_buffer(build, tmp)
        except (Failed, subprocess.CalledProcessError) as e:
            yield Pair("bulk", f"gopherclient recv(65536) {mib} MiB", "gopherclient"), raising(Failed(str(e)))
        else:
            pair = Pair("bulk", f"gopherclient recv(65536) {mib} MiB", "gopherclient recv(2048)",
                        note="the book's 2048, against a larger buffer (ch01/README)")
            yield pair, lambda: compare(pair, [bigger] + ours("ch01/gopherclient")[1:],
                                        ours("ch01/gopherclient"), quick)
        # The book's own programs under Python 3 (ports in tests/bench/py/).
        env = dict(os.environ, BENCH_PORT=port)
        for prog, doc in [("ch01/gopherclient", "document.txt"), ("ch01/gopherclient3", "small.txt"),
                          ("ch01/download", "document.txt")]:
            name = prog.split("/")[1]
            cmd = ours(prog, doc)
            theirs = [PY, HERE / "py" / f"{name}.py"] + cmd[-1 if prog == "ch01/download" else -2:]
            label = f"{name} {mib} MiB" if doc == "document.txt" else f"{name} {small // 1024} KiB"
            pair = Pair("python", label, f"{name}.py (Python 3)", 1.0)
            yield pair, lambda pair=pair, cmd=cmd, theirs=theirs: compare(
                pair, cmd, theirs, quick, env_theirs=env, samples=3)


def bigger_buffer(build, tmp):
    """ch01/gopherclient.cpp with `char buf[65536]` for the book's 2048,
    compiled as the build compiles it (-Og -g, C++20, common/)."""
    source = (ROOT / "ch01" / "gopherclient.cpp").read_text()
    if "char buf[2048];" not in source:
        raise Failed("ch01/gopherclient.cpp has no 'char buf[2048];' to change")
    variant = tmp / "gopherclient-65536.cpp"
    variant.write_text(source.replace("char buf[2048];", "char buf[65536];"))
    exe = tmp / "gopherclient-65536"
    subprocess.run(["c++", "-std=c++20", "-Og", "-g", f"-I{ROOT / 'common'}", str(variant),
                    str(build / "common" / "libcommon.a"), "-o", str(exe)], check=True,
                   capture_output=True)
    return exe


def echo_pairs(build, quick, tmp):
    socat = need("socat")
    data = tmp / "x.bin"
    data.write_bytes(b"x" * 10485760)

    def echoed(ours_out, theirs_out):
        if not ours_out.endswith(b"Received 10485760 bytes back.\n") or theirs_out != data.read_bytes():
            raise Failed(f"echo: ours ended {ours_out[-60:]!r}, socat echoed {len(theirs_out)} bytes")

    with background([str(build / "ch03/echoserver"), "--port", "0"]) as (_, port):
        ours = [str(build / "ch03/echoclient-nodeadlock"), "--port", port, "127.0.0.1"]
        # socat writes what it reads from stdin 1024 bytes at a time (-b), as
        # echoclient-nodeadlock does, and copies the echo to stdout.
        theirs = ["sh", "-c", f'exec {socat} -b 1024 -t 30 - TCP:127.0.0.1:{port} < "$0"', str(data)]
        pair = Pair("echo", "echoclient-nodeadlock 10 MiB", "socat -b 1024", 1.0,
                    note="RSS: it holds the book's 10 MiB of data (ch03/README)")
        yield pair, lambda: compare(pair, ours, theirs, quick, same=echoed)
        if not quick:
            try:
                iperf = need("iperf3")
            except Skip as e:
                yield Pair("echo", "echoclient-nodeadlock 10 MiB", "iperf3 -n 20M"), raising(e)
                return
            iport = str(free_port())
            srv = subprocess.Popen([iperf, "-s", "-p", iport], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                wait_listening(int(iport))
                # 20 MiB through one socket: what the echo moves (10 MiB each way)
                pair = Pair("echo", "echoclient-nodeadlock 10 MiB", "iperf3 -n 20M (the limit)",
                            note="practical limit, not a goal")
                yield pair, lambda: compare(pair, ours, [iperf, "-c", "127.0.0.1", "-p", iport, "-n", "20M"],
                                            quick, same=lambda a, b: None)
            finally:
                os.killpg(srv.pid, signal.SIGKILL)
                srv.wait()


def raising(error):
    """The job of a pair that cannot run here (Skip) or whose set-up failed."""
    def job():
        raise error
    return job


def wait_listening(port):
    """Waits (up to 10 s) until a TCP server listens on `port` (asking ss,
    not connecting: iperf3 would take a connection for a test)."""
    for _ in range(100):
        if subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True).stdout.strip():
            return
        time.sleep(0.1)
    raise Failed(f"nothing listens on port {port}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def udp_pairs(build, quick, tmp):
    cc = need("cc")
    exe = tmp / "udppair"
    subprocess.run([cc, "-O2", "-o", str(exe), str(HERE / "udppair.c")], check=True)
    n = "200" if quick else "20000"
    with background([str(exe), "server", "0"]) as (c_p, cport), \
         background([str(build / "ch03/udpechoserver"), "--port", "0"]) as (ours_p, oport), \
         background([PY, str(HERE / "py" / "udpechoserver.py")], env=dict(os.environ, BENCH_PORT="0")) as (py_p, pport):
        # The same C client drives each server; the RSS columns are the servers'.
        client = [str(exe), "client", "127.0.0.1"]

        def servers(pair, ours, theirs, ours_port, theirs_port):
            compare(pair, client + [ours_port, n], client + [theirs_port, n], quick)
            pair.rss_ours, pair.rss_theirs = peak_rss(ours.pid), peak_rss(theirs.pid)

        pair = Pair("udp", f"udpechoserver {n} round trips", "udppair.c server", None,
                    note="ours prints a line per datagram, as the book's does")
        yield pair, lambda: servers(pair, ours_p, c_p, oport, cport)
        pair2 = Pair("python", f"udpechoserver {n} round trips", "udpechoserver.py (Python 3)", 1.0)
        yield pair2, lambda: servers(pair2, ours_p, py_p, oport, pport)


def peak_rss(pid):
    """A running process's peak RSS so far (VmHWM), in KiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def dns_pairs(build, quick, tmp):
    need("drill")  # (the lab's run below needs it too)
    # Inside the lab, the same program runs the pairs and prints them as CSV.
    with dns_lab() as enter:
        cmd = enter + [PY, __file__, "--build", str(build), "--inner-dns"] + (["--quick"] if quick else [])
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise Failed(f"the DNS pairs in the lab: {r.stderr.strip()[-400:]}")
        for row in csv.DictReader(r.stdout.splitlines()):
            pair = Pair("dns", row["ours"], row["theirs"], float(row["goal"]) if row["goal"] else None,
                        rss_goal=row["rss_goal"] == "1")
            if pair.rss_goal:
                pair.note = "RSS: libstdc++ and ldns' resolver set-up (ch04/README)"
            pair.status = row["status"]
            for key in ("t_ours", "t_theirs", "rss_ours", "rss_theirs"):
                setattr(pair, key, float(row[key]) if row[key] else None)
            yield pair, None


def inner_dns(build, quick):
    """Run inside the lab: each DNS program against drill for the same name and type."""
    drill = need("drill")
    writer = csv.writer(sys.stdout)
    writer.writerow(["ours", "theirs", "goal", "status", "t_ours", "t_theirs", "rss_ours", "rss_theirs",
                     "rss_goal"])

    def answered(ours_out, theirs_out):
        # Different formats; both must name the same A record.
        if b"192.0.2.10" not in ours_out or b"192.0.2.10" not in theirs_out:
            raise Failed(f"no answer: ours {ours_out[:80]!r}, drill {theirs_out[:80]!r}")

    # The lab's servers answer ANY minimally (RFC 8482), so dns-basic asks
    # again type by type, as its output says: nine queries where drill
    # ANY sends one. The first row is the same answers (drill once per
    # query dns-basic sends), the others one query of drill's against ours.
    name = "www.example.test"
    types = "ANY CNAME SOA NS MX A AAAA TXT PTR"
    same_queries = ["sh", "-c", f'for t in {types}; do {drill} "$0" $t || exit 1; done', name]
    for prog, theirs, label, goal in [
            ("dns-basic", same_queries, f"drill x9: {types.split()[0]}..PTR", 1.0),
            ("dns-basic", [drill, name, "ANY"], "drill ANY (1 query of our 9)", None),
            ("dnsany", [drill, name, "ANY"], "drill ANY", None),
            ("dnsquery", [drill, name, "ANY"], "drill ANY", None)]:
        pair = Pair("dns", f"{prog} {name}", label, goal, rss_goal=goal is not None)
        try:
            compare(pair, [str(build / "ch04" / prog), name], theirs, quick, same=answered)
        except Failed as e:
            pair.status = f"FAILED: {e}"
        writer.writerow([pair.ours, pair.theirs, pair.goal or "", pair.status, pair.t_ours or "",
                         pair.t_theirs or "", pair.rss_ours or "", pair.rss_theirs or "", int(pair.rss_goal)])


@contextmanager
def dns_lab():
    """The chapter 4 DNS lab, the one the tests, the tour and ./workbook lab
    start (tests/lab/lab, through the tests' harness.Lab). Yields the
    nsenter command line that runs a program inside."""
    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from harness import Lab  # the tests' own (test-side code, like this bench)

    try:
        lab = Lab("ch04")
    except AssertionError as e:  # what Lab says when the lab does not start
        raise Failed(f"the DNS lab did not start: {e}") from e
    with lab:
        yield lab.enter([])


def grade_pairs(build, quick, tmp):
    """./workbook grade over a class of copies of the reference solutions:
    the time for the class (goal: 20 students x 13 exercises in 5 minutes
    on 2 cores, so 60 in 15), and students per minute. Quick: 2 students,
    one exercise, each must pass."""
    ids = [f"{l.parts[-3]}-{n}" for l in sorted(ROOT.glob("ch0*/exercises/list")) for n in l.read_text().split()]
    if quick:
        ids = ["ch03-timeserver"]
    count = 2 if quick else 20
    pair = Pair("time", f"grade {count} students x {len(ids)} exercises", "-", None if quick else 300)

    def job():
        subs = tmp / "class"
        # each copy made different by a line, as a real class's files are:
        # grading compiles a file only once (its CompileCache, here one of
        # the bench's own), and the class is timed as one nobody has graded
        for k in range(count):
            for ex_id in ids:
                chapter, name = ex_id.split("-", 1)
                theirs = subs / f"student{k:02}" / chapter / "exercises" / name / f"{name}.cpp"
                theirs.parent.mkdir(parents=True, exist_ok=True)
                solution = (ROOT / chapter / "exercises" / "solutions" / f"{name}.cpp").read_text()
                theirs.write_text(f"{solution}// student{k:02}'s copy\n")
        start = time.monotonic()
        r = subprocess.run([sys.executable, ROOT / "tests/exercises/grade_all.py", subs, " ".join(ids),
                            "--build", build, "--out", tmp / "grades", "--cache", tmp / "cache"],
                           capture_output=True, text=True)
        pair.t_ours = time.monotonic() - start
        if r.returncode != 0:
            raise Failed(f"grade failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}")
        with open(tmp / "grades" / "grades.csv") as f:
            totals = [row["total"] for row in csv.DictReader(f)]
        if totals != [str(len(ids))] * count:
            raise Failed(f"not every copy of the solutions passed: totals {totals}")
        pair.theirs = f"{count / pair.t_ours * 60:.1f} students/min"
    yield pair, job


# ./workbook ex check after a one-line edit: the exercise, and the goal of
# #17 in seconds (no slower than before it: 8.6 s and 3.6 s then)
EX_CHECKS = [("ch02-udpretry", 8.6), ("ch03-timeserver", 3.6), ("ch01-gophermenu", None)]


def build_and_test_times():
    """Full mode only: a clean build in a fresh directory, ./workbook test,
    ./workbook ex check after a one-line edit, and the last CI run's time."""
    rows = []
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as d:
        # What a student waits for before a tour, a lab or a run: the book's
        # programs (meson compile programs); then the rest, for the tests.
        start = time.monotonic()
        subprocess.run(["meson", "setup", d], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["meson", "compile", "-C", d, "programs"], cwd=ROOT, check=True,
                       capture_output=True)
        pair = Pair("time", "clean build of the programs", "-", 30)
        pair.t_ours = time.monotonic() - start
        rows.append(pair)
        subprocess.run(["meson", "compile", "-C", d], cwd=ROOT, check=True, capture_output=True)
        pair = Pair("time", "clean build of everything", "-", 90)
        pair.t_ours = time.monotonic() - start
        rows.append(pair)
    # ./workbook test on a built tree: what a contributor waits for after a
    # change (building everything first is not timed)
    subprocess.run(["meson", "compile", "-C", ROOT / "build"], cwd=ROOT, check=True, capture_output=True)
    start = time.monotonic()
    r = subprocess.run([str(ROOT / "workbook"), "test"], cwd=ROOT, capture_output=True)
    pair = Pair("time", "./workbook test (a built tree)", "-", 60)
    pair.t_ours = time.monotonic() - start
    if r.returncode != 0:
        pair.status = "FAILED: ./workbook test failed"
    rows.append(pair)
    # A student's loop: a one-line edit, then ex check (one compile, every
    # stage graded). The edit goes to the reference solution, which passes
    # (a starter would stop at stage 1, and its check would be recorded in
    # .workbook/progress); the file gets its bytes back afterwards.
    for ex_id, goal in EX_CHECKS:
        chapter, name = ex_id.split("-", 1)
        source = ROOT / chapter / "exercises" / "solutions" / f"{name}.cpp"
        text = source.read_bytes()
        try:
            source.write_bytes(text + b"// bench: a one-line edit\n")
            start = time.monotonic()
            r = subprocess.run([str(ROOT / "workbook"), "ex", "check", "--solution", ex_id], cwd=ROOT,
                               capture_output=True)
            pair = Pair("time", f"ex check {ex_id} after an edit", "-", goal)
            pair.t_ours = time.monotonic() - start
        finally:
            source.write_bytes(text)
        if r.returncode != 0:
            pair.status = f"FAILED: ./workbook ex check --solution {ex_id} failed"
        rows.append(pair)
    # CI takes a quarter of an hour and real root: .ci/run records its own
    # time (build/ci-seconds), and the table shows the last one.
    record = ROOT / "build" / "ci-seconds"
    if record.exists():
        seconds, when = record.read_text().split()
        pair = Pair("time", "CI: .ci/run (its last run)", when, 900)
        pair.t_ours = float(seconds)
        rows.append(pair)
    else:
        print("skipped: CI's time: no build/ci-seconds (run .ci/run as root first)", flush=True)
    return rows


# ------------------------------------------------------------- the table
def fmt(x, unit):
    if x is None:
        return "-"
    return f"{x:.3f}" if unit == "s" else f"{int(x / 1024 * 10) / 10:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--csv")
    ap.add_argument("--only", help="run only the groups named (bulk,echo,udp,dns,grade,time)")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    ap.add_argument("--inner-dns", action="store_true", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.serve:
        return serve_sendfile(opts.serve)
    build = Path(opts.build).resolve()
    global QUICK
    QUICK = opts.quick
    if opts.inner_dns:
        return inner_dns(build, opts.quick)

    groups = {"bulk": bulk_pairs, "echo": echo_pairs, "udp": udp_pairs, "dns": dns_pairs, "grade": grade_pairs}
    only = opts.only.split(",") if opts.only else list(groups) + ["time"]
    ci = os.environ.get("CI", "") not in ("", "false", "0")
    done, skipped, failed = [], [], []
    print(f"{'pair':<38} {'against':<30} {'ours s':>8} {'theirs s':>8} {'ratio':>6} "
          f"{'ours MiB':>8} {'their MiB':>9}  verdict", flush=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        for name, make in groups.items():
            if name not in only:
                continue
            try:
                for pair, job in make(build, opts.quick, tmp):
                    try:
                        if job:
                            job()
                    except Skip as e:
                        skipped.append(f"{pair.ours} against {pair.theirs}: {e}")
                        print(f"skipped: {pair.ours} against {pair.theirs}: {e}", flush=True)
                        continue
                    except (Failed, subprocess.CalledProcessError) as e:
                        pair.status = f"FAILED: {e}"
                    show(pair)
                    done.append(pair)
            except Skip as e:
                skipped.append(f"{name}: {e}")
                print(f"skipped: the {name} pairs: {e}", flush=True)
            except Failed as e:
                failed.append(f"{name}: {e}")
                print(f"FAILED: the {name} pairs: {e}", flush=True)
        if "time" in only and not opts.quick:
            for pair in build_and_test_times():
                show(pair)
                done.append(pair)
    failed += [f"{p.ours} against {p.theirs}: {p.status.removeprefix('FAILED: ')}" for p in done if p.status != "ok"]
    missed = [p for p in done if p.verdict().startswith("MISSED")]
    rss_over = [p for p in done if p.group in ("bulk", "echo", "udp") and p.rss_ours and p.rss_ours > 4096
                and not any(w in p.ours for w in ("libclient", "urlclient", "download"))]

    out = Path(opts.csv) if opts.csv else build / ("bench-quick.csv" if opts.quick else "bench.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group", "ours", "theirs", "ours_s", "theirs_s", "ratio", "ours_rss_kib",
                    "theirs_rss_kib", "goal", "status"])
        for p in done:
            w.writerow([p.group, p.ours, p.theirs, p.t_ours, p.t_theirs, p.ratio, p.rss_ours,
                        p.rss_theirs, p.goal, p.status])
    print(f"\n{len(done)} pairs; the table as CSV: {out}")
    if not opts.quick:
        print(f"goals missed: {len(missed)}; over 4 MiB peak RSS (no libcurl/ldns): "
              f"{', '.join(dict.fromkeys(p.ours for p in rss_over)) or 'none'}")
    for line in failed:
        print(f"FAILED: {line}", file=sys.stderr)
    if failed or (ci and skipped):
        if ci and skipped:
            print(f"bench: {len(skipped)} pairs skipped and CI is set", file=sys.stderr)
        return 1
    return 0


def show(p):
    verdict = p.verdict() if p.status == "ok" else p.status[:100]
    if p.group == "time":
        print(f"{p.ours:<38} {p.theirs:<30} {p.t_ours:>8.1f} {'':>8} {'':>6} {'':>8} {'':>9}  {verdict}",
              flush=True)
        return
    ratio = f"{p.ratio:.2f}" if p.ratio else "-"
    print(f"{p.ours:<38} {p.theirs:<30} {fmt(p.t_ours, 's'):>8} {fmt(p.t_theirs, 's'):>8} {ratio:>6} "
          f"{fmt(p.rss_ours, 'k'):>8} {fmt(p.rss_theirs, 'k'):>9}  {verdict} {p.note}".rstrip(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
