"""Grader for ch01-gopherwalk: follow numbered items through Gopher menus.

The program walks gophernicus's menus (a real Gopher server serving a folder
the grader builds: nested folders, a gophermap with info lines between the
items, a binary file with CR, LF and NUL bytes); what it prints must be what
curl, a real Gopher client, gets for the same item. Then it walks the
grader's own two servers, whose items point at each other (another address,
another port), and meets items it cannot follow.
"""

import random
import re

from grading import command_line, fail, fixture, printable, run, stage
from gopher_peers import Gophernicus, GopherServer, curl, item_count, item_number, menus

ABOUT = b"About this server.\nIt serves a few files for gopherwalk.\n"
DATA = bytes(range(256)) + b"CR\r LF\n CRLF\r\n NUL\x00 .\r\n" + random.Random(1436).randbytes(200_000)
DOCS_MAP = (b"Documents, with words between the items.\n"
            b"0The guide\t/docs/guide.txt\n"
            b"Deeper down:\n"
            b"1Deep\t/docs/deep/\n"
            b"And back up:\n"
            b"0About\t/about.txt\n"
            b".\n")
FILES = {
    "about.txt": ABOUT,
    "docs/gophermap": DOCS_MAP,
    "docs/guide.txt": b"A guide.\n",
    "docs/deep/data.bin": DATA,
    "docs/deep/notes.txt": b"Notes.\n",
    "page.html": b"<p>A page.</p>\n",
}


@fixture(scope="module")
def gophernicus():
    with Gophernicus(FILES) as server:
        yield server.port


def expect_document(result, expected, *, did, note):
    if result.out != expected:
        fail("stdout is not the document at the end of the walk, byte for byte", did=did,
             expected=expected, got=result.out, result=result, note=note)
    if result.status != 0:
        fail("the document was right, but the program should exit 0", did=did, result=result)


def walk_note(port, steps):
    """The menus the walk goes through, as curl gets them, for a failure."""
    crlf = b"\r\n"
    return "the menus on the way: " + "; ".join(
        f"{printable(selector + crlf)} got {printable(curl(port, '1' + selector.decode()), 200)}"
        for selector in steps)


@stage("follows an item of the root menu to a text file: what curl gets, byte for byte", hint=1)
def test_one_step(program, gophernicus):
    root = curl(gophernicus, "1")
    n = item_number(root, "about.txt")
    expected = curl(gophernicus, "0/about.txt")
    assert expected.replace(b"\r\n", b"\n") == ABOUT, expected  # the grader's own check
    args = [program, "--port", gophernicus, "127.0.0.1", n]
    expect_document(run(args), expected, did=command_line(args),
                    note=f"item {n} of the root menu is about.txt; the root menu is {printable(root)}")


@stage("follows nested menus (info lines not counted) to a binary file with CR, LF and NUL bytes",
       hint=2)
def test_nested_binary(program, gophernicus):
    root, docs, deep = curl(gophernicus, "1"), curl(gophernicus, "1/docs/"), curl(gophernicus, "1/docs/deep/")
    path = [item_number(root, "docs"), item_number(docs, "Deep"), item_number(deep, "data.bin")]
    assert path[1] == 2, docs  # info lines between the items: not counted
    expected = curl(gophernicus, "9/docs/deep/data.bin")
    assert expected == DATA
    args = [program, "--port", gophernicus, "127.0.0.1", *path]
    expect_document(run(args), expected, did=command_line(args),
                    note=walk_note(gophernicus, [b"", b"/docs/", b"/docs/deep/"]))


@stage("when the last item is a menu, it is copied as the server sent it ('.' line and all)", hint=3)
def test_menu_at_the_end(program, gophernicus):
    root = curl(gophernicus, "1")
    n = item_number(root, "docs")
    expected = curl(gophernicus, "1/docs/")
    assert expected.endswith(b".\r\n"), expected
    args = [program, "--port", gophernicus, "127.0.0.1", n]
    expect_document(run(args), expected, did=command_line(args),
                    note=f"item {n} of the root menu is the menu /docs/")


BACK = b"Back home: \x00\r\n\xff bytes from the first server.\n"


@stage("follows each item's own host and port: menus on two servers that point at each other", hint=4)
def test_other_servers(program):
    home_table, far_table = {}, {}
    with GopherServer(menus(home_table)) as home, GopherServer(menus(far_table), host="127.0.0.2") as far:
        home_table[""] = (b"iThe grader's first server\t\terror.host\t1\n"
                          b"0A note\t/note.txt\t127.0.0.1\t%d\n"
                          b"1Elsewhere\t/far/\t127.0.0.2\t%d\n" % (home.port, far.port))  # bare LF, no "."
        home_table["/note.txt"] = b"A note.\r\n"
        home_table["/back.bin"] = BACK
        far_table["/far/"] = (b"iThe grader's second server\t\terror.host\t1\r\n"
                              b"0Far note\t/note.txt\t127.0.0.2\t%d\r\n"
                              b"9Back home\t/back.bin\t127.0.0.1\t%d\r\n"
                              b".\r\n" % (far.port, home.port))
        args = [program, "--port", home.port, "127.0.0.1", 2, 2]
        result = run(args)
    seen = (f"127.0.0.1 port {home.port} got {', '.join(printable(r) for r in home.requests) or 'nothing'};"
            f" 127.0.0.2 port {far.port} got {', '.join(printable(r) for r in far.requests) or 'nothing'}."
            " Item 2 of the root menu is on 127.0.0.2; item 2 of that menu is back on 127.0.0.1")
    expect_document(result, BACK, did=command_line(args), note=seen)
    if home.requests != [b"\r\n", b"/back.bin\r\n"] or far.requests != [b"/far/\r\n"]:
        fail("the document was right, but the servers did not get the requests they should",
             did=command_line(args), expected='"\\r\\n" and "/back.bin\\r\\n" on the first server,'
             ' "/far/\\r\\n" on the second', got=seen, result=result)


def expect_walk_error(result, menu, item, *, did):
    err = result.err.decode(errors="replace")
    one_line = err.endswith("\n") and err.count("\n") == 1
    if result.status != 1 or not one_line or not re.search(rf"\bmenu {menu}\b", err) \
            or not re.search(rf"\bitem {item}\b", err):
        fail(f"expected exit status 1 and one line on stderr naming 'menu {menu}' and 'item {item}'",
             did=did, got=result.out or "nothing on stdout", result=result)
    if result.out:
        fail("the error was right, but nothing should be printed on stdout", did=did,
             got=result.out, result=result)


@stage("an item that is not there, or not a menu before the end: one line naming the menu and item",
       hint=5)
def test_errors(program, gophernicus):
    root, docs = curl(gophernicus, "1"), curl(gophernicus, "1/docs/")
    n_docs, n_about = item_number(root, "docs"), item_number(root, "about.txt")
    missing = item_count(docs) + 1
    args = [program, "--port", gophernicus, "127.0.0.1", n_docs, missing]
    expect_walk_error(run(args), 2, missing,
                      did=command_line(args) + f"  (menu 2, /docs/, has {missing - 1} items)")
    args = [program, "--port", gophernicus, "127.0.0.1", n_about, 1]
    expect_walk_error(run(args), 1, n_about,
                      did=command_line(args) + f"  (item {n_about} of menu 1 is a text file)")
    args = [program, "--port", gophernicus, "127.0.0.1", 0]
    result = run(args)
    if result.status != 2 or result.out or b"usage:" not in result.err:
        fail("N counts from 1: 0 is bad usage (a usage line on stderr, exit status 2)",
             did=command_line(args), got=result.out or "nothing on stdout", result=result)
