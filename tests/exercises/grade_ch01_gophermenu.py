"""Grader for ch01-gophermenu: a Gopher menu printed for a person.

The program runs against gophernicus (a real Gopher server, serving a folder
the grader builds, with a gophermap holding every kind of item) and against
the grader's own Gopher servers, which send what real servers sometimes send:
bare LF line ends, items with fields missing, no "." line, nothing at all, a
bad line, a line cut off, and a 10 MB menu.
"""

import os
import re
import threading
import time

from grading import STAGE_TIMEOUT, Program, command_line, fail, fixture, printable, run, stage
from gopher_peers import Gophernicus, GopherServer, curl, fixed, peak_memory, render_menu

GOPHERMAP = (b"Welcome to the map.\n"
             b"\n"
             b"0About this server\t/about.txt\n"
             b"1Documents\t/docs/\n"
             b"7Search the docs\t/search\n"
             b"9Raw data\t/data.bin\n"
             b"hA web page\tURL:http://example.com/\n"
             b"IA picture\t/pic.gif\n"
             b"3An error item\t\terror.host\t1\n"
             b".\n")

FILES = {
    "about.txt": b"About this server.\n",
    "docs/guide.txt": b"A guide.\n",
    "page.html": b"<p>A page.</p>\n",
    "pic.gif": b"GIF89a",
    "data.bin": b"\x00\x01\r\n\x02",
    "map/gophermap": GOPHERMAP,
}


@fixture(scope="module")
def gophernicus():
    with Gophernicus(FILES) as server:
        yield server.port


def expect_menu(result, expected, *, did, reply, request=None):
    """The program must print `expected` and exit 0."""
    if result.out != expected:
        asked = f" to {printable(request)}" if request is not None else ""
        fail("stdout is not the menu as the README prints it", did=did,
             expected=expected, got=result.out, result=result,
             note=f"the server's reply{asked} was {printable_reply(reply)}")
    if result.status != 0 or result.err:
        fail("the menu was right, but the program should exit 0 and print nothing on stderr",
             did=did, result=result)


def expect_line_error(result, line, printed, *, did, reply):
    """The program must print the items before the bad line, then one line
    on stderr naming it (`line N`), and exit 1."""
    err = result.err.decode(errors="replace")
    if result.status != 1 or not re.search(rf"\bline {line}\b", err) or err.count("\n") != 1 \
            or not err.endswith("\n"):
        fail(f"expected exit status 1 and one line on stderr naming line {line} ('... line {line}: ...')",
             did=did, result=result, got=result.out or "nothing on stdout",
             note=f"the server's reply was {printable_reply(reply)}")
    if result.out != printed:
        fail(f"the error was right, but stdout should hold the lines before line {line},"
             " printed as they were read", did=did, expected=printed, got=result.out, result=result)


def printable_reply(reply):
    return printable(reply, limit=400)


MISSING_FIELDS = (b"iWelcome, person\t\terror.host\t1\n"
                  b"1Docs\t/docs/\n"                                # display and selector only
                  b"0Read me\t/readme\texample.org\n"               # no port
                  b"i\t\n"                                          # an empty info line
                  b"7Find things\t/find\texample.org\t70\t+\n"      # a fifth field (Gopher+)
                  b"gA picture\t/p.gif\texample.org\t70\r\n"        # CR LF among bare LFs
                  b"hHome page\tURL:http://example.org/\texample.org\t70\n")  # and no "." line


@stage("prints gophernicus's root menu (no SELECTOR: the empty selector)", hint=1)
def test_root_menu(program, gophernicus):
    reply = curl(gophernicus, "1")
    expected = render_menu(reply)
    assert b"    [/]\n" in expected and b". [menu] docs\n" in expected, expected  # the grader's own check
    args = [program, "--port", gophernicus, "127.0.0.1"]
    expect_menu(run(args), expected, did=command_line(args), request=b"\r\n", reply=reply)


@stage("names every kind of item: text, menu, search, binary, html, type X (a gophermap)", hint=2)
def test_every_kind(program, gophernicus):
    reply = curl(gophernicus, "1/map/")
    expected = render_menu(reply)
    for kind in (b"text", b"menu", b"search", b"binary", b"html", b"type I", b"type 3"):
        assert b"[" + kind + b"]" in expected, expected
    args = [program, "--port", gophernicus, "127.0.0.1", "/map/"]
    expect_menu(run(args), expected, did=command_line(args), request=b"/map/\r\n", reply=reply)


@stage("reads any server's menu: bare LF line ends, items with fields missing, no '.' line", hint=3)
def test_missing_fields_bare_lf(program):
    expected = (b"    Welcome, person\n"
                b"1. [menu] Docs\n"
                b"2. [text] Read me\n"
                b"    \n"
                b"3. [search] Find things\n"
                b"4. [type g] A picture\n"
                b"5. [html] Home page\n")
    assert render_menu(MISSING_FIELDS + b".\n") == expected
    with GopherServer(fixed(MISSING_FIELDS)) as server:
        args = [program, "--port", server.port, "127.0.0.1", "/odd menu/"]
        result = run(args)
    if server.requests != [b"/odd menu/\r\n"]:
        fail("the server did not get the selector and CR LF, once",
             did=command_line(args), expected=printable(b"/odd menu/\r\n") + " (one request)",
             got=", ".join(printable(r) for r in server.requests) or "no request", result=result)
    expect_menu(result, expected, did=command_line(args), reply=MISSING_FIELDS)


def dot_and_stay(selector, conn):
    """Sends an empty menu, then keeps the connection open until the client
    closes it: the "." line, not the end of the connection, ends a menu."""
    conn.sendall(b".\r\n")
    while conn.recv(4096):
        pass


@stage("an empty menu prints nothing; the '.' line ends a menu even if the server stays connected",
       hint=3)
def test_empty_menu(program):
    with GopherServer(fixed(b"")) as server:
        args = [program, "--port", server.port, "127.0.0.1"]
        expect_menu(run(args), b"", did=command_line(args) + "  (the server closes at once, sending nothing)",
                    reply=b"")
    with GopherServer(dot_and_stay) as server:
        args = [program, "--port", server.port, "127.0.0.1"]
        result = run(args, timeout=5, waiting_for="the program to end at the '.' line"
                     " (the server sent '.\\r\\n' and stays connected)")
        expect_menu(result, b"", did=command_line(args), reply=b".\r\n")


BAD_LINE = (b"iHello\t\terror.host\t1\r\n"
            b"1Docs\t/docs/\texample.org\t70\r\n"
            b"0Read me\t/readme\texample.org\t70\r\n"
            b"This line has no tab\r\n"
            b"0Never printed\t/never\texample.org\t70\r\n"
            b".\r\n")


@stage("a line that is not a menu item is a one-line error naming the line, exit 1", hint=4)
def test_bad_line(program, gophernicus):
    with GopherServer(fixed(BAD_LINE)) as server:
        args = [program, "--port", server.port, "127.0.0.1"]
        expect_line_error(run(args), 4, b"    Hello\n1. [menu] Docs\n2. [text] Read me\n",
                          did=command_line(args), reply=BAD_LINE)
    # gophernicus answers a selector it does not have with one line of text
    reply = curl(gophernicus, "1/nothere")
    assert reply.startswith(b"Error: File or directory not found"), reply
    args = [program, "--port", gophernicus, "127.0.0.1", "/nothere"]
    expect_line_error(run(args), 1, b"", did=command_line(args), reply=reply)


CUT = [b"iHi there\t\terror.host\t1\r\n0Read me\t/readme\texample.org\t70\r\n", b"1Docs\t/do"]


def cut_mid_line(selector, conn):
    conn.sendall(CUT[0])
    time.sleep(0.1)  # pacing only: the cut line comes in a recv() of its own
    conn.sendall(CUT[1])


@stage("a server that closes in the middle of a line: an error naming the line, exit 1", hint=4)
def test_closed_mid_line(program):
    with GopherServer(cut_mid_line) as server:
        args = [program, "--port", server.port, "127.0.0.1"]
        expect_line_error(run(args), 3, b"    Hi there\n1. [text] Read me\n",
                          did=command_line(args), reply=b"".join(CUT))


def big_menu(size=10 << 20):
    """A menu of `size` bytes or more whose printout is small: long
    selectors (2 KB, and 40 KB now and then), short display strings."""
    lines, total, i = [], 0, 0
    while total < size:
        i += 1
        if i % 10 == 1:
            line = b"iPart %d\t\terror.host\t1\r\n" % (i // 10 + 1)
        else:
            selector = b"/" + b"s" * (40000 if i % 97 == 0 else 2000)
            line = b"%cItem %d\t%s\texample.org\t70\r\n" % (b"019h7g"[i % 6], i, selector)
        lines.append(line)
        total += len(line)
    return b"".join(lines) + b".\r\n"


def measured(program, menu):
    """Runs the program against a server that sends `menu` but the final
    ".\r\n", and holds that back until the program has printed the last
    item: the program is still running, with the whole menu read, when the
    grader reads its peak memory. Returns (Result, peak in KiB)."""
    last = render_menu(menu).splitlines(keepends=True)[-1]
    measured = threading.Event()

    def reply(selector, conn):
        conn.sendall(menu[:-3])
        measured.wait(STAGE_TIMEOUT)
        conn.sendall(menu[-3:])

    # Under AddressSanitizer freed memory waits in a quarantine, which would
    # count as growth: no quarantine here (other programs ignore the variable).
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=0",
                                                  "thread_local_quarantine_size_kb=0"]))
    with GopherServer(reply) as server, \
            Program([program, "--port", server.port, "127.0.0.1"], env=env) as prog:
        try:
            prog.wait_for(lambda r: r.out.endswith(last),
                          f"the menu's last item, {printable(last)} (print each line as it is read)")
            peak = peak_memory(prog.pid)
        finally:
            measured.set()
        result = prog.wait_exit()
        expect_menu(result, render_menu(menu), did=command_line(prog.args), reply=menu)
    return result, peak


@stage("a 10 MB menu: read and printed a line at a time, in bounded memory", hint=5)
def test_big_menu(program):
    small = MISSING_FIELDS + b".\r\n"
    big = big_menu()
    _, small_peak = measured(program, small)
    result, big_peak = measured(program, big)
    grew = big_peak - small_peak
    if grew > 4096:
        fail(f"the program's peak memory grew by {grew} KiB for a {len(big) >> 20} MB menu"
             " (4096 KiB allowed): it keeps what it has read",
             did=command_line(result.args), result=result,
             note=f"peak resident memory (VmHWM) with the whole menu read: {small_peak} KiB for a"
                  f" {len(small)}-byte menu, {big_peak} KiB for a {len(big)}-byte one. Handle the"
                  " menu a line at a time, and let go of each line once it is printed")
