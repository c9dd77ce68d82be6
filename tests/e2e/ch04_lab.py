"""The DNS lab for chapter 4: a small DNS hierarchy of real servers, offline.

Inside a private network + mount namespace (harness.Namespace), where only
`lo` exists and /etc/resolv.conf names 127.0.0.1:

    127.0.0.1:53  unbound, the resolving server named in resolv.conf. It sends
                  example.test and the reverse zones to the authoritative
                  servers below (stub zones), refuses every other name (so
                  nothing is ever looked up outside), and itself serves
                  classic.test, a zone that answers ANY queries in full, the
                  way servers did when the book was written.
    127.0.0.2:53  nsd, authoritative for example.test, 2.0.192.in-addr.arpa
                  and 8.b.d.0.1.0.0.2.ip6.arpa (ns1.example.test); it also
                  claims broken.test but has no data for it, so it answers
                  SERVFAIL there.
    127.0.0.3:53  knot, authoritative for the same three zones from the
    [::1]:53      same zone files (ns2.example.test), on IPv4 and IPv6.

nsd and knot answer a query of type ANY with one RRset only (RFC 8482).

The zone holds A, AAAA, MX, NS, SOA, TXT (three strings), CNAME and PTR
records, and the addresses that make every branch of gethostbyaddr-paranoid
happen (IPv4 and IPv6 alike):

    192.0.2.10  / 2001:db8::10  <-> www.example.test     (confirmed)
    192.0.2.50  / 2001:db8::50      no reverse record     ("may be normal")
    192.0.2.66  / 2001:db8::66  ->  ghost.example.test    (no such name)
    192.0.2.77  / 2001:db8::77  ->  www.example.test      (not among its addresses)

Use:  with DnsLab() as lab:  lab.run([...]) / lab.spawn([...]) / lab.dig(...)

More zones (an exercise's grader writes its own): DnsLab(zones={"mail.test":
TEXT}), TEXT a zone file (with $ORIGIN, SOA and NS ns1/ns2.example.test.).
nsd and knot serve each one beside the zones above, and unbound sends it to
them as a stub zone (transparent, so unbound's built-in zones for special
reverse ranges such as 100.51.198.in-addr.arpa do not hide it).

An IPv4-only network: DnsLab(network="192.0.2.100/24") gives the lab's
machine a network interface, lab0, with that address (a documentation
range), and leaves the IPv6 test addresses off lo, so the only IPv6
address is ::1 (lab0 gets no link-local one). glibc's AI_ADDRCONFIG ignores
loopback addresses, so on this machine it drops every IPv6 answer. lab0 is
a dummy interface, or one end of a veth pair on a kernel without the dummy
driver.

Run as a program (the chapter's tour does), it starts the lab, prints
"lab ready PID" (enter it with `nsenter -t PID -n -m -- CMD`) and keeps it
up until Ctrl-C or SIGTERM.
"""

import ipaddress
import signal
import sys
import time
from pathlib import Path

from harness import Namespace, TIMEOUT, need

RESOLVER, NS1, NS2 = "127.0.0.1", "127.0.0.2", "127.0.0.3"
ZONE = "example.test"
REV4 = "2.0.192.in-addr.arpa"
REV6 = "8.b.d.0.1.0.0.2.ip6.arpa"

SOA = "ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"

EXAMPLE_TEST = f"""$ORIGIN example.test.
$TTL 300
@          SOA   {SOA}
@          NS    ns1
@          NS    ns2
@          MX    10 mail
@          A     192.0.2.1
@          AAAA  2001:db8::1
@          TXT   "first string" "second string" "third"
ns1        A     127.0.0.2
ns2        A     127.0.0.3
www        A     192.0.2.10
www        AAAA  2001:db8::10
ftp        CNAME www
mail       A     192.0.2.25
mail       AAAA  2001:db8::25
noreverse  A     192.0.2.50
noreverse  AAAA  2001:db8::50
partial    A     192.0.2.60
partial    AAAA  2001:db8::60
partial    MX    10 mail
partial    TXT   "seen by one test only"
"""

# host part -> PTR target, the same in the IPv4 and IPv6 reverse zones
PTRS = {1: "example.test.", 10: "www.example.test.", 25: "mail.example.test.",
        66: "ghost.example.test.", 77: "www.example.test."}


def reverse_zone(origin, owner):
    lines = [f"$ORIGIN {origin}.", "$TTL 300", f"@ SOA {SOA}",
             "@ NS ns1.example.test.", "@ NS ns2.example.test."]
    for host, target in PTRS.items():
        lines.append(f"{owner(host)} PTR {target}")
    return "\n".join(lines) + "\n"


def v6_owner(host):
    """The ip6.arpa owner of 2001:db8::HOST relative to the /32 zone."""
    name = ipaddress.ip_address(f"2001:db8::{host}").reverse_pointer
    return name[: -len(REV6) - 1]


ZONES = {
    ZONE: EXAMPLE_TEST,
    REV4: reverse_zone(REV4, str),
    REV6: reverse_zone(REV6, v6_owner),
}

HOSTS = """127.0.0.1 localhost
::1 localhost ip6-localhost ip6-loopback
192.0.2.200 workstation.example.test workstation
2001:db8::200 workstation.example.test workstation
"""

RESOLV_CONF = f"nameserver {RESOLVER}\n"


def nsd_conf(d, all_zones=ZONES):
    zones = "".join(f"zone:\n  name: {z}\n  zonefile: {d}/{z}.zone\n" for z in all_zones)
    return f"""server:
  ip-address: {NS1}@53
  username: ""
  chroot: ""
  database: ""
  zonesdir: "{d}"
  pidfile: "{d}/nsd.pid"
  xfrdfile: "{d}/xfrd.state"
  zonelistfile: "{d}/zone.list"
  logfile: "{d}/nsd.log"
  server-count: 1
  verbosity: 0
remote-control:
  control-enable: no
{zones}zone:
  name: broken.test
  zonefile: {d}/missing.zone
"""


def knot_conf(d, all_zones=ZONES):
    zones = "".join(f"  - domain: {z}\n" for z in all_zones)
    return f"""server:
  listen: [{NS2}@53, ::1@53]
  rundir: {d}/knot
log:
  - target: stderr
    any: warning
database:
  storage: {d}/knot
template:
  - id: default
    storage: {d}
    file: "%s.zone"
zone:
{zones}"""


CLASSIC = [
    "classic.test. 300 IN SOA ns.classic.test. hostmaster.classic.test. 7 3600 900 604800 300",
    "classic.test. 300 IN NS ns.classic.test.",
    "classic.test. 300 IN A 192.0.2.80",
    "classic.test. 300 IN MX 5 mx.classic.test.",
    'classic.test. 300 IN TXT "old" "style"',
    "ns.classic.test. 300 IN A 127.0.0.1",
    "mx.classic.test. 300 IN A 192.0.2.81",
]


def unbound_conf(d, extra_zones=()):
    stubs = ""
    for zone in [ZONE, REV4, REV6, *extra_zones, "broken.test"]:
        stubs += f"stub-zone:\n  name: \"{zone}\"\n  stub-addr: {NS1}\n"
        if zone != "broken.test":
            stubs += f"  stub-addr: {NS2}\n"
    transparent = "".join(f'  local-zone: "{z}." transparent\n'
                          for z in [ZONE, REV4, REV6, *extra_zones, "broken.test"])
    classic = "".join(f"  local-data: '{rr}'\n" for rr in CLASSIC)
    return f"""server:
  interface: {RESOLVER}
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{d}"
  pidfile: "{d}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  do-ip6: no
  rrset-roundrobin: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "." refuse
{transparent}  local-zone: "classic.test." static
{classic}remote-control:
  control-enable: no
{stubs}"""


class DnsLab:
    """Starts the namespace and the three servers; stops everything on close."""

    def __init__(self, extra_files=None, zones=None, network=None):
        need("unbound", "nsd", "knotd", "dig")
        # zones: {name: zone file text}, served beside ZONES (see above)
        self.extra_zones = dict(zones or {})
        assert not set(self.extra_zones) & set(ZONES), "DnsLab(zones=...) adds zones, it cannot replace one"
        self.zones = {**ZONES, **self.extra_zones}
        self.network = network  # "192.0.2.100/24": an IPv4-only network (see above)
        files = {"/etc/resolv.conf": RESOLV_CONF, "/etc/hosts": HOSTS, **(extra_files or {})}
        self.ns = Namespace(files)
        self.servers = []
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self):
        d = Path(self.ns.dir)
        (d / "knot").mkdir()
        for zone, text in self.zones.items():
            (d / f"{zone}.zone").write_text(text)
        (d / "nsd.conf").write_text(nsd_conf(d, self.zones))
        (d / "knot.conf").write_text(knot_conf(d, self.zones))
        (d / "unbound.conf").write_text(unbound_conf(d, list(self.extra_zones)))
        # The test addresses live on lo, so the lab's hosts are reachable.
        for addr in ["192.0.2.10/32", "192.0.2.200/32"]:
            self._ok(self.ns.run(["ip", "addr", "add", addr, "dev", "lo"]))
        for addr in [] if self.network else ["2001:db8::10/128", "2001:db8::200/128"]:
            self._ok(self.ns.run(["ip", "-6", "addr", "add", addr, "dev", "lo", "nodad"]))
        if self.network:
            self._add_interface("lab0", self.network)
        self.servers.append(self.ns.spawn(["nsd", "-d", "-c", d / "nsd.conf"]))
        self.servers.append(self.ns.spawn(["knotd", "-c", d / "knot.conf"]))
        self.servers.append(self.ns.spawn(["unbound", "-d", "-c", d / "unbound.conf"]))
        # Every server, every zone: the tests may ask any of them first.
        for server in [NS1, NS2, "::1"]:
            for zone in self.zones:
                self._await(server, zone)
        self._await(RESOLVER, ZONE)
        for zone in self.extra_zones:
            self._await(RESOLVER, zone)
        self._await(RESOLVER, "classic.test")

    def _add_interface(self, name, address):
        """A network interface `name` that is up and has `address` (IPv4),
        and no IPv6 link-local address (AI_ADDRCONFIG would count it)."""
        links = [name]
        if self.ns.run(["ip", "link", "add", name, "type", "dummy"]).returncode != 0:
            links.append(name + "peer")
            self._ok(self.ns.run(["ip", "link", "add", name, "type", "veth", "peer", "name", links[1]]))
        self._ok(self.ns.run(["ip", "addr", "add", address, "dev", name]))
        for link in links:
            self._ok(self.ns.run(["ip", "link", "set", link, "addrgenmode", "none"]))
            self._ok(self.ns.run(["ip", "link", "set", link, "up"]))

    @staticmethod
    def _ok(result):
        assert result.returncode == 0, result.stderr

    def _await(self, server, zone):
        """Waits (bounded) until `server` answers the SOA of `zone`."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for proc in self.servers:
                if proc.p.poll() is not None:
                    raise AssertionError(f"{proc.args} exited: {proc.err!r}")
            if self.dig(server, zone, "SOA", "+time=1", "+tries=1"):
                return
            time.sleep(0.05)
        raise AssertionError(f"{server} does not answer for {zone}")

    def dig(self, server, name, rtype, *options):
        """dig +short's answer lines, as a list."""
        result = self.ns.run(["dig", "+short", f"@{server}", name, rtype, *options])
        return [line for line in result.stdout.decode().splitlines() if line]

    def run(self, args, **kwargs):
        return self.ns.run(args, **kwargs)

    def spawn(self, args, **kwargs):
        return self.ns.spawn(args, **kwargs)

    def close(self):
        for proc in reversed(self.servers):
            proc.stop()
        self.ns.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with DnsLab() as lab:
        print(f"lab ready {lab.ns.holder.p.pid}", flush=True)
        try:
            while True:
                signal.pause()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
