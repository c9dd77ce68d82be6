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

from harness import TIMEOUT, Lab, Proc, free_port, need, need_root


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

class SyslogLab(Lab):
    """Chapter 3's lab (tests/lab/ch03): a private mount namespace whose
    /dev/log belongs to a real syslog daemon, rsyslogd (daemon="rsyslog",
    configured by tests/lab/ch03/rsyslog.conf) or busybox syslogd
    ("busybox"). Programs run inside with .run() / .spawn(); they keep the
    host's network here, so a test reaches a server inside on 127.0.0.1.
    .messages() returns what the daemon stored."""

    def __init__(self, daemon="rsyslog"):
        need("rsyslogd" if daemon == "rsyslog" else "busybox")
        super().__init__("ch03", "--syslog", daemon, "--host-network")
        self.file = Path(self.dir) / "messages"

    def messages(self, pattern, count):
        """Waits until `count` stored lines match the regex; returns every stored line."""
        wait_file(self.file, pattern, count=count)
        return self.file.read_text(errors="replace").splitlines()
