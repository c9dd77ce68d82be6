"""The limits a student should know that the stress matrix (tests/stress/,
./workbook stress) shows, each shown once here as a plain test: an
iterative server serves nobody else while one client holds it (a slow one,
or one that never reads its echo), and the book's listen queue of one makes
the rest of a crowd wait for the kernel to retry their SYN. The
concurrent servers of the exercises do not wait."""

import select
import signal
import socket
import sys
import time

import pytest

from harness import BUILD, SOURCE, TIMEOUT, Proc, free_port, need_root, prog, recv_all

sys.path.insert(0, str(SOURCE / "tests" / "stress"))
import stress  # noqa: E402  (the matrix's own bad clients)
from stress import never_reads  # noqa: E402

HOST = "127.0.0.1"

# The iterative servers that read what a client sends (basicserver and
# errorserver close at once), with a well-behaved client's request and the
# check of its reply, as the matrix has them.
ITERATIVE = [s for s in stress.SERVERS if s.proto == "tcp" and not s.concurrent and s.request]
POLLECHO = "ch03/exercises/solutions/pollecho"


def server(name):
    if "/solutions/" in name and not (SOURCE / f"{name}.cpp").exists():
        pytest.skip("a handout has no reference solutions")
    prog(name)  # built?
    srv = next(s for s in stress.SERVERS if s.prog == name)
    p = Proc(srv.argv(BUILD))
    return p, p.port()


def ask(port, request):
    """A well-behaved client: connects, sends its request and EOF."""
    c = socket.create_connection((HOST, port), timeout=TIMEOUT)
    c.sendall(request)
    c.shutdown(socket.SHUT_WR)
    return c


def answered_within(c, seconds):
    return bool(select.select([c], [], [], seconds)[0])


def slow(port):
    """A client that sends one byte of a line, then nothing (slowloris)."""
    return stress.slow_client(port, b"h")


@pytest.mark.parametrize("srv", ITERATIVE, ids=[s.name for s in ITERATIVE])
def test_an_iterative_server_waits_for_a_slow_client(srv):
    p, port = server(srv.prog)
    with p, slow(port) as bad, ask(port, srv.request) as c:
        # Not answered while the slow client holds the server (1 s shows it;
        # the server could wait for ever)...
        assert not answered_within(c, 1)
        bad.close()
        # ...and served as soon as the slow one has gone.
        assert srv.expect(recv_all(c))


def test_echoserver_waits_for_a_client_that_never_reads():
    p, port = server("ch03/echoserver")
    with p, never_reads(port) as bad, ask(port, b"hello\n") as c:
        assert not answered_within(c, 1)
        bad.close()
        assert recv_all(c) == b"hello\n"


@pytest.mark.parametrize("bad_client", [slow, never_reads])
def test_pollecho_serves_others_meanwhile(bad_client):
    p, port = server(POLLECHO)
    with p, bad_client(port), ask(port, b"hello\n") as c:
        assert recv_all(c) == b"hello\n"


@pytest.mark.parametrize("name,connected", [("ch03/basicserver", 2), (POLLECHO, 6)])
def test_a_listen_queue_of_one_takes_two_connections(name, connected):
    """listen(s, 1), the book's queue: while the server is busy (stopped
    here), Linux completes the handshake of backlog + 1 = 2 clients; the
    SYN of the others is dropped, and their kernel sends it again after 1 s,
    3 s, 7 s ... pollecho listens with SOMAXCONN: all 6 connect at once."""
    p, port = server(name)
    with p:
        p.signal(signal.SIGSTOP)
        socks = []
        try:
            for _ in range(6):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex((HOST, port))
                socks.append(s)
            pending, done = list(socks), []
            deadline = time.monotonic() + TIMEOUT
            while len(done) < connected and time.monotonic() < deadline:
                for s in select.select([], pending, [], max(deadline - time.monotonic(), 0))[1]:
                    pending.remove(s)
                    done.append(s)
            assert len(done) == connected
            # The others wait: the first retry of a dropped SYN comes after
            # 1 s, so none of them connects within 0.5 s.
            assert not pending or not select.select([], pending, [], 0.5)[1]
        finally:
            p.signal(signal.SIGCONT)
            for s in socks:
                s.close()


@pytest.mark.parametrize("name", ["ch03/echoserver", POLLECHO])
def test_a_half_open_connection_holds_an_iterative_server(name):
    """A client that vanishes without a word (its machine crashed; here
    TCP_REPAIR closes its socket silently) leaves the server's side open:
    echoserver waits on it for ever, pollecho serves the others. When the
    client's machine comes back, its SYN from the same port ends it."""
    need_root("TCP_REPAIR, which makes a half-open connection, needs CAP_NET_ADMIN")
    p, port = server(name)
    with p:
        # (its port from below the ephemeral range: once it has vanished, no
        # connection of a test beside this one can be given that port, and
        # the SYN that ends it must come from that port to this server)
        c = socket.create_connection((HOST, port), timeout=TIMEOUT, source_address=(HOST, free_port()))
        client = c.getsockname()[1]
        if name == POLLECHO:
            c.sendall(b"x")  # pollecho says nothing on accept: its echo shows it has it
            assert c.recv(1) == b"x"
        else:
            p.wait_for(rf"Got connection from \('127\.0\.0\.1', {client}\)")
        stress.vanish(c)
        with ask(port, b"hello\n") as probe:
            if name == POLLECHO:
                assert recv_all(probe) == b"hello\n"
                return
            assert not answered_within(probe, 1)
            stress.end_half_open(port, client, lambda: answered_within(probe, 0.05))
            assert recv_all(probe) == b"hello\n"


@pytest.mark.parametrize("name", ["ch03/echoserver", "ch03/syslogserver"])
def test_ctrl_c_stops_a_server_waiting_for_a_client_that_never_reads(name):
    """Found by the stress matrix: echoserver, its send() waiting for room,
    did not stop on Ctrl-C (common/sockets.cpp's send_all now waits with
    wb::wait_writable()); syslogserver sends through SocketFile."""
    p, port = server(name)
    with p, never_reads(port):
        p.signal(signal.SIGINT)
        assert p.finish() == 0
