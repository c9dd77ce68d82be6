"""The sandbox a student's code runs in (bubblewrap): its compile when a
teacher grades, and every run of the program, whether a teacher grades or
a student checks.

A student's program is code nobody has read. Inside the sandbox it sees:

- the system's /usr and /etc (read-only: compilers, libraries, hosts);
- its own binary (read-only), a private /tmp (a small tmpfs), its own
  /proc (a PID namespace: it sees only itself and its children) and /dev;
- for a compile, the teacher's tree as a copy without the solutions, the
  graders and the teacher's build, and the student's own build folder, the
  one writable place;
- nothing else: no home, no submissions, no other student.

It runs as an unprivileged uid (as root the sandbox first becomes
`nobody`; a normal user is mapped to uid 65534 inside a user namespace),
with limits (LIMITS). It shares the grader's network namespace, so the
grader talks to it over loopback as before, and nothing else. When the
program ends, or the grader kills it, its PID namespace ends with it:
nothing it started outlives it.

The grader stays outside. It runs the program through a small wrapper
script (write_wrapper) named like the program, so graders, superservers
(xinetd, systemd-socket-activate) and the report all use it unchanged. The
wrapper starts the program with sandbox-exec (sandbox_exec.cpp, built with
the programs), one small process in place of setpriv, env and prlimit: a
class's grading starts programs by the hundred. A compile (once per
student and exercise) uses those tools themselves (bwrap()).
"""

import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import BUILD, real_root  # noqa: E402  (root of the machine, not of a user namespace)

NOBODY = 65534  # the uid and gid the program runs as
# Limits on each run (set inside the sandbox, so the process limit counts
# only the sandbox's own processes): processes, address space, file size, CPU
# seconds, core dumps. The wall time and the output are bounded by the
# graders (STAGE_TIMEOUT, OUTPUT_CAP); open files by the system's limit.
LIMITS = {"nproc": 256, "as": 1 << 30, "fsize": 64 << 20, "cpu": 60, "core": 0}
COMPILE_LIMITS = {**LIMITS, "as": 4 << 30, "cpu": 120}
# The environment a program gets: these variables when set (the socket a
# superserver hands over, the sanitizers' options a grader chooses) and a
# fixed PATH, nothing else of the grader's: not the teacher's variables
# (which a program could print into its report), not the locale (error
# messages stay as the graders expect them), not a test run's
# MALLOC_PERTURB_ (which fills every allocation: a program that asks for
# 1 GiB then writes all of it).
KEEP_ENV = ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")
PATH = "/usr/local/bin:/usr/bin:/bin"  # (set by sandbox_exec.cpp: its kPath)
TMP_SIZE = 64 << 20  # bytes: the private /tmp
# (The signals a grader sends to the program's process group, Ctrl-C and
# the like, bwrap ignores: else it would end, and the sandbox with it,
# before the program could end as it chooses; the program gets the default
# handling back. sandbox_exec.cpp's kForwarded lists them.)
EXEC_TARGET = "tests/exercises/sandbox-exec"  # its ninja target, and its path in a build
EXEC_INSIDE = "/sandbox/.sandbox-exec"  # where a wrapper's sandbox has it


def workdir(prefix, parent=None):
    """A new folder (tempfile.mkdtemp's) that the sandbox's uid can reach:
    as root the sandbox runs as nobody, who cannot enter a TMPDIR that is
    root's alone (pytest's, say); then it is made in /tmp instead."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    if real_root() and not all(p.stat().st_mode & stat.S_IXOTH for p in path.parents):
        shutil.rmtree(path)
        path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def _system():
    """bwrap's arguments for the system's read-only parts."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    # /dev/log: a syslog daemon's socket, where a grader's lab has one
    args += ["--proc", "/proc", "--dev", "/dev", "--ro-bind-try", "/dev/log", "/dev/log",
             "--size", str(TMP_SIZE), "--tmpfs", "/tmp"]
    return args


def _prlimit(limits):
    if not limits:
        return []
    return ["/usr/bin/prlimit", *[f"--{k}={v}" for k, v in limits.items()], "--"]


def _bwrap(binds, network, cwd):
    """bwrap and its arguments (without the command): the system's
    read-only parts, then `binds` (--ro-bind SRC DEST, --bind ...);
    network=False gives it no network at all."""
    return [shutil.which("bwrap") or "bwrap", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            *([] if network else ["--unshare-net"]),
            "--die-with-parent", "--hostname", "sandbox", *_system(), *binds,
            "--remount-ro", "/", "--chdir", cwd]


def bwrap(binds, command, limits=LIMITS, network=True, cwd="/tmp"):
    """The command line that runs `command` in the sandbox, with `binds`
    added to the system's read-only parts (_bwrap)."""
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if real_root() else []
    return [*drop, *_bwrap(binds, network, cwd), "--", "/usr/bin/env", "--default-signal", *_prlimit(limits),
            *command]


def sandbox_exec():
    """The build's sandbox-exec: the build whose programs the graders run
    (harness.BUILD: WORKBOOK_BUILD, else this tree's build/)."""
    return BUILD / EXEC_TARGET


_available = None


def available():
    """(True, "") when the sandbox works here, else (False, why) in a line.
    Finding out makes a sandbox (six processes); once it has worked, the
    processes this one starts are told so (WORKBOOK_SANDBOX_WORKS=1 in the
    environment) and do not make one again: the exercises' tests start
    check.py some 140 times. Wrongly told, a program's runs fail, loudly;
    none runs outside the sandbox for it."""
    global _available
    if _available is None and os.environ.get("WORKBOOK_SANDBOX_WORKS") == "1":
        _available = (True, "")
    if _available is None:
        if not shutil.which("bwrap") or not shutil.which("setpriv"):
            _available = (False, "bubblewrap is not installed (Debian package bubblewrap)")
        else:
            try:
                r = subprocess.run(bwrap([], ["/bin/true"]), capture_output=True, text=True, timeout=20)
                ok = r.returncode == 0
                why = (r.stderr.strip().splitlines() or ["exit status %d" % r.returncode])[-1]
            except (OSError, subprocess.TimeoutExpired) as e:
                ok, why = False, str(e)
            _available = (True, "") if ok else (False, f"bubblewrap cannot make a sandbox here ({why})")
            if ok:
                os.environ["WORKBOOK_SANDBOX_WORKS"] = "1"
    return _available


def sanitized(binary):
    """True for a program built with AddressSanitizer, which reserves
    terabytes of address space: the address-space limit cannot apply."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def write_wrapper(binary, folder):
    """Copies `binary` into `folder` (from workdir()), with sandbox-exec, and
    writes beside it an executable script with the program's own name that
    runs the copy in the sandbox with the script's arguments. Returns the
    script's path: graders run it as they would the program."""
    binary = Path(binary)
    folder = Path(folder)
    launcher = sandbox_exec()
    if not launcher.exists():
        raise FileNotFoundError(f"{launcher} is not built (ninja -C {launcher.parents[2]} {EXEC_TARGET})")
    inside = folder / "bin"
    inside.mkdir(mode=0o755)
    copy = inside / binary.name
    shutil.copy2(binary, copy)
    copy.chmod(0o755)
    exec_copy = inside / ".sandbox-exec"
    shutil.copy2(launcher, exec_copy)
    exec_copy.chmod(0o755)
    limits = dict(LIMITS)
    if sanitized(copy):
        del limits["as"]
    inner = f"/sandbox/{binary.name}"
    # sandbox-exec keeps each limit unless a lower one is set already (a
    # grader's prlimit --nofile=16 NAME), passes on only KEEP_ENV, and
    # becomes nobody when grading as root (sandbox_exec.cpp)
    command = [str(exec_copy), "--inside", EXEC_INSIDE, *(["--drop", str(NOBODY)] if real_root() else [])]
    for name, value in limits.items():
        command += ["--limit", f"{name}={value}"]
    for name in KEEP_ENV:
        command += ["--keep", name]
    command += ["--", *_bwrap(["--ro-bind", str(copy), inner, "--ro-bind", str(exec_copy), EXEC_INSIDE],
                              network=True, cwd="/tmp"), "--", inner]
    script = folder / binary.name
    script.write_text(
        "#!/bin/sh\n"
        f"# {binary.name}, run in the grading sandbox (tests/exercises/sandbox.py wrote this)\n"
        f'exec {shlex.join(command)} "$@"\n')
    script.chmod(0o755)
    return script


def status(returncode):
    """bwrap reports a program killed by signal N as exit status 128 + N,
    as a shell does; this gives Python's form back (-N)."""
    if returncode is not None and 128 < returncode <= 128 + 64:
        return 128 - returncode
    return returncode
