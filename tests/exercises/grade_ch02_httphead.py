"""Grader of ch02-httphead: an HTTP/1.0 reply read as status, headers, body size.

Stages 1-2 talk to nginx (Debian's package, on a free loopback port); the
expected output comes from the same reply read by the grader with a plain
socket (the Date header changes from one request to the next, so its value
is masked on both sides). The later stages use the grader's own servers,
Python threads on loopback that misbehave on purpose: one byte at a time,
bare LF line ends, no Content-Length, a connection left open, a close in the
middle of the headers or of the body, a bad status line, endless headers.
"""

import re
import socket
import time

from grading import command_line, fail, fixture, printable, run, stage
from ch02_peers import Nginx, ThreadServer, http_get, read_request  # noqa: E402 (grading puts tests/e2e on the path)

REQUEST_TIMEOUT = 12  # seconds: how long a server thread waits for the program


def head_and_body(raw):
    """Splits a raw reply at the empty line (CR LF or bare LF line ends)."""
    m = re.search(rb"\r?\n\r?\n", raw)
    return (raw[:m.start()], raw[m.end():]) if m else (raw, b"")


def expected_output(raw):
    """What httphead prints for a complete reply `raw`."""
    head, body = head_and_body(raw)
    lines = [line.rstrip(b"\r") for line in head.split(b"\n")]
    _, code, reason = (lines[0].split(b" ", 2) + [b""])[:3]
    out = b"Status: " + code + (b" " + reason if reason else b"") + b"\n"
    length = len(body)
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        out += name + b": " + value.strip() + b"\n"
        if name.lower() == b"content-length":
            length = int(value)
    return out + b"Body: %d bytes\n" % length


def printable_note(data, note):
    """What a server sent, and how: for a failure message's `sent` line."""
    return f"{printable(data)}   ({note})"


def mask_date(text):
    return re.sub(rb"(?m)^Date: .*$", b"Date: (masked)", text)


def check_output(result, did, sent, expected, mask=False, note=None):
    got = mask_date(result.out) if mask else result.out
    if mask:
        expected = mask_date(expected)
    if got != expected:
        fail("stdout is not what was expected", did=did, sent=sent, expected=expected, got=got, result=result,
             note=note)
    if result.err or result.status != 0:
        fail("the output was right, but the program should exit 0 with nothing on stderr",
             did=did, result=result)


def check_error(result, did, sent, why, stdout_empty=False):
    """A broken reply: one line on stderr, exit 1, no Body line."""
    if result.status != 1 or result.err.count(b"\n") != 1 or not result.err.endswith(b"\n"):
        fail(f"{why}: expected a one-line error on stderr and exit status 1", did=did, sent=sent,
             got=result.out or "nothing on stdout", result=result)
    if b"Body:" in result.out:
        fail(f"{why}, yet a Body line was printed", did=did, sent=sent, got=result.out, result=result)
    if stdout_empty and result.out:
        fail(f"{why}: nothing should be printed on stdout", did=did, sent=sent, got=result.out, result=result)


def serve(reply, pace=0.0, hold=False):
    """A handler for ThreadServer: reads the request, sends `reply` (a byte
    at a time, `pace` seconds apart, when pace is set), then either closes
    or (hold) waits for the client to close first."""
    def handler(conn):
        conn.settimeout(REQUEST_TIMEOUT)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        handler.request = read_request(conn)
        if pace:
            for i in range(len(reply)):
                conn.sendall(reply[i:i + 1])
                time.sleep(pace)  # pacing the peer on purpose: one byte per segment
        else:
            conn.sendall(reply)
        if hold:
            while conn.recv(4096):
                pass
    handler.request = None
    return handler


def against(program, handler, path="/", **kwargs):
    """Runs the program against a grader's server; returns (Result, did).
    `kwargs` go to run() (timeout, waiting_for)."""
    with ThreadServer(handler) as server:
        args = [program, "--port", server.port, "127.0.0.1", path]
        result = run(args, **kwargs)
    return result, command_line(args)


def nginx_note(raw):
    head, _ = head_and_body(raw)
    shown = printable(head + b"\r\n\r\n", 400)
    return (f"nginx's reply to the same request, read by the grader: {shown} and the body;"
            " the Date header's value is masked on both sides")


@fixture(scope="module")
def nginx(tmp_path_factory):
    with Nginx(tmp_path_factory.mktemp("nginx")) as server:
        yield server


@stage("nginx: a page's status line, its headers in order, and its body's size", hint=1)
def test_nginx_page(program, nginx):
    raw = http_get(nginx.port, "/index.html")
    args = [program, "--port", nginx.port, "127.0.0.1", "/index.html"]
    result = run(args)
    check_output(result, command_line(args) + f"   (nginx on 127.0.0.1 port {nginx.port})", None,
                 expected_output(raw), mask=True, note=nginx_note(raw))


@stage("nginx over IPv6: a 404 reply is a reply like any other", hint=1)
def test_nginx_missing_over_ipv6(program, nginx):
    raw = http_get(nginx.port, "/nosuch.html", host="::1")
    args = [program, "--port", nginx.port, "::1", "/nosuch.html"]
    result = run(args)
    check_output(result, command_line(args) + f"   (nginx on ::1 port {nginx.port})", None,
                 expected_output(raw), mask=True, note=nginx_note(raw))


ONE_BYTE = (b"HTTP/1.0 200 OK\r\nServer: trickle\r\nContent-Type: text/plain\r\n"
            b"Content-Length: 19\r\n\r\none byte at a time\n")


@stage("a server that sends its reply one byte at a time", hint=2)
def test_one_byte_at_a_time(program):
    handler = serve(ONE_BYTE, pace=0.002)
    result, did = against(program, handler, "/trickle")
    if handler.request != b"GET /trickle HTTP/1.0\r\n\r\n":
        fail("the server did not receive the request it expected", did=did,
             expected=b"GET /trickle HTTP/1.0\r\n\r\n", got=handler.request or b"", result=result)
    check_output(result, did, printable_note(ONE_BYTE, "one byte per send(), 2 ms apart"),
                 expected_output(ONE_BYTE))


LF_ONLY = (b"HTTP/1.0 200 OK\nServer: sloppy\nContent-Type:text/plain\n"
           b"X-Padded:    lots of space   \nContent-Length: 6\n\nhello\n")


@stage("a sloppy server: bare LF line ends, odd spacing around values", hint=3)
def test_lf_only(program):
    result, did = against(program, serve(LF_ONLY))
    expected = (b"Status: 200 OK\nServer: sloppy\nContent-Type: text/plain\n"
                b"X-Padded: lots of space\nContent-Length: 6\nBody: 6 bytes\n")
    check_output(result, did, LF_ONLY, expected)


NO_LENGTH_HEAD = b"HTTP/1.0 200 OK\r\nServer: streamer\r\nContent-Type: application/octet-stream\r\n\r\n"
NO_LENGTH_BODY = bytes(range(256)) * 1200  # 307200 bytes


@stage("no Content-Length: the body is every byte up to the close", hint=4)
def test_no_content_length(program):
    reply = NO_LENGTH_HEAD + NO_LENGTH_BODY
    result, did = against(program, serve(reply))
    check_output(result, did, printable_note(reply, "then the server closes"), expected_output(reply))


HELD = b"HTTP/1.0 200 OK\r\nServer: lingerer\r\nContent-Length: 12\r\n\r\nhello world\n"


@stage("Content-Length says where the body ends: no waiting for the close", hint=4)
def test_content_length_connection_held(program):
    result, did = against(program, serve(HELD, hold=True), timeout=5,
                          waiting_for="it to exit after the 12 body bytes that Content-Length announced"
                                      " (the server keeps the connection open)")
    check_output(result, did, printable_note(HELD, "then the server waits for the client to close"),
                 expected_output(HELD))


SHORT = b"HTTP/1.0 200 OK\r\nServer: quitter\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100


@stage("a body cut short of its Content-Length is an error", hint=4)
def test_short_body(program):
    result, did = against(program, serve(SHORT))
    check_error(result, did, printable_note(SHORT, "then the server closes"),
                "the server closed after 100 of the 1000 body bytes it announced")


CUT_HEAD = b"HTTP/1.0 200 OK\r\nServer: quitter\r\nContent-Le"


@stage("a close in the middle of the headers is an error", hint=5)
def test_close_in_headers(program):
    result, did = against(program, serve(CUT_HEAD))
    check_error(result, did, printable_note(CUT_HEAD, "then the server closes"),
                "the server closed before the end of the header section")


BAD_STATUS = [b"ICY 200 OK\r\nicy-name: a radio station\r\n\r\nmusic",
              b"HTTP/1.0 2OO OK\r\nServer: typo\r\nContent-Length: 2\r\n\r\nhi",
              b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"]


@stage("a malformed status line is an error, with nothing on stdout", hint=5)
def test_bad_status_line(program):
    for reply in BAD_STATUS:
        result, did = against(program, serve(reply))
        check_error(result, did, reply, "the status line is not 'HTTP/x.y CODE REASON'", stdout_empty=True)


FLOOD_LIMIT = 64 << 20  # bytes: a flooding server stops there, and waits


def flood(start, line):
    """A server that sends `start`, then `line` again and again, up to
    FLOOD_LIMIT bytes or until the client goes; then it waits for the close."""
    def handler(conn):
        conn.settimeout(REQUEST_TIMEOUT)
        read_request(conn)
        try:
            conn.sendall(start)
            block = line * (65536 // len(line) + 1)
            for _ in range(FLOOD_LIMIT // len(block)):
                conn.sendall(block)
            while conn.recv(4096):
                pass
        except OSError:
            pass  # the client closed: that is what we wanted
    return handler


@stage("a header section over 64 KiB is an error (many lines, or one endless line)", hint=5)
def test_endless_headers(program):
    cases = [(b"HTTP/1.0 200 OK\r\n", b"X-Filler: " + b"a" * 90 + b"\r\n", "header lines without end"),
             (b"HTTP/1.0 200 OK\r\nX-Long: ", b"a" * 100, "one header line without end")]
    for start, line, what in cases:
        result, did = against(program, flood(start, line),
                              waiting_for=f"it to give up on {what} (the server sends up to"
                                          f" {FLOOD_LIMIT >> 20} MiB, then holds the connection)")
        sent = printable_note(start + line * 3, f"{what}, up to {FLOOD_LIMIT >> 20} MiB, then the connection held")
        check_error(result, did, sent, "the header section never ends")
        if len(result.out) > 70000:
            fail("the header section never ends: the program should stop after 64 KiB of it",
                 did=did, sent=sent, got=result.out, result=result)
