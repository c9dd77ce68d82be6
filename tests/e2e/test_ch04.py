"""Chapter 4 end to end: every program inside the DNS lab (ch04_lab.py), a
private namespace with a resolver (unbound) and two authoritative servers
(nsd, knot) on 127.0.0.1-3 port 53.

References: for the operating-system resolver programs, Python's own socket
module run in the same namespace (the book's language, the same glibc
calls); for the direct DNS programs, dig asking the same servers. Hostile
servers are small fakes written here (fake_dns) on a loopback port.
"""

import re
import socket
from pathlib import Path

import pytest

from ch04_lab import DnsLab
from harness import Proc, prog, run

FAKEDNS = Path(__file__).parent / "ch04_fakedns.py"
FALLBACK = ("(ANY answer may be minimal, RFC 8482: asking for CNAME, SOA, NS, MX, A, AAAA,"
            " TXT, PTR one by one)")
TYPES = ["CNAME", "SOA", "NS", "MX", "A", "AAAA", "TXT", "PTR"]

RESOLVER_PROGRAMS = ["getaddrinfo-basic", "getaddrinfo-list-broken", "getaddrinfo-list",
                     "gethostbyaddr-basic", "gethostbyaddr-paranoid"]


@pytest.fixture(scope="module")
def lab():
    with DnsLab() as lab:
        yield lab


def as_host(cmd, hostname):
    """CMD, run on a machine whose host name is `hostname` (a UTS namespace)."""
    if hostname is None:
        return cmd
    return ["unshare", "-u", "sh", "-c", 'hostname "$0" && exec "$@"', hostname, *cmd]


def run_in(lab, name, *args, hostname=None):
    """Runs ch04/NAME inside the lab."""
    return lab.run(as_host([prog(f"ch04/{name}"), *args], hostname))


def python_in(lab, code, *args, hostname=None):
    """Python 3's answer, in the same namespace: the reference output."""
    result = lab.run(as_host(["/usr/bin/python3", "-c", code, *args], hostname))
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def lines(result):
    return result.stdout.decode().splitlines()


# ------------------------------------------------------- getaddrinfo

GAI_LIST = """import socket, sys
for i, item in enumerate(socket.getaddrinfo(sys.argv[1], None, 0, int(sys.argv[2]))):
    print("%-2d: %s" % (i, item[4]))
"""
GAI_FIRST = "import socket, sys; print(socket.getaddrinfo(sys.argv[1], None)[0][4])"


@pytest.mark.parametrize("host", ["www.example.test", "mail.example.test", "ns1.example.test",
                                  "localhost", "192.0.2.10", "2001:db8::25"])
def test_getaddrinfo_programs_print_what_python_prints(lab, host):
    broken = run_in(lab, "getaddrinfo-list-broken", host)
    fixed = run_in(lab, "getaddrinfo-list", host)
    basic = run_in(lab, "getaddrinfo-basic", host)
    assert (broken.returncode, fixed.returncode, basic.returncode) == (0, 0, 0)
    assert broken.stdout.decode() == python_in(lab, GAI_LIST, host, "0")
    assert fixed.stdout.decode() == python_in(lab, GAI_LIST, host, "1")
    first = python_in(lab, GAI_FIRST, host)
    assert basic.stdout.decode() == first


def test_getaddrinfo_lists_ipv4_and_ipv6_once_per_socket_type(lab):
    fixed = lines(run_in(lab, "getaddrinfo-list", "www.example.test"))
    assert sorted(line[4:] for line in fixed) == ["('192.0.2.10', 0)", "('2001:db8::10', 0, 0, 0)"]
    assert [line[:4] for line in fixed] == ["0 : ", "1 : "]
    broken = lines(run_in(lab, "getaddrinfo-list-broken", "www.example.test"))
    assert len(broken) == 6  # each address for SOCK_STREAM, SOCK_DGRAM, SOCK_RAW
    assert sorted(set(line[4:] for line in broken)) == sorted(line[4:] for line in fixed)
    assert [line[:4] for line in broken] == [f"{i} : " for i in range(6)]


@pytest.fixture(scope="module")
def ipv4_lab():
    """A lab machine on an IPv4-only network: lab0 has 192.0.2.100/24, and
    no address but ::1 is IPv6."""
    with DnsLab(network="192.0.2.100/24") as lab:
        yield lab


GAI_FAMILIES = """import socket, sys
print(sorted({item[0].name for item in socket.getaddrinfo(sys.argv[1], None, flags=int(sys.argv[2]))}))
"""


@pytest.mark.parametrize("host", ["www.example.test", "mail.example.test", "localhost", "workstation"])
def test_getaddrinfo_on_an_ipv4_only_network_keeps_ipv6_as_python_does(ipv4_lab, host):
    """Python's socket.getaddrinfo(host, None) passes flags 0. glibc's
    default for NULL hints, AI_V4MAPPED | AI_ADDRCONFIG, would drop the
    IPv6 answers here: Python itself shows the difference."""
    default = socket.AI_V4MAPPED | socket.AI_ADDRCONFIG
    assert python_in(ipv4_lab, GAI_FAMILIES, host, str(default)) == "['AF_INET']\n"
    assert python_in(ipv4_lab, GAI_FAMILIES, host, "0") == "['AF_INET', 'AF_INET6']\n"
    broken = run_in(ipv4_lab, "getaddrinfo-list-broken", host)
    fixed = run_in(ipv4_lab, "getaddrinfo-list", host)
    basic = run_in(ipv4_lab, "getaddrinfo-basic", host)
    assert broken.stdout.decode() == python_in(ipv4_lab, GAI_LIST, host, "0")
    assert fixed.stdout.decode() == python_in(ipv4_lab, GAI_LIST, host, "1")
    assert basic.stdout.decode() == python_in(ipv4_lab, GAI_FIRST, host)
    assert (broken.returncode, fixed.returncode, basic.returncode) == (0, 0, 0)


@pytest.mark.parametrize("name", RESOLVER_PROGRAMS[:3])
@pytest.mark.parametrize("host", ["nothere.example.test", "outside.invalid", "nowhere"])
def test_getaddrinfo_failure_is_one_line_and_exit_1(lab, name, host):
    """NXDOMAIN from nsd, REFUSED from unbound: Python's gaierror text."""
    error = python_in(lab, """import socket, sys
try:
    socket.getaddrinfo(sys.argv[1], None)
except socket.gaierror as e:
    print(e)""", host).strip()
    assert error.startswith("[Errno -")
    result = run_in(lab, name, host)
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode() == f"{name}: getaddrinfo: {error}\n"


# ------------------------------------------------------- gethostbyaddr

@pytest.mark.parametrize("ip,name", [
    ("192.0.2.10", "www.example.test"), ("192.0.2.25", "mail.example.test"),
    ("192.0.2.1", "example.test"), ("2001:db8::10", "www.example.test"),
    ("2001:db8::25", "mail.example.test"), ("2001:0DB8:0:0::1", "example.test"),
])
def test_gethostbyaddr_basic_finds_the_name(lab, ip, name):
    result = run_in(lab, "gethostbyaddr-basic", ip)
    assert result.returncode == 0, result.stderr
    address = python_in(lab, "import socket, sys; print(socket.gethostbyaddr(sys.argv[1])[2][0])", ip)
    assert lines(result) == ["Primary hostname:", f"  {name}", "", "Addresses:", f"  {address.strip()}"]
    assert lab.dig("127.0.0.1", "-x", ip) == [name + "."]


@pytest.mark.parametrize("ip", ["192.0.2.50", "2001:db8::50", "127.0.0.9"])
def test_gethostbyaddr_basic_without_reverse_record(lab, ip):
    result = run_in(lab, "gethostbyaddr-basic", ip)
    assert (result.returncode, lines(result)) == (1, ["Couldn't look up name: [Errno 1] Unknown host"])
    python = python_in(lab, """import socket, sys
try:
    socket.gethostbyaddr(sys.argv[1])
except socket.herror as e:
    print("Couldn't look up name:", e)""", ip)
    assert result.stdout.decode() == python


def test_gethostbyaddr_basic_reads_etc_hosts_too(lab):
    result = run_in(lab, "gethostbyaddr-basic", "192.0.2.200")
    assert lines(result) == ["Primary hostname:", "  workstation.example.test", "",
                             "Addresses:", "  192.0.2.200"]


@pytest.mark.parametrize("ip,out,status", [
    ("192.0.2.10", ["Validated hostname: www.example.test"], 0),
    ("2001:db8::10", ["Validated hostname: www.example.test"], 0),
    ("2001:DB8::25", ["Validated hostname: mail.example.test"], 0),
    ("192.0.2.50", ["No host names available for 192.0.2.50; this may be normal."], 0),
    ("2001:db8::50", ["No host names available for 2001:db8::50; this may be normal."], 0),
    ("192.0.2.66", ["Got hostname ghost.example.test, but it could not be forward-resolved:"
                    " [Errno -2] Name or service not known"], 1),
    ("2001:db8::66", ["Got hostname ghost.example.test, but it could not be forward-resolved:"
                      " [Errno -2] Name or service not known"], 1),
    ("192.0.2.77", ["Got hostname www.example.test, but on forward lookup,",
                    "original IP 192.0.2.77 did not appear in IP address list."], 1),
    ("2001:db8::77", ["Got hostname www.example.test, but on forward lookup,",
                      "original IP 2001:db8::77 did not appear in IP address list."], 1),
])
def test_gethostbyaddr_paranoid_every_branch(lab, ip, out, status):
    result = run_in(lab, "gethostbyaddr-paranoid", ip)
    assert (lines(result), result.returncode) == (out, status)
    assert result.stderr == b""


def test_paranoid_lab_data_agrees_with_dig(lab):
    """The branches above come from the zone, not from the program: dig says so."""
    assert lab.dig("127.0.0.1", "-x", "192.0.2.77") == ["www.example.test."]
    assert lab.dig("127.0.0.1", "www.example.test", "A") == ["192.0.2.10"]
    assert lab.dig("127.0.0.1", "-x", "192.0.2.66") == ["ghost.example.test."]
    assert lab.dig("127.0.0.1", "ghost.example.test", "A") == []
    assert lab.dig("127.0.0.1", "-x", "192.0.2.50") == []


# ------------------------------------------------------- environment

ENVIRONMENT = """import socket
hostname = socket.gethostname()
print("Host name:", hostname)
print("Fully-qualified name:", socket.getfqdn(hostname))
try:
    result = socket.getaddrinfo(hostname, None, 0, socket.SOCK_STREAM)
    print("IP addresses:", ", ".join([x[4][0] for x in result]))
except socket.gaierror as e:
    print("Couldn't not get IP addresses:", e)
"""


def test_environment_with_a_hosts_file(lab):
    result = run_in(lab, "environment", hostname="workstation")
    assert result.returncode == 0, result.stderr
    assert sorted(lines(result)[2:]) in (["IP addresses: 192.0.2.200, 2001:db8::200"],
                                         ["IP addresses: 2001:db8::200, 192.0.2.200"])
    assert lines(result)[:2] == ["Host name: workstation",
                                 "Fully-qualified name: workstation.example.test"]
    assert result.stdout.decode() == python_in(lab, ENVIRONMENT, hostname="workstation")


def test_environment_with_an_unknown_host_name(lab):
    result = run_in(lab, "environment", hostname="nowhere")
    assert result.returncode == 1
    assert lines(result) == ["Host name: nowhere", "Fully-qualified name: nowhere",
                             "Couldn't not get IP addresses: [Errno -3] Temporary failure in name resolution"]
    assert result.stdout.decode() == python_in(lab, ENVIRONMENT, hostname="nowhere")


# ------------------------------------------------------- usage

USAGE = {"getaddrinfo-basic": "HOST", "getaddrinfo-list-broken": "HOST", "getaddrinfo-list": "HOST",
         "gethostbyaddr-basic": "IP", "gethostbyaddr-paranoid": "IP"}


@pytest.mark.parametrize("name", sorted(USAGE))
@pytest.mark.parametrize("args", [[], ["a", "b"], ["--bogus", "x"]])
def test_usage_errors_exit_2(name, args):
    result = run([prog(f"ch04/{name}"), *args])
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().splitlines()[0] == f"usage: {name} {USAGE[name]}"


def test_environment_takes_no_arguments():
    result = run([prog("ch04/environment"), "extra"])
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[0] == "usage: environment"


@pytest.mark.parametrize("name", sorted(USAGE) + ["environment"])
def test_help_exits_0(name):
    result = run([prog(f"ch04/{name}"), "--help"])
    assert result.returncode == 0
    assert result.stdout.decode().startswith(f"usage: {name}")


# ------------------------------------------------------- direct DNS queries

def dig_records(lab, server, name, types=TYPES, rtype_any=False):
    """What dig sees for `name`: {"TYPE data"} with names' final dots removed,
    only records owned by `name` of the type asked for (or the whole answer
    to one ANY query when rtype_any)."""
    found = set()
    rtypes = ["ANY"] if rtype_any else list(types)
    for rtype, answer in zip(rtypes, lab.answers(server, [(name, rtype) for rtype in rtypes])):
        for line in answer:
            owner, _ttl, _cls, typ, data = line.split(None, 4)
            if rtype_any or (typ == rtype and owner.rstrip(".").lower() == name.lower()):
                found.add(f"{typ} {re.sub(r'(?<=[^ .])[.](?= |$)', '', data)}")
    return found


def printed_records(out_lines):
    """Our "%-5s %s" lines as {"TYPE data"}."""
    return {f"{line[:5].strip()} {line[6:]}" for line in out_lines}


# (server, name, does its ANY answer hold several RRsets?)
AGREE_CASES = [(server, name, False) for server in ["127.0.0.2", "127.0.0.3", "::1"]
               for name in ["example.test", "www.example.test", "mail.example.test",
                            "10.2.0.192.in-addr.arpa"]] + [
    (None, "example.test", True), (None, "www.example.test", True),
    (None, "mail.example.test", True),
    (None, "10.2.0.192.in-addr.arpa", False),  # one PTR RRset
    (None, "classic.test", False),             # unbound's own zone: an empty ANY answer
]


@pytest.mark.parametrize("server,name,complete", AGREE_CASES)
def test_dns_basic_agrees_with_dig(lab, server, name, complete):
    """nsd and knot answer ANY with one RRset, so the program asks type by
    type. unbound answers ANY from its cache, with whatever it has seen of
    the name (the book's reason for dnsany). So that its answer does not
    depend on what earlier tests asked, dig first asks it for every type:
    then its ANY answer holds every RRset of the name, and more than one
    RRset is printed as it is, like dig shows it."""
    if server is None:
        dig_records(lab, "127.0.0.1", name)  # fills unbound's cache
    any_answer = dig_records(lab, server or "127.0.0.1", name, rtype_any=True)
    assert (len({record.split()[0] for record in any_answer}) > 1) == complete
    options = [] if server is None else ["--server", server]
    result = run_in(lab, "dns-basic", *options, name)
    assert result.returncode == 0, result.stderr
    out = lines(result)
    if complete:
        assert printed_records(out) == any_answer
        assert any_answer <= dig_records(lab, "127.0.0.2", name)
    else:
        assert out[0] == FALLBACK
        out = out[1:]
        assert printed_records(out) == dig_records(lab, server or "127.0.0.1", name)
    assert len(printed_records(out)) == len(out)  # no record printed twice


def test_dns_basic_shows_a_caching_servers_partial_any_answer(lab):
    """The book's point: a caching server answers ANY with what it has in
    its cache (unbound puts together the A, AAAA, MX, SOA, NS and DNAME
    RRsets it holds). Only this test asks about partial.example.test: once
    unbound has its A and AAAA records, its ANY answer is those two RRsets,
    without the MX and TXT; dnsany asks the zone's own servers, type by type."""
    assert lab.dig("127.0.0.1", "partial.example.test", "A") == ["192.0.2.60"]
    assert lab.dig("127.0.0.1", "partial.example.test", "AAAA") == ["2001:db8::60"]
    result = run_in(lab, "dns-basic", "partial.example.test")
    assert (result.returncode, lines(result)) == (0, ["A     192.0.2.60", "AAAA  2001:db8::60"])
    full = run_in(lab, "dnsany", "partial.example.test")
    assert lines(full) == ["Using nameservers: ns1.example.test, ns2.example.test", FALLBACK,
                           "MX    10 mail.example.test", "A     192.0.2.60",
                           "AAAA  2001:db8::60", 'TXT   "seen by one test only"']


@pytest.mark.parametrize("server", ["127.0.0.2", "127.0.0.3"])
def test_dns_basic_prints_the_zone_apex_in_the_fallback_order(lab, server):
    assert len(lab.dig(server, "example.test", "ANY")) == 1  # RFC 8482: one RRset
    result = run_in(lab, "dns-basic", "--server", server, "example.test")
    assert lines(result) == [
        FALLBACK,
        "SOA   ns1.example.test hostmaster.example.test 2024010101 3600 900 604800 300",
        "NS    ns1.example.test",
        "NS    ns2.example.test",
        "MX    10 mail.example.test",
        "A     192.0.2.1",
        "AAAA  2001:db8::1",
        'TXT   "first string" "second string" "third"',
    ]


def test_dns_basic_cname_answer_needs_no_fallback(lab):
    """A CNAME is all a name can have: nsd's ANY answer is complete."""
    result = run_in(lab, "dns-basic", "--server", "127.0.0.2", "ftp.example.test")
    assert lines(result) == ["CNAME www.example.test"]
    assert printed_records(lines(result)) == dig_records(lab, "127.0.0.2", "ftp.example.test",
                                                         rtype_any=True)


def test_dns_basic_empty_any_answer_falls_back(lab):
    """unbound's own zone answers ANY with no records at all (NOERROR)."""
    assert lab.dig("127.0.0.1", "classic.test", "ANY") == []
    result = run_in(lab, "dns-basic", "classic.test")
    assert lines(result)[0] == FALLBACK
    assert "MX    5 mx.classic.test" in lines(result)


def test_dns_basic_not_found(lab):
    assert "status: NXDOMAIN" in lab.run(["dig", "@127.0.0.1", "nothere.example.test"]).stdout.decode()
    result = run_in(lab, "dns-basic", "nothere.example.test")
    assert (result.returncode, lines(result), result.stderr) == (1, ["Not found."], b"")


@pytest.mark.parametrize("name,rcode", [("broken.test", "SERVFAIL"), ("outside.example", "REFUSED")])
def test_dns_basic_server_errors(lab, name, rcode):
    dig = lab.run(["dig", "@127.0.0.1", name, "ANY"]).stdout.decode()
    assert f"status: {rcode}" in dig
    result = run_in(lab, "dns-basic", name)
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode() == f"dns-basic: ANY query for {name}: the server answered {rcode}\n"


def test_dnsany_walks_up_to_the_zone(lab):
    """www.example.test has no NS records of its own: example.test has."""
    assert lab.dig("127.0.0.1", "www.example.test", "NS") == []
    assert lab.dig("127.0.0.1", "example.test", "NS") == ["ns1.example.test.", "ns2.example.test."]
    result = run_in(lab, "dnsany", "www.example.test")
    assert result.returncode == 0, result.stderr
    assert lines(result) == ["Using nameservers: ns1.example.test, ns2.example.test", FALLBACK,
                             "A     192.0.2.10", "AAAA  2001:db8::10"]
    assert printed_records(lines(result)[2:]) == dig_records(lab, "127.0.0.2", "www.example.test")


def test_dnsany_reverse_zone(lab):
    result = run_in(lab, "dnsany", "77.2.0.192.in-addr.arpa")
    assert lines(result) == ["Using nameservers: ns1.example.test, ns2.example.test", FALLBACK,
                             "PTR   www.example.test"]


def test_dnsany_with_server_asks_it_for_the_name_servers(lab):
    """--server 127.0.0.2 (nsd) answers the NS question and the name
    servers' addresses, then ns1 (nsd again) answers, type by type."""
    result = run_in(lab, "dnsany", "--server", "127.0.0.2", "mail.example.test")
    assert (result.returncode, result.stderr) == (0, b"")
    assert lines(result) == ["Using nameservers: ns1.example.test, ns2.example.test", FALLBACK,
                             "A     192.0.2.25", "AAAA  2001:db8::25"]


def test_dnsany_server_failure_on_the_way_up(lab):
    """unbound answers SERVFAIL for broken.test (nsd claims it but has no
    data). One level up, test. is a special-use name (RFC 6761) that unbound
    serves itself, with the name server localhost: asked in turn, it answers
    SERVFAIL again. Each failure is named, and nothing is found."""
    assert "status: SERVFAIL" in lab.run(["dig", "@127.0.0.1", "broken.test", "NS"]).stdout.decode()
    assert lab.dig("127.0.0.1", "test", "NS") == ["localhost."]
    result = run_in(lab, "dnsany", "broken.test")
    assert (result.returncode, lines(result)) == (1, ["Using nameservers: localhost", "Not found."])
    assert result.stderr.decode().splitlines() == [
        "dnsany: NS query for broken.test: the server answered SERVFAIL",
        "dnsany: localhost: ANY query for broken.test: the server answered SERVFAIL",
    ]


def test_dnsany_not_found(lab):
    result = run_in(lab, "dnsany", "nothere.example.test")
    assert (result.returncode, lines(result)) == (1, [
        "Using nameservers: ns1.example.test, ns2.example.test", "Not found."])


def test_dnsany_without_name_servers(lab):
    """nsd knows only its own zones: every level is REFUSED."""
    result = run_in(lab, "dnsany", "--server", "127.0.0.2", "www.outside.zz")
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode().splitlines() == [
        "dnsany: NS query for www.outside.zz: the server answered REFUSED",
        "dnsany: NS query for outside.zz: the server answered REFUSED",
        "dnsany: NS query for zz: the server answered REFUSED",
        "dnsany: Could not find nameserver to use.",
    ]


DASHES = "-" * 77
SOA_LINES = ["1  SOA   Start of authority: ", "         ns1.example.test",
             "         hostmaster.example.test", "         serial 2024010101",
             "         refresh 3600", "         retry 900", "         expire 604800",
             "         minimum 300"]


def test_dnsquery_follows_ns_and_mx(lab):
    result = run_in(lab, "dnsquery", "example.test")
    assert result.returncode == 0, result.stderr
    assert lines(result) == [
        DASHES, "Results for example.test (lookup type ANY)", "", FALLBACK, *SOA_LINES,
        "2  NS    Name server: ns1.example.test",
        "3  NS    Name server: ns2.example.test",
        "4  MX    Mail server: mail.example.test, priority 10",
        "5  A     IP address:  192.0.2.1",
        "6  AAAA  IP address:  2001:db8::1",
        '7  TXT   Data:        "first string" "second string" "third"',
        DASHES, "Results for ns1.example.test (lookup type A)", "",
        "1  A     IP address:  127.0.0.2",
        DASHES, "Results for ns2.example.test (lookup type A)", "",
        "1  A     IP address:  127.0.0.3",
        DASHES, "Results for mail.example.test (lookup type A)", "",
        "1  A     IP address:  192.0.2.25",
    ]
    assert lab.dig("127.0.0.2", "mail.example.test", "A") == ["192.0.2.25"]


@pytest.mark.parametrize("ip,rev", [
    ("192.0.2.10", "10.2.0.192.IN-ADDR.ARPA"),
    ("2001:db8::10", "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.IP6.ARPA"),
])
def test_dnsquery_follows_ptr(lab, ip, rev):
    result = run_in(lab, "dnsquery", ip)
    assert result.returncode == 0, result.stderr
    assert lines(result) == [
        DASHES, f"Results for {ip} (lookup type ANY)", "",
        f"IP address given; doing reverse lookup using {rev}", FALLBACK,
        "1  PTR   Host name:   www.example.test",
        DASHES, "Results for www.example.test (lookup type ANY)", "", FALLBACK,
        "1  A     IP address:  192.0.2.10",
        "2  AAAA  IP address:  2001:db8::10",
    ]
    assert lab.dig("127.0.0.1", "-x", ip) == ["www.example.test."]


def test_dnsquery_follows_cname(lab):
    result = run_in(lab, "dnsquery", "ftp.example.test")
    assert lines(result) == [
        DASHES, "Results for ftp.example.test (lookup type ANY)", "",
        "1  CNAME Alias for:   www.example.test",
        DASHES, "Results for www.example.test (lookup type ANY)", "", FALLBACK,
        "1  A     IP address:  192.0.2.10",
        "2  AAAA  IP address:  2001:db8::10",
    ]


def test_dnsquery_not_found(lab):
    result = run_in(lab, "dnsquery", "192.0.2.50")
    assert (result.returncode, lines(result)) == (1, [
        DASHES, "Results for 192.0.2.50 (lookup type ANY)", "",
        "IP address given; doing reverse lookup using 50.2.0.192.IN-ADDR.ARPA", "Not found."])


# ------------------------------------------------------- bad names, hostile servers

DNS_PROGRAMS = ["dns-basic", "dnsany", "dnsquery"]
LONG_LABEL = "a" * 64 + ".example.test"
LONG_NAME = ".".join(["abcdefghi"] * 25) + ".test"  # 254 characters


@pytest.mark.parametrize("name", DNS_PROGRAMS)
@pytest.mark.parametrize("query,problem", [
    (LONG_LABEL, "a label of the name is 64 characters long; the limit is 63"),
    (LONG_NAME, "the name is 254 characters long; the limit is 253"),
    ("a..example.test", "the name has an empty label (two dots in a row?)"),
])
def test_bad_names_are_refused_before_any_query(name, query, problem):
    # --server points at a port where nothing listens: no query may be needed
    result = run([prog(f"ch04/{name}"), "--server", "127.0.0.1", "--port", "9", query])
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.decode() == f"{name}: bad name: {problem}\n"


@pytest.fixture
def fake_dns():
    servers = []

    def start(mode):
        proc = Proc(["/usr/bin/python3", FAKEDNS, mode])
        servers.append(proc)
        return proc.port()
    yield start
    for proc in servers:
        proc.stop()


@pytest.mark.parametrize("mode,error", [
    ("wrongid", r"the answer has ID \d+, not the query's \d+"),
    ("garbage", r"Label length overflow"),
    ("short", r"header section incomplete"),
    ("loop", r"Invalid compression pointer"),
    ("silent", r"no answer within 0\.5 s \(Could not send or receive, because of network error\)"),
])
def test_dns_basic_against_hostile_servers(fake_dns, mode, error):
    port = fake_dns(mode)
    result = run([prog("ch04/dns-basic"), "--server", "127.0.0.1", "--port", port,
                  "--timeout", "0.5", "example.test"], timeout=10)
    assert (result.returncode, result.stdout) == (1, b"")
    err = result.stderr.decode()
    assert err.count("\n") == 1
    assert re.fullmatch(r"dns-basic: ANY query for example\.test: (" + error + ")\n", err), err


@pytest.mark.parametrize("name", ["dnsany", "dnsquery"])
def test_silent_server_gives_up_in_bounded_time(fake_dns, name):
    """Every query waits its own timeout: after the first one, ldns would
    skip the server as unreachable unless the program says otherwise."""
    port = fake_dns("silent")
    result = run([prog(f"ch04/{name}"), "--server", "127.0.0.1", "--port", port,
                  "--timeout", "0.3", "www.example.test"], timeout=10)
    assert result.returncode == 1
    timeout = "no answer within 0.3 s (Could not send or receive, because of network error)"
    last = "Could not find nameserver to use." if name == "dnsany" else \
        "www.example.test: Could not find nameserver to use."
    assert result.stderr.decode().splitlines() == [
        f"{name}: NS query for www.example.test: {timeout}",
        f"{name}: NS query for example.test: {timeout}",
        f"{name}: NS query for test: {timeout}",
        f"{name}: {last}",
    ]
    if name == "dnsquery":
        assert lines(result) == [DASHES, "Results for www.example.test (lookup type ANY)", "",
                                 "Not found."]


@pytest.mark.parametrize("name,mode,error", [
    ("dnsany", "garbage", "Label length overflow"),
    ("dnsquery", "loop", "Invalid compression pointer"),
    ("dnsany", "wrongid", r"the answer has ID \d+, not the query's \d+"),
])
def test_dnsany_and_dnsquery_against_malformed_answers(fake_dns, name, mode, error):
    """Every NS question up the name gets a bad answer: each is named."""
    port = fake_dns(mode)
    result = run([prog(f"ch04/{name}"), "--server", "127.0.0.1", "--port", port,
                  "--timeout", "0.5", "www.example.test"], timeout=10)
    assert result.returncode == 1
    err = result.stderr.decode().splitlines()
    assert len(err) == 4, err
    for line, asked in zip(err, ["www.example.test", "example.test", "test"]):
        assert re.fullmatch(f"{name}: NS query for {re.escape(asked)}: ({error})", line), line
    assert err[3].endswith("Could not find nameserver to use.")


def test_dnsany_asks_the_next_server_when_one_fails(fake_dns):
    """Two name servers: nothing answers at the first one's address
    (127.0.0.2, same port), so it is named on stderr and the second asked."""
    port = fake_dns("deadns")
    result = run([prog("ch04/dnsany"), "--server", "127.0.0.1", "--port", port,
                  "--timeout", "0.3", "www.fake.test"], timeout=10)
    assert result.returncode == 0, result.stderr
    assert lines(result) == ["Using nameservers: ns-dead.fake.test, ns-good.fake.test",
                             "A     192.0.2.99", 'TXT   "alive"']
    assert result.stderr.decode() == (
        "dnsany: ns-dead.fake.test: ANY query for www.fake.test: no answer within 0.3 s"
        " (Could not send or receive, because of network error)\n")


def test_lone_record_of_another_type_is_kept_and_a_failed_type_named(fake_dns):
    """A lone SRV answer to ANY looks minimal (one RRset): the program asks
    type by type, keeps the SRV, and names the one type that failed (MX
    REFUSED) without losing the others."""
    port = fake_dns("srv")
    dig = run(["dig", "+short", "-p", port, "@127.0.0.1", "example.test", "ANY"])
    assert dig.stdout.decode() == "0 5 5060 sip.fake.test.\n"
    result = run([prog("ch04/dns-basic"), "--server", "127.0.0.1", "--port", port, "example.test"])
    assert result.returncode == 0, result.stderr
    assert lines(result) == [FALLBACK, "A     192.0.2.99", "SRV   0 5 5060 sip.fake.test"]
    assert result.stderr.decode() == "dns-basic: MX query for example.test: the server answered REFUSED\n"


def test_dnsquery_stops_following_an_endless_chain(fake_dns):
    """Every answer names a new alias: the book's loop would never end."""
    port = fake_dns("chain")
    result = run([prog("ch04/dnsquery"), "--server", "127.0.0.1", "--port", port,
                  "0.fake.test"], timeout=60)
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert out[:4] == [DASHES, "Results for 0.fake.test (lookup type ANY)", "",
                       "1  CNAME Alias for:   1.fake.test"]
    assert out[-4:] == ["Results for 49.fake.test (lookup type ANY)", "",
                        "1  CNAME Alias for:   50.fake.test", "Stopping after 50 lookups."]
    assert out.count(DASHES) == 50


def test_truncated_answer_is_asked_again_over_tcp(fake_dns):
    port = fake_dns("truncated")
    result = run([prog("ch04/dns-basic"), "--server", "127.0.0.1", "--port", port, "example.test"])
    assert result.returncode == 0, result.stderr
    txt = "TXT   " + " ".join(f'"string number {i:02d}"' for i in range(40))
    assert lines(result) == ["A     192.0.2.99", txt]
    # dig agrees: the UDP answer is truncated, the TCP one complete
    udp = run(["dig", "+notcp", "+ignore", "-p", port, "@127.0.0.1", "example.test", "ANY"])
    assert "flags: qr aa tc rd ra" in udp.stdout.decode()


def test_rfc8482_hinfo_answer_falls_back(fake_dns):
    port = fake_dns("rfc8482")
    dig = run(["dig", "+short", "-p", port, "@127.0.0.1", "example.test", "ANY"])
    assert dig.stdout.decode() == '"RFC8482" ""\n'
    result = run([prog("ch04/dns-basic"), "--server", "127.0.0.1", "--port", port, "example.test"])
    assert lines(result) == [FALLBACK, "A     192.0.2.99", 'TXT   "modern" "server"']


@pytest.mark.parametrize("name", DNS_PROGRAMS)
@pytest.mark.parametrize("args,message", [
    ([], "expected 1 argument, got 0"),
    (["--port", "70000", "x.test"], "bad --port '70000': port number out of range: 70000"),
    (["--port", "0", "x.test"], "bad --port '0': a server's port cannot be 0"),
    (["--timeout", "0", "x.test"], "bad --timeout '0': expected a number from 0.1 to 3600"),
    (["--server"], "option --server needs a value"),
])
def test_dns_usage_errors(lab, name, args, message):
    """In the lab: were an option parsed after the first query, that query
    could not leave the machine."""
    result = run_in(lab, name, *args)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"usage: {name} [--server SERVER] [--port PORT] [--timeout SECS] "
        + ("NAME-OR-IP" if name == "dnsquery" else "NAME"),
        f"{name}: error: {message}"]


def test_dns_server_given_by_name(lab):
    result = run_in(lab, "dns-basic", "--server", "ns2.example.test", "www.example.test")
    assert lines(result) == [FALLBACK, "A     192.0.2.10", "AAAA  2001:db8::10"]


def test_dns_server_given_by_an_unknown_name(lab):
    result = run_in(lab, "dns-basic", "--server", "nowhere.example.test", "example.test")
    assert result.returncode == 1
    assert result.stderr.decode() == ("dns-basic: server nowhere.example.test:"
                                      " [Errno -2] Name or service not known\n")
