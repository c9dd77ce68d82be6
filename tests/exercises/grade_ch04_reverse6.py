"""Grader of ch04-reverse6: gethostbyaddr-paranoid's reverse-then-forward
check, done by hand with ldns, for IPv4 and IPv6.

The peers are real DNS servers: the chapter's DNS lab (tests/e2e/ch04_lab.py,
unbound as the resolver of /etc/resolv.conf, nsd and knot authoritative) in
a private namespace, serving three more zones written here: reverse6.test,
100.51.198.in-addr.arpa (198.51.100.0/24) and 4.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa
(2001:db8:4::/48). The references: Python's ipaddress module for the reverse
name, and the book program ch04/gethostbyaddr-paranoid (the system's
resolver, run in the same lab) for the lines after it, wherever the two
programs must agree. Where they need not (a name with addresses of the
other family only; several PTR records), the expected lines are spelled out.
"""

import ipaddress
from pathlib import Path

from ch04_lab import DnsLab
from grading import command_line, fail, fixture, run, stage
from harness import prog

SOA = "ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300"
HEAD = f"$TTL 300\n@ SOA {SOA}\n@ NS ns1.example.test.\n@ NS ns2.example.test.\n"

REVERSE6_TEST = "$ORIGIN reverse6.test.\n" + HEAD + """good     A     198.51.100.10
good     AAAA  2001:db8:4::10
twenty   A     198.51.100.20
twenty   AAAA  2001:db8:4::20
textonly TXT   "a name without addresses"
v4only   A     198.51.100.99
v6only   AAAA  2001:db8:4::99
"""

# host part -> PTR targets, the same in both reverse zones
PTRS = {
    10: ["good.reverse6.test."],                           # confirmed
    20: ["twenty.reverse6.test.", "good.reverse6.test."],  # one true, one lying
    77: ["good.reverse6.test."],                           # lies
    66: ["ghost.reverse6.test."],                          # no such name
    88: ["textonly.reverse6.test."],                       # a name without addresses
    44: ["host.broken.test."],                             # the forward lookup fails (SERVFAIL)
}                                                          # 50: no PTR at all
REV4 = "100.51.198.in-addr.arpa"
REV6 = "4.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"


def reverse_zone(origin, address, other_family_name):
    lines = [f"$ORIGIN {origin}.", HEAD]
    for host, targets in {**PTRS, 99: [other_family_name]}.items():
        owner = ipaddress.ip_address(address(host)).reverse_pointer[:-len(origin) - 1]
        lines += [f"{owner} PTR {target}" for target in targets]
    return "\n".join(lines) + "\n"


ZONES = {
    "reverse6.test": REVERSE6_TEST,
    REV4: reverse_zone(REV4, lambda h: f"198.51.100.{h}", "v6only.reverse6.test."),
    REV6: reverse_zone(REV6, lambda h: f"2001:db8:4::{h}", "v4only.reverse6.test."),
}


@fixture(scope="module")
def lab():
    with DnsLab(zones=ZONES) as lab:
        yield lab


def query_line(ip):
    return f"Query: {ipaddress.ip_address(ip).reverse_pointer}\n"


def paranoid(lab, ip):
    """The book program's stdout and exit status for `ip`, in the lab."""
    result = run([prog("ch04/gethostbyaddr-paranoid"), ip], ns=lab.ns)
    return result.out.decode(), result.status


def check(program, lab, ip, lines=None, status=None, why=""):
    """reverse6 IP must print the Query line, then `lines` (by default
    gethostbyaddr-paranoid's output for the same IP), and exit `status`."""
    if lines is None:
        rest, book_status = paranoid(lab, ip)
        why = why or f"the Query line, then what gethostbyaddr-paranoid {ip} prints, exit {book_status}"
        status = book_status if status is None else status
    else:
        rest = "".join(line + "\n" for line in lines)
    expected = (query_line(ip) + rest).encode()
    args = [program, ip]
    result = run(args, ns=lab.ns)
    if result.out != expected or result.status != status:
        ptr = lab.dig("127.0.0.1", "-x", ip)
        fail(f"reverse6 {ip} should print {why or 'this'}", did=command_line(args),
             expected=expected, got=result.out, result=result,
             note=f"dig -x {ip} answers: {', '.join(ptr) or 'no PTR record'}")


@stage("IPv4: the in-addr.arpa name built by hand, and a name confirmed by its A record", hint=1)
def test_ipv4_confirmed(program, lab):
    check(program, lab, "198.51.100.10")
    check(program, lab, "192.0.2.10")


@stage("IPv6: 32 nibbles under ip6.arpa, the same for every way of writing the address", hint=2)
def test_ipv6_confirmed(program, lab):
    for ip in ["2001:db8:4::10", "2001:0db8:0004:0000:0000:0000:0000:0010", "2001:DB8:4:0::10",
               "2001:db8::10"]:
        check(program, lab, ip)


@stage("no PTR record: 'No host names available ... this may be normal.', exit 0", hint=3)
def test_no_ptr(program, lab):
    for ip in ["198.51.100.50", "2001:db8:4::50"]:
        check(program, lab, ip)


@stage("a PTR that lies: the address is not among the name's; every PTR name is checked", hint=4)
def test_lies(program, lab):
    for ip in ["198.51.100.77", "2001:db8:4::77"]:
        check(program, lab, ip)
    for ip in ["198.51.100.20", "2001:db8:4::20"]:
        check(program, lab, ip, [
            "Got hostname good.reverse6.test, but on forward lookup,",
            f"original IP {ip} did not appear in IP address list.",
            "Validated hostname: twenty.reverse6.test"], 1,
            why="the lines for each of its two PTR names, in alphabetical order, and exit 1")


@stage("a PTR to a name without an address of the family: 'could not be forward-resolved'", hint=5)
def test_no_address(program, lab):
    for host in [66, 88, 44]:  # no such name, no addresses, SERVFAIL
        for ip in [f"198.51.100.{host}", f"2001:db8:4::{host}"]:
            check(program, lab, ip)
    nodata = "could not be forward-resolved: [Errno -5] No address associated with hostname"
    check(program, lab, "198.51.100.99", [f"Got hostname v6only.reverse6.test, but it {nodata}"], 1,
          why="that its name has no A record (an IPv6 address does not confirm an IPv4 one)")
    check(program, lab, "2001:db8:4::99", [f"Got hostname v4only.reverse6.test, but it {nodata}"], 1,
          why="that its name has no AAAA record (an IPv4 address does not confirm an IPv6 one)")


@stage("a bad address is a usage error: exit 2, nothing on stdout", hint=1)
def test_bad_address(program, lab):
    for bad in ["198.51.100", "198.51.100.256", "2001:db8::4::10", "www.example.test", "fe80::1%lo", ""]:
        args = [program, bad]
        result = run(args, ns=lab.ns)
        if result.status != 2 or result.out or not result.err.startswith(f"usage: {Path(program).name} ADDRESS".encode()):
            fail(f"'{bad}' is not an IPv4 or IPv6 address: the program should print its usage line"
                 " and the problem on stderr, nothing on stdout, and exit 2",
                 did=command_line(args), expected="usage: reverse6 ADDRESS, then a line naming the bad address",
                 got=result.out or "nothing on stdout", result=result)
