"""Grader of ch04-mailroute: where mail for a domain goes (RFC 5321 section
5.1): its MX hosts by preference, each with its addresses.

The peers are real DNS servers: the chapter's DNS lab (tests/e2e/ch04_lab.py,
unbound as the resolver of /etc/resolv.conf, nsd and knot authoritative) in
a private namespace, serving one more zone written here, mailroute.test.
The expected output is worked out from dig's answers to the same questions
(MX, then A and AAAA of each host) with the rules of the exercise's
README, so the grader and the zone cannot disagree.

nsd answers with the records in the zone file's order, knot sorts them, and
unbound passes on whichever it asked: so the sorting stage also runs the
program with /etc/resolv.conf naming nsd itself, where the order is the
zone file's (not sorted), and the program must sort.
"""

import ipaddress
from pathlib import Path

from ch04_lab import DnsLab
from grading import command_line, fail, fixture, printable, run, stage

SOA = "ns1.example.test. hostmaster.example.test. 1 3600 900 604800 300"
ZONE = "mailroute.test"
MAILROUTE_TEST = f"""$ORIGIN mailroute.test.
$TTL 300
@        SOA   {SOA}
@        NS    ns1.example.test.
@        NS    ns2.example.test.
; two MX
two      MX    10 primary
two      MX    20 backup
primary  A     198.51.100.10
primary  AAAA  2001:db8:25::10
backup   A     198.51.100.20
backup   AAAA  2001:db8:25::20
; equal and different preferences, a host with IPv6 only, several addresses
many     MX    30 zulu
many     MX    10 mike
many     MX    20 sixonly
many     MX    10 alpha
many     MX    10 kilo
alpha    A     198.51.100.10
alpha    A     198.51.100.9
alpha    AAAA  2001:db8:25::10
alpha    AAAA  2001:db8:25::9
kilo     A     198.51.100.11
mike     AAAA  2001:db8:25::12
mike     A     198.51.100.12
sixonly  AAAA  2001:db8:25::6
zulu     A     198.51.100.13
; no MX: the implicit MX
implicit A     198.51.100.30
implicit AAAA  2001:db8:25::30
implicit TXT   "no MX here"
; a null MX (RFC 7505), although the name has an address
nullmx   MX    0 .
nullmx   A     198.51.100.40
; an MX host that is an alias; a domain that is an alias
alias    MX    10 mx-alias
alias    MX    20 backup
mx-alias CNAME primary
other    CNAME two
; MX hosts without addresses
lost     MX    10 nowhere
lost     MX    20 backup
deadend  MX    10 nowhere
empty    TXT   "no MX and no address"
"""

RESOLVER, NSD = "127.0.0.1", "127.0.0.2"


@fixture(scope="module")
def lab():
    with DnsLab(zones={ZONE: MAILROUTE_TEST}) as lab:
        yield lab


# ------------------------------------------------------------ the reference

def dig_answers(lab, questions, server=RESOLVER):
    """dig's answer sections to several questions [(name, type)], in one
    run: (owner, type, data) for each record, owners without the final dot."""
    # (dig is the grader's reference, not the graded program: on a busy
    # machine a lab server may miss dig's first 2 s, so dig asks up to 3 times)
    records = []
    for answer in lab.answers(server, questions, "+time=2", "+tries=3"):
        for line in answer:
            owner, _ttl, _class, rtype, data = line.split(None, 4)
            records.append((bare(owner).lower(), rtype, data))
    return records


def dig_answer(lab, name, rtype):
    return dig_answers(lab, [(name, rtype)])


def bare(name):
    """A name without its final dot ("." stays ".")."""
    return name if name == "." else name.rstrip(".")


def addresses(records, host, rtype):
    """The addresses of `host` of `rtype` in dig's records, following its
    CNAME chain (bounded); and whether there was a CNAME."""
    name, alias = host.lower(), False
    for _ in range(8):
        target = [bare(data).lower() for owner, t, data in records if owner == name and t == "CNAME"]
        if not target:
            break
        name, alias = target[0], True
    return sorted(ipaddress.ip_address(d) for owner, t, d in records if owner == name and t == rtype), alias


def route_by_dig(lab, domain, name="mailroute"):
    """What mailroute must print for `domain` (stdout, stderr lines, exit
    status), worked out from dig's answers and the README's rules; `name`
    is the program's name, which starts its messages."""
    mx = [(int(data.split()[0]), bare(data.split()[1]))
          for _, rtype, data in dig_answer(lab, domain, "MX") if rtype == "MX"]
    if any(host == "." for _, host in mx):
        return f"{domain} accepts no mail (null MX)\n", [], 1
    implicit = not mx
    hosts = sorted(mx, key=lambda m: (m[0], m[1].lower())) if mx else [(0, domain)]
    records = dig_answers(lab, [(host, rtype) for _, host in hosts for rtype in ["A", "AAAA"]])
    out, err, deliverable = "", [], False
    for pref, host in hosts:
        v4, alias4 = addresses(records, host, "A")
        v6, alias6 = addresses(records, host, "AAAA")
        if (alias4 or alias6) and not implicit:
            err.append(f"{name}: warning: {host} is an alias (CNAME), which RFC 2181 forbids for MX targets")
        if not v4 + v6:
            err.append(f"{name}: warning: {host} has no address (A or AAAA)")
        deliverable = deliverable or bool(v4 + v6)
        out += " ".join([str(pref), host, *map(str, v4 + v6)]) + "\n"
    if not deliverable:
        err.append(f"{name}: no mail server of {domain} has an address")
    return out, err, 0 if deliverable else 1


def dig_says(lab, domain):
    """dig's MX answer, for the failure message."""
    records = [f"{rtype} {data}" for _, rtype, data in dig_answer(lab, domain, "MX")]
    return f"dig {domain} MX answers: " + ("; ".join(records) or "no records")


def check_route(program, lab, domain, *, check_err=False, via_nsd=False):
    """Runs mailroute DOMAIN in the lab and compares with route_by_dig()."""
    out, err, status = route_by_dig(lab, domain, Path(program).name)
    args = [program, domain]
    did = command_line(args)
    if via_nsd:
        # a mount namespace of its own, where /etc/resolv.conf names nsd
        conf = f"{lab.ns.dir}/resolv-nsd.conf"
        with open(conf, "w") as f:
            f.write(f"nameserver {NSD}\n")
        args = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"',
                conf, *args]
        did += f"   (with /etc/resolv.conf naming nsd, {NSD}, which keeps the zone file's order)"
    result = run(args, ns=lab.ns)
    if result.out != out.encode() or result.status != status:
        fail(f"mailroute {domain} should print this and exit {status}", did=did,
             expected=out.encode(), got=result.out, result=result, note=dig_says(lab, domain))
    got_err = result.err.decode(errors="replace").splitlines()
    if check_err and got_err != err:
        fail(f"mailroute {domain}: stderr should hold exactly these lines", did=did,
             expected=printable("".join(line + "\n" for line in err) or "nothing"),
             got=result.err or "nothing", note=dig_says(lab, domain))
    return result


# ------------------------------------------------------------ the stages

@stage("two MX records: lowest preference first, each host with its IPv4 then IPv6 addresses", hint=1)
def test_two_mx_records(program, lab):
    check_route(program, lab, "two.mailroute.test")
    check_route(program, lab, "example.test")


@stage("equal preferences sorted by host name, an IPv6-only host, addresses sorted as numbers", hint=3)
def test_sorting(program, lab):
    check_route(program, lab, "many.mailroute.test")
    check_route(program, lab, "many.mailroute.test", via_nsd=True)


@stage("no MX records: the domain itself at preference 0 (implicit MX)", hint=4)
def test_implicit_mx(program, lab):
    assert dig_answer(lab, "implicit.mailroute.test", "MX") == []
    check_route(program, lab, "implicit.mailroute.test", check_err=True)


@stage("a null MX (0 .) is 'accepts no mail'; a name that does not exist is a one-line error", hint=4)
def test_null_mx_and_nxdomain(program, lab):
    check_route(program, lab, "nullmx.mailroute.test")
    for domain, rcode in [("nothere.mailroute.test", "NXDOMAIN"), ("broken.test", "SERVFAIL")]:
        dig = lab.run(["dig", f"@{RESOLVER}", domain, "MX"]).stdout.decode()
        assert f"status: {rcode}" in dig, dig  # the lab's own check
        args = [program, domain]
        result = run(args, ns=lab.ns)
        err = result.err.decode(errors="replace")
        if result.status != 1 or result.out or err.count("\n") != 1 or \
                not err.startswith(Path(program).name + ": ") or domain not in err:
            fail(f"the resolver answers {rcode} for {domain}: the program should print one line"
                 f" on stderr (mailroute: ..., naming {domain}), nothing on stdout, and exit 1",
                 did=command_line(args), got=result.out or "nothing on stdout", result=result,
                 note="README.md: " + ("mailroute: nothere.mailroute.test: no such domain (NXDOMAIN)"
                                       if rcode == "NXDOMAIN" else
                                       "mailroute: MX query for broken.test: the server answered SERVFAIL"))


@stage("an MX host that is an alias (CNAME): a warning on stderr, and its addresses used", hint=5)
def test_cname_target(program, lab):
    assert [t for _, t, _ in dig_answer(lab, "mx-alias.mailroute.test", "A")] == ["CNAME", "A"]
    check_route(program, lab, "alias.mailroute.test", check_err=True)
    # a domain that is an alias is fine: its MX records are the target's (RFC 5321 5.1)
    check_route(program, lab, "other.mailroute.test", check_err=True)


@stage("MX hosts without addresses: a warning each; none usable at all is an error (exit 1)", hint=5)
def test_hosts_without_addresses(program, lab):
    check_route(program, lab, "lost.mailroute.test", check_err=True)
    check_route(program, lab, "deadend.mailroute.test", check_err=True)
    check_route(program, lab, "empty.mailroute.test", check_err=True)
