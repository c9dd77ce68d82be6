"""Grader of ch04-rawdns: a DNS client that builds its query and reads the
reply byte by byte, without a DNS library.

Two kinds of peers. The DNS lab (tests/e2e/ch04_lab.py): unbound, nsd and
knot in a private namespace, where the program's answers are compared with
dig's (`dig +noall +answer`, tabs made single spaces). And FakeDns
(rawdns_peers.py): the grader's own server in threads on 127.0.0.1, which
checks the query bytes and answers well, badly, over TCP, from the wrong
address, or not at all.
"""

import re
import struct
import sys
from pathlib import Path

from grading import command_line, fail, fixture, printable, run, stage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from ch04_lab import DnsLab  # noqa: E402
from rawdns_peers import (AA, QR, RA, RD, TC, TYPES, FakeDns, pointer, query_id,  # noqa: E402
                          query_problem, question_end, reply, rr, strings, tcp_message, wire_name)

RESOLV_CONF = """# the lab's resolv.conf, with the lines a real one has
; another comment: nameserver 127.0.0.9
search example.test
options timeout:1 attempts:1
nameserver 127.0.0.1
nameserver 127.0.0.3
"""
NSD, KNOT6, UNBOUND = "127.0.0.2", "::1", "127.0.0.1"
A99 = bytes([192, 0, 2, 99])
LOOP_CPU = 1  # CPU seconds: a program that uses more on one malformed reply is in a loop


@fixture(scope="module")
def lab():
    with DnsLab(extra_files={"/etc/resolv.conf": RESOLV_CONF}) as lab:
        yield lab


def fake_args(program, srv, name, *qtype):
    return [program, "--server", "127.0.0.1", "--port", srv.port, name, *qtype]


def one_line_error(result, did, scenario, pattern, sent=None, note=None):
    """The program exited 1 with one line on stderr matching `pattern`."""
    err = result.err.decode(errors="replace")
    if result.status != 1 or err.count("\n") != 1 or not err.endswith("\n") \
            or not re.search(pattern, err):
        fail(f"{scenario}: the program should exit 1 with one line on stderr naming the problem",
             did=did, sent=sent, expected=f"exit status 1 and one line on stderr matching /{pattern}/",
             got=f"exit status {result.status}, stderr {printable(result.err)}", result=result, note=note)


def check_query(srv, did, name, qtype, result, transport="udp"):
    """The server received exactly one well-formed query over `transport`."""
    queries = srv.udp_queries() if transport == "udp" else srv.tcp_queries()
    if not queries:
        fail(f"the grader's server received no query over {transport.upper()}", did=did, result=result)
    problem = query_problem(queries[0], name, TYPES[qtype])
    if problem:
        fail(f"the query sent over {transport.upper()} is not a well-formed standard query for {name} {qtype}",
             did=did, got=printable(queries[0]), expected="RFC 1035 4.1: header, then one question",
             note=problem, result=result)


# ------------------------------------------------- the DNS lab and dig

def dig_lines(lab, server, questions):
    """dig's answer lines for each (name, type) of `questions` (one dig),
    tabs made single spaces."""
    # (dig is the grader's reference, not the graded program: on a busy
    # machine a lab server may miss dig's first 2 s, so dig asks up to 3 times)
    return [[re.sub(r"\t+", " ", line) for line in answer]
            for answer in lab.answers(server, questions, "+time=2", "+tries=3")]


def mask_ttl(text):
    """The TTL column as TTL: a resolver's cache counts TTLs down."""
    return re.sub(rb"^(\S+) \d+ ", rb"\1 TTL ", text, flags=re.M)


def compare_with_dig(program, lab, server, name, qtype, *, use_default=False, masked=False, lines=None):
    """Runs the program for `name` `qtype` and compares its output with
    dig's answer `lines` (asked here after the program, when not given)."""
    args = [program, name, qtype] if use_default else [program, "--server", server, name, qtype]
    result = run(args, ns=lab.ns)
    if lines is None:
        lines = dig_lines(lab, server, [(name, qtype)])[0]
    expected = "".join(line + "\n" for line in lines).encode()
    got = result.out
    if masked:
        expected, got = mask_ttl(expected), mask_ttl(got)
    if got != expected or result.status != 0:
        fail(f"the answer section is not what dig prints for {name} {qtype} (from {server})",
             did=command_line(args) + " (in the DNS lab)", expected=expected, got=got, result=result,
             note=(f"the reference is `dig +noall +answer @{server} {name} {qtype}`, tabs made single spaces"
                   + (", TTLs masked (a resolver's cache counts them down)" if masked else "")))


# ------------------------------------------------------------- stages

@stage("a query for an A record to the grader's server: a well-formed query, the answer printed", hint=1)
def test_simple_a_query(program):
    owner = wire_name("www.example.test")
    ids = []
    for _ in range(3):
        with FakeDns(lambda q: [("main", reply(q, [rr(owner, TYPES["A"], A99)]))]) as srv:
            args = fake_args(program, srv, "www.example.test")
            result = run(args)
        did = command_line(args) + " (the grader's server answers A 192.0.2.99, the owner name uncompressed)"
        check_query(srv, did, "www.example.test", "A", result)
        expected = b"www.example.test. 300 IN A 192.0.2.99\n"
        if result.out != expected or result.status != 0:
            fail("the answer is not printed as `NAME TTL CLASS TYPE DATA`, exit 0", did=did,
                 sent=reply(srv.udp_queries()[0], [rr(owner, TYPES["A"], A99)]),
                 expected=expected, got=result.out, result=result)
        ids.append(query_id(srv.udp_queries()[0]))
    if len(set(ids)) == 1:
        fail("three runs sent the same query ID: the ID must be random (RFC 5452), or a forged reply is easy",
             did=command_line(args) + " (three times)", got=f"ID {ids[0]} each time")


@stage("the DNS lab's nsd: A, AAAA, NS, CNAME and a CNAME chain, compressed names, as dig prints them", hint=2)
def test_lab_names(program, lab):
    questions = [("www.example.test", "A"), ("www.example.test", "AAAA"), ("example.test", "NS"),
                 ("ftp.example.test", "CNAME"), ("ftp.example.test", "A"), ("ftp.example.test", "AAAA")]
    for (name, qtype), lines in zip(questions, dig_lines(lab, NSD, questions)):
        compare_with_dig(program, lab, NSD, name, qtype, lines=lines)


@stage("the DNS lab's nsd: MX, TXT and PTR data, as dig prints them", hint=3)
def test_lab_data(program, lab):
    questions = [("example.test", "MX"), ("example.test", "TXT"), ("mail.example.test", "AAAA"),
                 ("10.2.0.192.in-addr.arpa", "PTR"), ("partial.example.test", "MX"),
                 ("partial.example.test", "TXT")]
    for (name, qtype), lines in zip(questions, dig_lines(lab, NSD, questions)):
        compare_with_dig(program, lab, NSD, name, qtype, lines=lines)


def odd_records(q):
    """Records that stretch the printing rules (see the README's table)."""
    name_at = 12  # the question's name: "odd.example.test."
    sub = b"\x03sub" + pointer(name_at)  # sub.odd.example.test., at the end of the question
    sub_at = question_end(q)
    records = [
        rr(sub, TYPES["TXT"], strings(b'say "hi"', b"back\\slash", b"\x01\xff", b"")),
        rr(pointer(sub_at), TYPES["MX"], b"\x00\x05" + b"\x04mail" + pointer(sub_at)),  # pointer to a pointer
        rr(pointer(name_at), 65280, b"\x01\x02\x03\x04\x05", ttl=4000000000),
        rr(pointer(name_at), TYPES["SOA"], wire_name("ns1.example.test") + wire_name("h.example.test")
           + struct.pack("!IIIII", 1, 2, 3, 4, 5)),
        rr(wire_name("mixed.Example.TEST"), TYPES["CNAME"], b"\x01x" + pointer(name_at)),
        rr(pointer(name_at), TYPES["A"], bytes([10, 0, 0, 1]), ttl=0),
    ]
    return [("main", reply(q, records))]


ODD_OUTPUT = b"""sub.odd.example.test. 300 IN TXT "say \\"hi\\"" "back\\\\slash" "\\001\\255" ""
sub.odd.example.test. 300 IN MX 5 mail.sub.odd.example.test.
odd.example.test. 4000000000 IN TYPE65280 (5 bytes)
odd.example.test. 300 IN SOA (54 bytes)
mixed.Example.TEST. 300 IN CNAME x.odd.example.test.
odd.example.test. 0 IN A 10.0.0.1
"""


@stage("pointers to pointers, TXT escapes, 32-bit TTLs, types printed as `TYPE (L bytes)`", hint=3)
def test_odd_records(program):
    with FakeDns(odd_records) as srv:
        args = fake_args(program, srv, "odd.example.test", "TXT")
        result = run(args)
    did = command_line(args) + " (the grader's server answers with six records of the README's table)"
    check_query(srv, did, "odd.example.test", "TXT", result)
    if result.out != ODD_OUTPUT or result.status != 0:
        fail("the records are not printed as the README says", did=did,
             sent=odd_records(srv.udp_queries()[0])[0][1], expected=ODD_OUTPUT, got=result.out, result=result)


@stage("a server's error code (NXDOMAIN, SERVFAIL, REFUSED): one line on stderr naming it, exit 1", hint=4)
def test_rcodes(program, lab):
    for server, name, rcode in [(NSD, "nosuch.example.test", "NXDOMAIN"), (NSD, "broken.test", "SERVFAIL"),
                                (UNBOUND, "example.com", "REFUSED")]:
        args = [program, "--server", server, name]
        result = run(args, ns=lab.ns)
        did = command_line(args) + f" (in the DNS lab; the server answers {rcode})"
        one_line_error(result, did, f"the server answered {rcode}", rf"\b{rcode}\b")
        if result.out:
            fail(f"the server answered {rcode}: nothing belongs on stdout", did=did, got=result.out,
                 result=result)


def with_answer(q, **kw):
    return reply(q, [rr(pointer(12), TYPES["A"], A99)], **kw)


HEADER_CASES = [
    ("a reply with another query's ID", lambda q: with_answer(q, qid=(query_id(q) + 1) % 65536),
     r"(?i)\bID\b"),
    ("a reply with the QR bit clear (a query, not a reply)", lambda q: with_answer(q, flags=AA | RD | RA),
     r"(?i)\bQR\b|not a (reply|response)"),
    ("a reply whose question is for another name",
     lambda q: reply(q, [rr(pointer(12), TYPES["A"], A99)], question=wire_name("www.example.org") + b"\0\1\0\1"),
     r"(?i)question"),
    ("a reply whose question asks for another type (MX)",
     lambda q: reply(q, [rr(pointer(12), TYPES["A"], A99)], question=q[12:question_end(q) - 4] + b"\0\x0f\0\1"),
     r"(?i)question"),
    ("a reply with no question (QDCOUNT 0)", lambda q: reply(q, [], qdcount=0, question=b""), r"(?i)question"),
]


@stage("checks the reply's ID, QR bit and question: a mismatch is one line on stderr, exit 1", hint=4)
def test_header_checks(program):
    for scenario, make, pattern in HEADER_CASES:
        with FakeDns(lambda q, make=make: [("main", make(q))]) as srv:
            args = fake_args(program, srv, "www.example.test")
            result = run(args, timeout=6, waiting_for=f"it to give up on {scenario}")
        sent = make(srv.udp_queries()[0]) if srv.udp_queries() else None
        one_line_error(result, command_line(args) + f" (the grader's server sends {scenario})", scenario,
                       pattern, sent=sent)


def record_tail(q, name_bytes):
    """A reply whose one answer's owner is `name_bytes` (whatever they are)."""
    return reply(q)[:6] + b"\0\1" + reply(q)[8:] + name_bytes


PAST_END = r"(?i)past|beyond|outside|out of (range|bounds)|end of|truncat|short"
MALFORMED = [
    ("a reply cut off in its header (7 bytes)", lambda q: q[:2] + b"\x81\x80\x00\x01\x00", r"(?i)header"),
    ("an answer whose owner name is a compression pointer to itself",
     lambda q: record_tail(q, pointer(question_end(q)) + b"\0\1\0\1\0\0\1\x2c\0\4" + A99), r"(?i)loop"),
    ("an owner name with two pointers that point at each other",
     lambda q: record_tail(q, pointer(question_end(q) + 2) + pointer(question_end(q))
                           + b"\0\1\0\1\0\0\1\x2c\0\4" + A99), r"(?i)loop"),
    ("an owner name whose label points back to itself (an endless name of labels)",
     lambda q: record_tail(q, b"\x03abc" + pointer(question_end(q)) + b"\0\1\0\1\0\0\1\x2c\0\4" + A99),
     r"(?i)loop|255|long"),
    ("a compression pointer past the end of the reply (offset 0x3fff)",
     lambda q: record_tail(q, b"\xff\xff\0\1\0\1\0\0\1\x2c\0\4" + A99), PAST_END),
    ("a reply that ends in the middle of a compression pointer",
     lambda q: record_tail(q, b"\xc0"), PAST_END),
    ("a label whose length byte (40) runs past the end of the reply",
     lambda q: record_tail(q, b"\x28abcde"), PAST_END),
    ("an A record whose RDLENGTH (200) runs past the end of the reply",
     lambda q: record_tail(q, pointer(12) + b"\0\1\0\1\0\0\1\x2c\0\xc8" + A99), PAST_END),
    ("a reply that promises 5 answers (ANCOUNT 5) and holds 1",
     lambda q: reply(q, [rr(pointer(12), TYPES["A"], A99)])[:6] + b"\0\5"
     + reply(q, [rr(pointer(12), TYPES["A"], A99)])[8:], PAST_END),
    ("a record cut off in its fixed fields (TYPE, CLASS, then the end)",
     lambda q: record_tail(q, pointer(12) + b"\0\1\0\1"), PAST_END),
    ("an A record of 3 bytes (RDLENGTH 3)",
     lambda q: record_tail(q, pointer(12) + b"\0\1\0\1\0\0\1\x2c\0\3" + A99[:3]), r"(?i)\bA\b|length|size|bytes"),
    ("a TXT string whose length byte runs past the end of its record",
     lambda q: record_tail(q, pointer(12) + b"\0\x10\0\1\0\0\1\x2c\0\4" + b"\x09abc" + pointer(12)),
     PAST_END + r"|TXT"),
]


@stage("malformed replies (loops, pointers and lengths past the end, a cut header): one line, exit 1, no crash",
       hint=4)
def test_malformed(program):
    for scenario, make, pattern in MALFORMED:
        with FakeDns(lambda q, make=make: [("main", make(q))]) as srv:
            args = fake_args(program, srv, "www.example.test")
            # (a reply is read in a millisecond of CPU, a sanitizer's start
            # in a tenth of a second; a program past LOOP_CPU seconds is in
            # a loop, and need not spin to the deadline)
            result = run(args, timeout=6, waiting_for=f"it to give up on {scenario}", cpu_limit=LOOP_CPU)
        sent = make(srv.udp_queries()[0]) if srv.udp_queries() else None
        one_line_error(result, command_line(args) + f" (the grader's server sends {scenario})", scenario,
                       pattern, sent=sent,
                       note="exit 86/87 or a signal means a sanitizer or the system caught a bad read")


@stage("the first nameserver of /etc/resolv.conf by default, and a server on IPv6 (::1)", hint=5)
def test_default_server_and_ipv6(program, lab):
    # unbound (127.0.0.1, the first nameserver line) alone serves classic.test
    compare_with_dig(program, lab, UNBOUND, "classic.test", "MX", use_default=True)
    compare_with_dig(program, lab, UNBOUND, "classic.test", "TXT", use_default=True)
    compare_with_dig(program, lab, UNBOUND, "ftp.example.test", "A", use_default=True, masked=True)
    compare_with_dig(program, lab, KNOT6, "www.example.test", "AAAA")
    compare_with_dig(program, lab, KNOT6, "example.test", "MX")


TXT40 = [b"string number %02d" % i for i in range(40)]


@stage("a truncated UDP reply (TC bit): the query again over TCP, its answer printed", hint=5)
def test_truncated_goes_tcp(program):
    def partial(q):
        return [("main", reply(q, [rr(pointer(12), TYPES["A"], bytes([192, 0, 2, 1]))],
                               flags=QR | AA | TC | RD | RA))]

    def full(q):
        data = tcp_message(reply(q, [rr(pointer(12), TYPES["A"], A99), rr(pointer(12), TYPES["TXT"], strings(*TXT40))]))
        # in three pieces: the length's first byte, then 100 bytes, then the rest
        return [(0, data[:1]), (0.05, data[1:101]), (0.05, data[101:])]

    with FakeDns(partial, full) as srv:
        args = fake_args(program, srv, "big.example.test")
        result = run(args)
    did = command_line(args) + (" (the grader's server answers over UDP with TC set and a partial answer,"
                                " A 192.0.2.1; over TCP with A 192.0.2.99 and a TXT record of 40 strings,"
                                " sent in three pieces)")
    check_query(srv, did, "big.example.test", "A", result)
    if srv.tcp_framing:
        fail("the query over TCP was not framed as RFC 1035 4.2.2 says (a 2-byte length, then the message)",
             did=did, got=srv.tcp_framing[0], result=result)
    if not srv.tcp_queries():
        fail("the UDP reply had the TC bit set, but no query came over TCP", did=did, result=result,
             got=result.out)
    check_query(srv, did, "big.example.test", "A", result, transport="tcp")
    txt = " ".join(f'"{s.decode()}"' for s in TXT40)
    expected = f"big.example.test. 300 IN A 192.0.2.99\nbig.example.test. 300 IN TXT {txt}\n".encode()
    if result.out != expected or result.status != 0:
        fail("the TCP answer (and only it) should be printed", did=did, expected=expected, got=result.out,
             result=result)


@stage("a reply from another port or another address is ignored; the server's own reply is printed", hint=5)
def test_strays(program):
    def answers(q):
        def a(last):
            return reply(q, [rr(pointer(12), TYPES["A"], bytes([192, 0, 2, last]))])
        return [("other-port", a(66)), ("other-addr", a(77)), ("main", a(99))]

    with FakeDns(answers) as srv:
        args = fake_args(program, srv, "www.example.test")
        result = run(args)
    did = command_line(args) + (f" (the grader's server at 127.0.0.1 port {srv.port} first sends a reply with"
                                " the right ID and A 192.0.2.66 from another port of 127.0.0.1, then one"
                                f" with A 192.0.2.77 from 127.0.0.2 port {srv.port}, then its own:"
                                " A 192.0.2.99)")
    expected = b"www.example.test. 300 IN A 192.0.2.99\n"
    if result.out != expected or result.status != 0:
        fail("only the reply from the address and port queried counts", did=did, expected=expected,
             got=result.out, result=result)


def waited(srv, transport, result, did):
    """How long the program waited between its first query over `transport`
    and its error line: its own limit, measured without its start and its
    exit (the sandbox's, and a sanitizer's leak check, take up to a second
    more on a loaded machine)."""
    if transport not in srv.first_at:
        fail(f"no query came over {transport.upper()}", did=did, result=result)
    return result.err_at - srv.first_at[transport]


@stage("a silent server (over UDP, then over TCP): gives up after its 2 s limit, exit 1", hint=5)
def test_silence(program):
    with FakeDns(lambda q: []) as srv:
        args = fake_args(program, srv, "www.example.test")
        result = run(args, timeout=8)
    did = command_line(args) + " (the grader's server never answers)"
    one_line_error(result, did, "the server never answered", r"(?i)time|no (reply|answer|response)|within")
    took = waited(srv, "udp", result, did)
    if not 1.5 <= took <= 3:
        fail("the program should wait 2 s for the reply, then give up", did=did,
             expected="its error line about 2 s after its query",
             got=f"its error line {took:.2f} s after its query", result=result)

    def truncated(q):
        return [("main", reply(q, [], flags=QR | TC | RD | RA))]

    def stalled(q):
        return [(0, struct.pack("!H", 100) + b"0123456789"), None]  # 10 bytes of 100, then nothing

    with FakeDns(truncated, stalled) as srv:
        args = fake_args(program, srv, "www.example.test")
        result = run(args, timeout=8)
    did = command_line(args) + (" (the grader's server answers over UDP with TC set; over TCP it sends the"
                                " 2-byte length 100, 10 bytes, then nothing)")
    if not srv.tcp_queries():
        fail("the UDP reply had the TC bit set, but no query came over TCP", did=did, result=result)
    one_line_error(result, did, "the server stalled over TCP", r"(?i)time|no (complete )?(reply|answer)|within")
    took = waited(srv, "tcp", result, did)
    if not 1.5 <= took <= 3:
        fail("the program should give the TCP exchange 2 s, then give up", did=did,
             expected="its error line about 2 s after its query over TCP",
             got=f"its error line {took:.2f} s after its query over TCP", result=result)
