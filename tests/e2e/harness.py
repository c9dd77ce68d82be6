"""The harness of the workbook's end-to-end tests and exercise graders.

The tests run the workbook's programs as a student would: real processes,
real sockets, real peers. Everything here keeps that safe and tidy:

- prog(name) finds a built program; run() runs one to completion (bounded);
- Proc starts a long-running one (a server), waits for a line it prints,
  and always stops and reaps it;
- free_port() / wait_port() for third-party servers that cannot announce
  the port they bound;
- Namespace is a private network + mount namespace: only `lo`, and its own
  /etc/hosts, /etc/resolv.conf, /etc/nsswitch.conf, so nothing a program
  looks up can leave the machine; Lab is a chapter's lab (tests/lab/lab:
  the same servers the tour and `./workbook lab` start) in one;
- need() skips a test whose tool is missing, and fails it when CI is set.
"""

import functools
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("WORKBOOK_BUILD", SOURCE / "build"))
TIMEOUT = 20  # seconds: the bound on every wait in these tests
# meson test sets MALLOC_PERTURB_, a random byte that glibc's malloc writes
# into every block it hands out and every block it takes back, so that a
# program reading memory it never wrote misbehaves where a test sees it.
# It is meant for the programs under test. Inherited by everything a test
# starts (Python graders, compilers, dig, nsd, ...), it was a tenth of a
# whole run here (#17): so it leaves the environment here, and run() and
# Proc give it back to commands that start the build's own programs.
PERTURB = os.environ.pop("MALLOC_PERTURB_", None)


def _pytest():
    """pytest, imported when a skip or a failure is raised here: the
    exercises' graders share this harness but run without pytest (their own
    small runner, tests/exercises/grading.py, which knows pytest's skips and
    failures), and importing it was a third of a quick grader's run."""
    import pytest
    return pytest


def prog(name):
    """Path of a built program: prog("ch01/server")."""
    path = BUILD / name
    if not path.exists():
        _pytest().fail(f"{path} is not built; run `meson compile -C {BUILD}`")
    return str(path)


# CI=true (or any value but "", "0", "false"): a skip is a failure.
CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def need(*tools):
    """Skip (fail under CI) unless every tool is on PATH; returns their paths."""
    paths = []
    for tool in tools:
        path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
        if path is None:
            reason = f"{tool} is not installed (./workbook installs it)"
            if CI:
                _pytest().fail(reason + "; under CI a skip is a failure")
            _pytest().skip(reason)
        paths.append(path)
    return paths[0] if len(paths) == 1 else paths


# A test that needs real root says so with this prefix: under CI, as a
# normal user, such a skip is allowed (the root run of CI covers it).
ROOT_ONLY = "needs real root: "


def real_root():
    """True for root of the machine; false for a normal user, and for root
    inside a user namespace (uid 0 there, but not outside)."""
    try:
        full_map = Path("/proc/self/uid_map").read_text().split() == ["0", "0", "4294967295"]
    except OSError:
        full_map = True
    return os.geteuid() == 0 and full_map


def need_root(why):
    """Skips unless we are real root, naming why (xinetd cannot start
    services in a user namespace, for example) and how to see it anyway."""
    if not real_root():
        _pytest().skip(f"{ROOT_ONLY}{why}; run the tests as root (sudo ./workbook test) to see it")


def user_namespace():
    """unshare's flag for a user namespace (mapped to root inside): none is
    needed as root; a normal user needs one to make network and mount
    namespaces."""
    return [] if os.geteuid() == 0 else ["-r"]


@functools.cache  # (once per process: finding out starts a process)
def gophernicus_namespaces():
    """The command prefix that runs gophernicus (under its socat) in IPC and
    mount namespaces of its own (`unshare -i -m`, with `-r` when not root),
    or [] where unshare cannot.

    At its first connection gophernicus names the system it runs on (for
    its caps.txt) by running lsb_release twice: a shell script that starts
    a dozen processes, 0.15 s of CPU. It keeps the name in a System V
    shared memory segment with a fixed key, for the connections after; a
    segment another user made (root, say) is one it cannot use. In a
    namespace of its own the segment is the server's, gone when it stops;
    and inside, /dev/null (not executable) is mounted over lsb_release, so
    gophernicus takes the name from /etc/issue instead, at no cost. What it
    serves is the same."""
    cmd = ["unshare", "-i", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-i", "-m"]
    cmd += ["sh", "-c", 'mount --bind /dev/null /usr/bin/lsb_release 2>/dev/null; exec "$@"', "sh"]
    try:
        ok = subprocess.run([*cmd, "true"], capture_output=True, timeout=TIMEOUT).returncode == 0
    except OSError:
        ok = False  # no unshare: the server is only slower
    return tuple(cmd) if ok else ()


def _perturbed(args, kwargs):
    """kwargs, with MALLOC_PERTURB_ (PERTURB) in the environment when `args`
    runs one of the build's programs: an argument names one (the command,
    or a program it starts: nsenter, env, sh -c, a tracer, a grader)."""
    if PERTURB is not None and any(f"{BUILD}/" in a for a in args):
        env = os.environ if kwargs.get("env") is None else kwargs["env"]
        kwargs = {**kwargs, "env": {**env, "MALLOC_PERTURB_": PERTURB}}
    return kwargs


def run(args, input=b"", timeout=TIMEOUT, **kwargs):
    """Runs a command to completion; returns CompletedProcess with bytes."""
    args = [str(a) for a in args]
    return subprocess.run(
        args,
        input=input,
        capture_output=True,
        timeout=timeout,
        **_perturbed(args, kwargs),
    )


class Proc:
    """A background process whose output the test reads as it comes.

    Use as a context manager: on leaving, the process gets SIGTERM (then
    SIGKILL) and is reaped, whatever happened in the test.
    """

    def __init__(self, args, stdin=subprocess.DEVNULL, **kwargs):
        self.args = [str(a) for a in args]
        self.p = subprocess.Popen(
            self.args,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            **_perturbed(self.args, kwargs),
        )
        self.out = b""
        self.err = b""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _pump(self, timeout):
        """Reads what is ready on stdout/stderr within `timeout` seconds."""
        streams = [s for s in (self.p.stdout, self.p.stderr) if s and not s.closed]
        if not streams:
            return False
        ready, _, _ = select.select(streams, [], [], max(timeout, 0))
        for s in ready:
            data = os.read(s.fileno(), 65536)
            if not data:
                s.close()
            elif s is self.p.stdout:
                self.out += data
            else:
                self.err += data
        return bool(ready)

    def read_for(self, seconds):
        """Collects whatever the process prints during the next `seconds`
        (into .out and .err); for watching progress, not for waiting."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            got = self._pump(max(left, 0))
            if not got and (left <= 0 or self.p.poll() is not None):
                break  # time is up (and nothing more is ready), or it exited

    def wait_for(self, pattern, stream="out", timeout=TIMEOUT):
        """Waits until stdout (or stderr) matches the regex; returns the match."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out if stream == "out" else self.err)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or (not self._pump(left) and self.p.poll() is not None):
                raise AssertionError(
                    f"{self.args[0]}: no {pattern!r} within {timeout}s;"
                    f" exit={self.p.poll()} out={self.out!r} err={self.err!r}"
                )

    def port(self, pattern=rb"port (\d+)"):
        """Waits for the announced port ("... port N ...") and returns it."""
        return int(self.wait_for(pattern).group(1))

    def signal(self, sig):
        os.killpg(self.p.pid, sig)

    def finish(self, timeout=TIMEOUT):
        """Waits for the process to exit on its own; returns its exit status."""
        deadline = time.monotonic() + timeout
        while self.p.poll() is None or self._pump(0):
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.args[0]} did not exit within {timeout}s")
            self._pump(0.05)
        while self._pump(0):
            pass
        return self.p.returncode

    def stop(self):
        # The whole process group, even when its leader has exited already:
        # a forking server may have left children behind.
        try:
            os.killpg(self.p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()
        for s in (self.p.stdout, self.p.stderr):
            if s and not s.closed:
                try:
                    while self._pump(0):
                        pass
                except (OSError, ValueError):
                    pass
                s.close()


def _ephemeral_ports():
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return low, high


_GIVEN = set()  # ports this process handed out already


def free_port(family=socket.AF_INET, kind=socket.SOCK_STREAM):
    """A port that was free a moment ago, for a third-party server that
    cannot be told to use port 0 and report it.

    The suites run side by side, so the port comes from below the kernel's
    ephemeral range (ip_local_port_range): no port-0 bind and no outgoing
    connection of another test can take it before the server binds it. It
    is picked at random, never twice by one process, and is free on both
    loopback addresses for TCP and UDP, so only an equal random pick by
    another test in the same instant could collide."""
    low, _ = _ephemeral_ports()
    first = 10000 if low > 11000 else 1024
    rng = random.SystemRandom()
    for _ in range(1000):
        port = rng.randrange(first, low)
        if port in _GIVEN:
            continue
        try:
            for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                for k in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    with socket.socket(fam, k) as s:
                        if fam == socket.AF_INET6:
                            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                        s.bind((host, port))
        except OSError:
            continue  # taken (or no IPv6): another
        _GIVEN.add(port)
        return port
    raise AssertionError("no free port below the ephemeral range after 1000 tries")


def wait_port(port, host="127.0.0.1", timeout=TIMEOUT, proc=None):
    """Waits until a TCP port accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.p.poll() is not None:
            raise AssertionError(f"{proc.args[0]} exited: {proc.err!r}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {host}:{port} after {timeout}s")


def connect(port, host="127.0.0.1", timeout=TIMEOUT):
    """A client socket connected to a local port, with a bounded timeout."""
    s = socket.create_connection((host, port), timeout=timeout)
    return s


def recv_all(sock, limit=64 << 20, reset_ok=False):
    """Reads until the peer closes (or `limit` bytes). With reset_ok, a
    connection reset ends the reading too, and what came before it counts."""
    data = bytearray()  # (growing bytes would copy all that came before at every piece)
    while len(data) < limit:
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            if not reset_ok:
                raise
            break
        if not piece:
            break
        data += piece
    return bytes(data)


class Namespace:
    """A private network and mount namespace: the lab.

    Only `lo` exists inside (brought up), so no packet can leave the machine.
    `files` maps paths such as "/etc/hosts" to their contents; each is
    bind-mounted over the real file, inside the namespace only. Programs run
    inside through run() and spawn(), which use nsenter.
    """

    def __init__(self, files=None):
        need("unshare", "nsenter")
        self.dir = tempfile.mkdtemp(prefix="workbook-lab-")
        files = {"/etc/nsswitch.conf": "hosts: files dns\n", **(files or {})}
        mounts = []
        for i, (target, text) in enumerate(files.items()):
            src = Path(self.dir) / f"file{i}"
            src.write_text(text)
            mounts.append(f"mount --bind {src} {target}")
        user = user_namespace()
        self.userns = bool(user)
        script = "ip link set lo up && " + " && ".join(mounts + ["echo ready", "exec sleep 100000"])
        self.holder = Proc(["unshare", *user, "-n", "-m", "sh", "-c", script])
        try:
            self.holder.wait_for("ready")
        except BaseException:
            self.close()
            raise

    def enter(self, args):
        flags = ["-n", "-m"] + (["-U", "--preserve-credentials"] if self.userns else [])
        return ["nsenter", "-t", str(self.holder.p.pid), *flags, "--", *[str(a) for a in args]]

    def run(self, args, **kwargs):
        return run(self.enter(args), **kwargs)

    def spawn(self, args, **kwargs):
        return Proc(self.enter(args), **kwargs)

    def close(self):
        self.holder.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Lab(Namespace):
    """A chapter's lab, as tests/lab/lab defines it for the tour, `./workbook
    lab` and the tests alike: Lab("ch02") is nginx as www.google.com and the
    rest of tests/lab/ch02. `options` are the starter's (--address ::1,
    --zones DIR, ...). Programs run inside through run() and spawn();
    `dir` holds the servers' files and logs."""

    def __init__(self, chapter, *options, timeout=60):
        need("unshare", "nsenter")
        self.dir = tempfile.mkdtemp(prefix=f"workbook-lab-{chapter}-")
        self.userns = bool(user_namespace())
        self.network = "--host-network" not in options
        self.holder = Proc([str(SOURCE / "tests" / "lab" / "lab"), "start", chapter, self.dir,
                            *[str(o) for o in options]])
        try:
            self.holder.wait_for("lab ready", timeout=timeout)
        except BaseException:
            self.close()
            raise

    def enter(self, args):
        flags = (["-n"] if self.network else []) + ["-m"]
        flags += ["-U", "--preserve-credentials"] if self.userns else []
        return ["nsenter", "-t", str(self.holder.p.pid), *flags, "--", *[str(a) for a in args]]
