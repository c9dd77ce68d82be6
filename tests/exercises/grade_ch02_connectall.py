"""Grader of ch02-connectall: try every address of a name, each with a timeout.

Everything runs in a private network namespace (the lab) whose /etc/hosts
gives each test name three addresses. A small Python helper inside the lab
makes each address behave: "accept" is a listening socket; "refuse" has
nothing listening (the kernel answers the SYN with RST: ECONNREFUSED);
"drop" is a socket listening with backlog 0 whose accept queue is already
full (one connection queued, never accepted): Linux then drops every new
SYN without a word, as a firewall would, so only a timeout ends the wait.
The order the program must try the addresses in is the order Python's
socket.getaddrinfo() gives inside the same lab.
"""

import re
import time

from grading import Namespace, command_line, fail, fixture, run, stage
from ch02_peers import PY  # noqa: E402 (grading puts tests/e2e on the path)

HOSTS = """\
127.0.0.1 localhost
::1 localhost ip6-localhost
127.0.0.2 three.test
127.0.0.3 three.test
127.0.0.4 three.test
::1 mixed.test
127.0.0.5 mixed.test
127.0.0.6 mixed.test
127.0.0.7 none.test
127.0.0.8 none.test
127.0.0.9 none.test
"""

# The helper: ADDR=ROLE arguments; announces "port N" once every address
# behaves as its role says, then waits to be killed.
LISTENERS = r"""
import select, signal, socket, sys, threading
roles = [a.rsplit("=", 1) for a in sys.argv[1:]]
with socket.socket() as probe:  # a port free on every address of the lab
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
keep = []
def accept_all(listener):
    while True:
        keep.append(listener.accept()[0])
for addr, role in roles:
    if role == "refuse":
        continue  # nothing listens: the kernel answers SYN with RST
    listener = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    listener.bind((addr, port))
    keep.append(listener)
    if role == "accept":
        listener.listen(5)
        threading.Thread(target=accept_all, args=(listener,), daemon=True).start()
    else:  # drop: backlog 0, and the one place in the queue taken
        listener.listen(0)
        keep.append(socket.create_connection((addr, port), timeout=5))
        assert select.select([listener], [], [], 5)[0], "the queued connection never arrived"
print("port", port, flush=True)
signal.pause()
"""


@fixture(scope="module")
def lab():
    with Namespace(files={"/etc/hosts": HOSTS, "/etc/host.conf": "multi on\n",
                          "/etc/nsswitch.conf": "hosts: files\nservices: files\n"}) as ns:
        yield ns


def addresses(ns, name):
    """The addresses of `name` as getaddrinfo() orders them in the lab."""
    script = ("import socket, sys\n"
              "for ai in socket.getaddrinfo(sys.argv[1], 9, type=socket.SOCK_STREAM):\n"
              "    print(ai[4][0])\n")
    r = ns.run([PY, "-c", script, name])
    assert r.returncode == 0, f"getaddrinfo({name!r}) in the lab failed: {r.stderr!r}"
    return r.stdout.decode().split()


def python_tuple(addr, port):
    """The address as Python prints it: ('127.0.0.2', 8080) or ('::1', 8080, 0, 0)."""
    return str((addr, port, 0, 0) if ":" in addr else (addr, port))


def attempt(program, ns, host, roles, timeout):
    """Starts the helper with `roles` (address -> role), runs the program
    against `host`; returns (port, command line, Result, seconds taken)."""
    with ns.spawn([PY, "-c", LISTENERS, *(f"{a}={r}" for a, r in roles.items())]) as helper:
        port = helper.port()
        args = [program, "--timeout", timeout, host, port]
        drops = sum(r == "drop" for r in roles.values())
        start = time.monotonic()
        result = run(args, ns=ns, timeout=drops * timeout + 6,
                     waiting_for=f"it to try {len(roles)} addresses, {drops} of them"
                                 f" silent, with --timeout {timeout}")
        took = time.monotonic() - start
    return port, command_line(args), result, took


def expect(result, did, out, err, status, took=None, least=0.0, most=None, note=None):
    """Exact stdout and stderr, the exit status, and (when given) a time
    between `least` and `most` seconds."""
    if result.out != out.encode():
        fail("stdout is not what was expected", did=did, expected=out.encode(), got=result.out,
             result=result, note=note)
    if result.err != err.encode():
        fail("stderr is not what was expected (one line per address that failed, in getaddrinfo()'s order)",
             did=did, expected=err.encode(), got=result.err, result=result, note=note)
    if result.status != status:
        fail(f"the output was right, but the program should exit {status}", did=did, result=result)
    if took is not None and took < least:
        fail(f"it reported 'timed out' after {took:.2f} s in all, before its --timeout had passed"
             f" (at least {least:.2f} s expected)", did=did, result=result,
             note="poll()'s timeout is in milliseconds")
    if took is not None and most is not None and took > most:
        fail(f"it took {took:.2f} s; with its --timeout it should be done within {most:.2f} s",
             did=did, result=result, note="each silent address may take --timeout, no more")


@stage("connects to a single address that accepts, and prints its peer", hint=1)
def test_one_address_accepts(program, lab):
    port, did, result, _ = attempt(program, lab, "127.0.0.1", {"127.0.0.1": "accept"}, 2)
    expect(result, did, f"Connected to ('127.0.0.1', {port})\n", "", 0)


@stage("reports a refused address in Python's form, then gives up", hint=2)
def test_one_address_refuses(program, lab):
    port, did, result, _ = attempt(program, lab, "127.0.0.1", {"127.0.0.1": "refuse"}, 2)
    expect(result, did, "",
           f"('127.0.0.1', {port}): [Errno 111] Connection refused\n"
           f"Could not connect to 127.0.0.1 port {port}\n", 1)


@stage("goes past a refusing and a silent address to the one that accepts, in time", hint=3)
def test_three_addresses(program, lab):
    order = addresses(lab, "three.test")
    assert len(order) == 3, f"three.test should have 3 addresses in the lab, getaddrinfo gave {order}"
    roles = dict(zip(order, ["refuse", "drop", "accept"]))
    timeout = 0.5
    port, did, result, took = attempt(program, lab, "three.test", roles, timeout)
    expect(result, did, f"Connected to {python_tuple(order[2], port)}\n",
           f"{python_tuple(order[0], port)}: [Errno 111] Connection refused\n"
           f"{python_tuple(order[1], port)}: timed out\n", 0,
           took=took, least=timeout * 0.9, most=timeout + 2.5,
           note=f"in the lab, {order[0]} refuses, {order[1]} drops every SYN, {order[2]} accepts")


@stage("tries IPv6 and IPv4 addresses alike, in getaddrinfo()'s order", hint=4)
def test_ipv6_in_the_mix(program, lab):
    order = addresses(lab, "mixed.test")
    assert len(order) == 3 and "::1" in order, f"mixed.test should have ::1 and two IPv4 addresses, got {order}"
    roles = dict(zip(order, ["drop", "refuse", "accept"]))
    timeout = 0.7
    port, did, result, took = attempt(program, lab, "mixed.test", roles, timeout)
    expect(result, did, f"Connected to {python_tuple(order[2], port)}\n",
           f"{python_tuple(order[0], port)}: timed out\n"
           f"{python_tuple(order[1], port)}: [Errno 111] Connection refused\n", 0,
           took=took, least=timeout * 0.9, most=timeout + 2.5,
           note=f"in the lab, {order[0]} drops every SYN, {order[1]} refuses, {order[2]} accepts")


@stage("when every address fails: one line each, then 'Could not connect', exit 1", hint=5)
def test_all_fail(program, lab):
    order = addresses(lab, "none.test")
    assert len(order) == 3, f"none.test should have 3 addresses in the lab, getaddrinfo gave {order}"
    roles = dict(zip(order, ["drop", "refuse", "drop"]))
    timeout = 0.4
    port, did, result, took = attempt(program, lab, "none.test", roles, timeout)
    expect(result, did, "",
           f"{python_tuple(order[0], port)}: timed out\n"
           f"{python_tuple(order[1], port)}: [Errno 111] Connection refused\n"
           f"{python_tuple(order[2], port)}: timed out\n"
           f"Could not connect to none.test port {port}\n", 1,
           took=took, least=2 * timeout * 0.9, most=2 * timeout + 2.5,
           note=f"in the lab, {order[0]} and {order[2]} drop every SYN, {order[1]} refuses")


@stage("a name with no address: one line on stderr, exit 1", hint=5)
def test_unknown_name(program, lab):
    args = [program, "--timeout", 1, "nosuch.test", 80]
    result = run(args, ns=lab)
    did = command_line(args) + "   (nosuch.test is in no /etc/hosts of the lab)"
    lines = result.err.splitlines()
    if result.status != 1 or result.out or len(lines) != 1 or not re.search(rb"\S", result.err):
        fail("a failed name lookup should give one line on stderr, nothing on stdout, exit status 1",
             did=did, expected="one line such as \"connectall: getaddrinfo: [Errno -2] Name or service not known\"",
             got=result.err or "nothing on stderr", result=result)
