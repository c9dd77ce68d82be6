# shellcheck shell=bash
# The chapter 4 tour (./workbook tour ch04): every program inside the DNS lab,
# a private network namespace with its own resolv.conf and hosts file, a
# resolver (unbound, 127.0.0.1) and two authoritative servers for
# example.test and its reverse zones (nsd 127.0.0.2, knot 127.0.0.3). Nothing
# leaves the machine. Sourced by ./workbook, which provides section, say,
# show, start, await, finish, lab_up, in_lab and $B. A command run with
# in_lab ch04 is shown as ./workbook lab ch04 -- CMD.

# ON_HOST NAME CMD...: runs CMD on a machine whose host name is NAME (in a
# UTS namespace of its own)
# shellcheck disable=SC2016  # $0 and $@ are for the inner sh
ON_HOST=(unshare -u sh -c 'hostname "$0" && exec "$@"')

tour_ch04() {
  printf '\n\033[1m######## Chapter 4: Domain Name System\033[0m\n'

  say "The DNS lab (tests/lab/ch04; ./workbook lab ch04 opens a shell in it):"
  say "unbound, nsd and knot in a private namespace. './workbook lab ch04 -- CMD'"
  say "below runs CMD inside it."
  lab_up ch04 || return 1
  show in_lab ch04 cat /etc/resolv.conf
  show in_lab ch04 dig +short @127.0.0.1 example.test NS

  section ch04/getaddrinfo-basic
  say "The first address getaddrinfo() gives, as Python prints it:"
  show in_lab ch04 "$B/ch04/getaddrinfo-basic" www.example.test
  show in_lab ch04 "$B/ch04/getaddrinfo-basic" nothere.example.test

  section ch04/getaddrinfo-list-broken
  say "Any socket type: every address once per socket type (stream, datagram, raw):"
  show in_lab ch04 "$B/ch04/getaddrinfo-list-broken" www.example.test

  section ch04/getaddrinfo-list
  say "SOCK_STREAM only: each address once, IPv6 and IPv4:"
  show in_lab ch04 "$B/ch04/getaddrinfo-list" www.example.test

  section ch04/gethostbyaddr-basic
  say "Reverse lookups (PTR records), IPv4 and IPv6:"
  show in_lab ch04 "$B/ch04/gethostbyaddr-basic" 192.0.2.10
  show in_lab ch04 "$B/ch04/gethostbyaddr-basic" 2001:db8::25
  show in_lab ch04 "$B/ch04/gethostbyaddr-basic" 192.0.2.50

  section ch04/gethostbyaddr-paranoid
  say "Confirmed by a forward lookup:"
  show in_lab ch04 "$B/ch04/gethostbyaddr-paranoid" 192.0.2.10
  say "No reverse record at all:"
  show in_lab ch04 "$B/ch04/gethostbyaddr-paranoid" 192.0.2.50
  say "A reverse name that does not exist (dig: PTR, then nothing for the name):"
  show in_lab ch04 dig +short @127.0.0.1 -x 192.0.2.66
  show in_lab ch04 dig +short @127.0.0.1 ghost.example.test A
  show in_lab ch04 "$B/ch04/gethostbyaddr-paranoid" 192.0.2.66
  say "A reverse name whose addresses do not include the original one:"
  show in_lab ch04 "$B/ch04/gethostbyaddr-paranoid" 2001:db8::77

  section ch04/environment
  say "On a machine named 'workstation', which the lab's /etc/hosts knows:"
  show in_lab ch04 grep workstation /etc/hosts
  show in_lab ch04 "${ON_HOST[@]}" workstation "$B/ch04/environment"
  say "and on one named 'nowhere', which nobody knows (the book's typo included):"
  show in_lab ch04 "${ON_HOST[@]}" nowhere "$B/ch04/environment"

  section ch04/dns-basic
  say "One ANY query to the resolver, which answers from its cache: only the"
  say "SOA and NS records it has seen, not the MX, A, AAAA or TXT (the book's"
  say "reason for dnsany):"
  show in_lab ch04 "$B/ch04/dns-basic" example.test
  say "nsd answers ANY with a single RRset (RFC 8482), so the program says so"
  say "and asks type by type:"
  show in_lab ch04 dig +short @127.0.0.2 example.test ANY
  show in_lab ch04 "$B/ch04/dns-basic" --server 127.0.0.2 example.test
  say "An alias, asked of nsd directly:"
  show in_lab ch04 "$B/ch04/dns-basic" --server 127.0.0.2 ftp.example.test
  say "No such name, a server failure, a name too long for DNS:"
  show in_lab ch04 "$B/ch04/dns-basic" nothere.example.test
  show in_lab ch04 "$B/ch04/dns-basic" broken.test
  show in_lab ch04 "$B/ch04/dns-basic" "$(printf 'x%.0s' {1..64}).example.test"

  section ch04/dnsany
  say "www.example.test has no NS records; example.test has. Ask those servers:"
  show in_lab ch04 "$B/ch04/dnsany" www.example.test
  say "No name servers anywhere up the tree (nsd refuses names it does not serve):"
  show in_lab ch04 "$B/ch04/dnsany" --server 127.0.0.2 www.outside.zz

  section ch04/dnsquery
  say "Follow the answers: NS and MX targets get A lookups."
  show in_lab ch04 "$B/ch04/dnsquery" example.test
  say "An address: its PTR record, then the name it points to (IPv6 too):"
  show in_lab ch04 "$B/ch04/dnsquery" 2001:db8::10
  say "An alias: the CNAME, then its target:"
  show in_lab ch04 "$B/ch04/dnsquery" ftp.example.test

  finish lab-ch04
}
