"""The DNS lab for chapter 4's tests: tests/lab/lab's ch04 lab (the same one
the tour and `./workbook lab ch04` start), with what the tests add to it.

Inside a private network + mount namespace, where only `lo` exists and
/etc/resolv.conf names 127.0.0.1 (tests/lab/ch04 holds the configuration and
the zone files):

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
them as a stub zone.

Other files in the lab: DnsLab(extra_files={"/etc/resolv.conf": TEXT}).

An IPv4-only network: DnsLab(network="192.0.2.100/24") gives the lab's
machine a network interface, lab0, with that address, and leaves the IPv6
test addresses off lo, so the only IPv6 address is ::1. glibc's
AI_ADDRCONFIG ignores loopback addresses, so on this machine it drops every
IPv6 answer.

A student reaches the same lab with `./workbook lab ch04`.
"""

import shutil
import tempfile
from pathlib import Path

from harness import Lab, need

ZONE_FILES = Path(__file__).resolve().parents[1] / "lab" / "ch04"
ZONES = {p.name[:-len(".zone")]: p.read_text() for p in sorted(ZONE_FILES.glob("*.zone"))}


class DnsLab:
    """Starts the lab (tests/lab/lab start ch04); stops everything on close."""

    def __init__(self, extra_files=None, zones=None, network=None):
        need("unbound", "nsd", "knotd", "dig")
        self.extra_zones = dict(zones or {})
        assert not set(self.extra_zones) & set(ZONES), "DnsLab(zones=...) adds zones, it cannot replace one"
        self.zones_dir = tempfile.mkdtemp(prefix="workbook-zones-")
        self.ns = None
        try:
            options = []
            for zone, text in self.extra_zones.items():
                (Path(self.zones_dir) / f"{zone}.zone").write_text(text)
            if self.extra_zones:
                options += ["--zones", self.zones_dir]
            if network:
                options += ["--network", network]
            self.ns = Lab("ch04", *options)
            for i, (target, text) in enumerate((extra_files or {}).items()):
                src = Path(self.zones_dir) / f"file{i}"
                src.write_text(text)
                result = self.ns.run(["mount", "--bind", src, target])
                assert result.returncode == 0, result.stderr
        except BaseException:
            self.close()
            raise

    def dig(self, server, name, rtype, *options):
        """dig +short's answer lines, as a list."""
        result = self.ns.run(["dig", "+short", f"@{server}", name, rtype, *options])
        return [line for line in result.stdout.decode().splitlines() if line]

    def answers(self, server, questions, *options):
        """dig's answer section (its lines) for each (name, type) of
        `questions`, in their order, asked in one run of dig (one dig costs
        more CPU than the program it checks; a test asks a dozen). Options
        (+time=2) go before the questions and apply to all."""
        args = ["dig", "+noall", "+answer", "+question", *options, f"@{server}"]
        for name, rtype in questions:
            args += [name, rtype]
        result = self.ns.run(args)
        assert result.returncode == 0, f"{' '.join(args)} failed: {result.stderr!r}"
        answers = []
        for line in result.stdout.decode().splitlines():
            assert not line.startswith(";;"), f"{' '.join(args)}: {line}"
            if line.startswith(";"):  # the next question (";www.example.test. IN A")
                answers.append([])
            elif line.strip():
                answers[-1].append(line)
        assert len(answers) == len(questions), f"{' '.join(args)}: {result.stdout!r}"
        return answers

    def run(self, args, **kwargs):
        return self.ns.run(args, **kwargs)

    def spawn(self, args, **kwargs):
        return self.ns.spawn(args, **kwargs)

    def close(self):
        if self.ns is not None:
            self.ns.close()
        shutil.rmtree(self.zones_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

