"""Chapter 4 end to end: every program inside the DNS lab (ch04_lab.py), a
private namespace with a resolver (unbound) and two authoritative servers
(nsd, knot) on 127.0.0.1-3 port 53.

References: for the operating-system resolver programs, Python's own socket
module run in the same namespace (the book's language, the same glibc
calls); for the direct DNS programs, dig asking the same servers. Hostile
servers are small fakes written here (fake_dns) on a loopback port.
"""

import pytest

from ch04_lab import DnsLab
from conftest import prog, run

RESOLVER_PROGRAMS = ["getaddrinfo-basic", "getaddrinfo-list-broken", "getaddrinfo-list",
                     "gethostbyaddr-basic", "gethostbyaddr-paranoid"]


@pytest.fixture(scope="module")
def lab():
    with DnsLab() as lab:
        yield lab


def run_in(lab, name, *args, hostname=None):
    """Runs ch04/NAME inside the lab (with its own host name if given)."""
    cmd = [prog(f"ch04/{name}"), *args]
    if hostname is not None:
        cmd = ["unshare", "-u", "sh", "-c", f'hostname "$0" && exec "$@"', hostname, *cmd]
    return lab.run(cmd)


def python_in(lab, code, *args, hostname=None):
    """Python 3's answer, in the same namespace: the reference output."""
    cmd = ["/usr/bin/python3", "-c", code, *args]
    if hostname is not None:
        cmd = ["unshare", "-u", "sh", "-c", f'hostname "$0" && exec "$@"', hostname, *cmd]
    result = lab.run(cmd)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode()


def lines(result):
    return result.stdout.decode().splitlines()


# ------------------------------------------------------- getaddrinfo

GAI_LIST = """import socket, sys
for i, item in enumerate(socket.getaddrinfo(sys.argv[1], None, 0, int(sys.argv[2]))):
    print("%-2d: %s" % (i, item[4]))
"""


@pytest.mark.parametrize("host", ["www.example.test", "mail.example.test", "ns1.example.test",
                                  "localhost", "192.0.2.10", "2001:db8::25"])
def test_getaddrinfo_programs_print_what_python_prints(lab, host):
    broken = run_in(lab, "getaddrinfo-list-broken", host)
    fixed = run_in(lab, "getaddrinfo-list", host)
    basic = run_in(lab, "getaddrinfo-basic", host)
    assert (broken.returncode, fixed.returncode, basic.returncode) == (0, 0, 0)
    assert broken.stdout.decode() == python_in(lab, GAI_LIST, host, "0")
    assert fixed.stdout.decode() == python_in(lab, GAI_LIST, host, "1")
    first = python_in(lab, "import socket, sys; print(socket.getaddrinfo(sys.argv[1], None)[0][4])", host)
    assert basic.stdout.decode() == first


def test_getaddrinfo_lists_ipv4_and_ipv6_once_per_socket_type(lab):
    fixed = lines(run_in(lab, "getaddrinfo-list", "www.example.test"))
    assert sorted(line[4:] for line in fixed) == ["('192.0.2.10', 0)", "('2001:db8::10', 0, 0, 0)"]
    assert [line[:4] for line in fixed] == ["0 : ", "1 : "]
    broken = lines(run_in(lab, "getaddrinfo-list-broken", "www.example.test"))
    assert len(broken) == 6  # each address for SOCK_STREAM, SOCK_DGRAM, SOCK_RAW
    assert sorted(set(line[4:] for line in broken)) == sorted(line[4:] for line in fixed)
    assert [line[:4] for line in broken] == [f"{i} : " for i in range(6)]


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
