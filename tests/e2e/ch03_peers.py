"""Real peers for chapter 3's servers: xinetd and systemd-socket-activate
(the superservers that run the inetd programs), and a real syslog daemon
(rsyslogd or busybox syslogd) reached through /dev/log in a private mount
namespace.

Every peer is a context manager: leaving it stops and reaps its processes
and removes its files, whatever happened in the test.
"""

import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

from harness import TIMEOUT, Proc, free_port, need, need_root, user_namespace


def wait_file(path, pattern, timeout=TIMEOUT, count=1):
    """Waits until the file holds `count` matches of the regex; returns its text."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while True:
        text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
        if len(rx.findall(text)) >= count:
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"{path}: no {count} x {pattern!r} within {timeout}s: {text!r}")
        time.sleep(0.05)


# ------------------------------------------------------------------ xinetd

XINETD_SERVICE = """\
service {name}
{{
\ttype = UNLISTED
\tsocket_type = {socket_type}
\tprotocol = {protocol}
\twait = {wait}
\tuser = root
\tbind = {bind}
\tport = {port}
\tserver = {server}
{server_args}{passenv}\tlog_type = FILE {log}
\tlog_on_success = PID EXIT
\tlog_on_failure = HOST
}}
"""


class Xinetd:
    """xinetd in the foreground, running the given services on free
    loopback ports. `services` maps a name to (program, kind, args) with
    kind "stream" (TCP, nowait), "stream-wait" (TCP, wait: the program gets
    the listening socket and accepts itself) or "dgram" (UDP, wait).
    .port[name] is the service's port; .log is the services' log (START/EXIT with pids and
    exit statuses)."""

    def __init__(self, services, bind="127.0.0.1"):
        need_root("xinetd (it cannot start services in a user namespace)")
        xinetd = need("xinetd")
        self.dir = Path(tempfile.mkdtemp(prefix="workbook-xinetd-"))
        self.log = self.dir / "services.log"
        self.port = {}
        conf = ""
        # The sanitizers' settings reach the programs (xinetd clears the
        # environment), so that a sanitizer report shows as an exit status.
        passenv = [v for v in ("ASAN_OPTIONS", "UBSAN_OPTIONS") if v in os.environ]
        for name, (program, kind, args) in services.items():
            family = socket.AF_INET6 if ":" in bind else socket.AF_INET
            stream = kind in ("stream", "stream-wait")
            kind_socket = socket.SOCK_STREAM if stream else socket.SOCK_DGRAM
            self.port[name] = free_port(family, kind_socket)
            conf += XINETD_SERVICE.format(
                name=name, socket_type="stream" if stream else kind, protocol="tcp" if stream else "udp",
                wait="no" if kind == "stream" else "yes", bind=bind, port=self.port[name],
                server=program, log=self.log,
                server_args=f"\tserver_args = {' '.join(args)}\n" if args else "",
                passenv=f"\tpassenv = {' '.join(passenv)}\n" if passenv else "")
        (self.dir / "xinetd.conf").write_text(conf)
        self.daemon_log = self.dir / "xinetd.log"
        self.proc = Proc([xinetd, "-dontfork", "-f", self.dir / "xinetd.conf",
                          "-pidfile", self.dir / "xinetd.pid", "-filelog", self.daemon_log])
        try:
            wait_file(self.daemon_log, rf"Started working: {len(services)} available service")
        except BaseException:
            self.close()
            raise

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""

    def close(self):
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def socket_activate(args, listen, datagram=False):
    """systemd-socket-activate in its inetd modes: a TCP "nowait" service
    (-a: a new program per connection) or a UDP one (-d: the program gets
    the socket itself, once). Returns the Proc after it listens."""
    ssa = need("systemd-socket-activate")
    mode = ["-d"] if datagram else ["-a"]
    proc = Proc([ssa, *mode, "-l", listen, "--inetd", *args])
    proc.wait_for(rb"Listening on ", stream="err")
    return proc


# ------------------------------------------------------------------ syslog

# A private /dev: a tmpfs with the device nodes a program needs bound back
# from the real /dev, and room for the daemon's own /dev/log socket.
PRIVATE_DEV = """\
set -e
mkdir -p {dir}/realdev
mount --rbind /dev {dir}/realdev
mount -t tmpfs -o mode=755 tmpfs /dev
for n in null zero full random urandom tty; do
  touch /dev/$n; mount --bind {dir}/realdev/$n /dev/$n
done
mkdir /dev/pts /dev/shm
mount --rbind {dir}/realdev/pts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr
umount -l {dir}/realdev
echo ready
exec sleep 100000
"""

# Every message, as FACILITY.SEVERITY TAG MESSAGE, one line each. Control
# characters are stored as they come (not as #012): a program that lets a
# newline through would show up as a broken line.
RSYSLOG_CONF = """\
global(workDirectory="{dir}" parser.escapeControlCharactersOnReceive="off")
module(load="imuxsock" SysSock.Name="/dev/log" SysSock.UsePIDFromSystem="off")
template(name="plain" type="string"
         string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg%\\n")
*.* action(type="omfile" file="{dir}/messages" template="plain")
"""


class SyslogLab:
    """A private mount namespace whose /dev/log belongs to a real syslog
    daemon: rsyslogd (daemon="rsyslog") or busybox syslogd ("busybox").
    Programs run inside with .run() / .spawn(); they keep the host's
    network, so a test reaches a server inside on 127.0.0.1. .messages()
    returns what the daemon stored."""

    def __init__(self, daemon="rsyslog"):
        need("unshare", "nsenter")
        self.dir = Path(tempfile.mkdtemp(prefix="workbook-syslog-"))
        self.file = self.dir / "messages"
        self.userns = bool(user_namespace())
        self.holder = Proc(["unshare", *user_namespace(), "-m", "--propagation", "private", "sh", "-c",
                            PRIVATE_DEV.format(dir=self.dir)])
        self.daemon = None
        try:
            self.holder.wait_for("ready")
            if daemon == "rsyslog":
                rsyslogd = need("rsyslogd")
                conf = self.dir / "rsyslog.conf"
                conf.write_text(RSYSLOG_CONF.format(dir=self.dir))
                command = [rsyslogd, "-n", "-f", conf, "-i", self.dir / "rsyslogd.pid"]
            else:
                command = [need("busybox"), "syslogd", "-n", "-O", self.file]
            self.daemon = Proc(self.enter(command))
            devlog = Path(f"/proc/{self.holder.p.pid}/root/dev/log")
            deadline = time.monotonic() + TIMEOUT
            while not devlog.is_socket():
                if time.monotonic() > deadline or self.daemon.p.poll() is not None:
                    self.daemon.stop()
                    raise AssertionError(f"{daemon} made no /dev/log: {self.daemon.err!r}")
                time.sleep(0.05)
        except BaseException:
            self.close()
            raise

    def enter(self, args):
        user = ["-U", "--preserve-credentials"] if self.userns else []
        return ["nsenter", "-t", str(self.holder.p.pid), "-m", *user, "--", *[str(a) for a in args]]

    def spawn(self, args, **kwargs):
        return Proc(self.enter(args), **kwargs)

    def messages(self, pattern, count):
        """Waits until `count` stored lines match the regex; returns every stored line."""
        wait_file(self.file, pattern, count=count)
        return self.file.read_text(errors="replace").splitlines()

    def close(self):
        if self.daemon is not None:
            self.daemon.stop()
        self.holder.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
