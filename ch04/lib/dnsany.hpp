// ch04/lib/dnsany.hpp: the book's DNSany.py functions, which DNSquery.py imports.
//
// dnsany.cpp is DNSany.py's main program; these are its functions, under
// the book's names, in lib/ because dnsquery.cpp uses them too:
//
//   hierquery(res, qstring, qtype)   answers of qtype for qstring, else for
//                                    its parent, and so on up to the last label
//   findnameservers(res, hostname)   hierquery(res, hostname, "NS")
//   getrecordsfromnameserver(res, qstring, qtype, nslist)
//                                    asks each name server in turn; the first
//                                    non-empty answer
//   nslookup(res, qstring, qtype)    findnameservers + getrecordsfromnameserver
//
// `res` is the resolver the program starts with (resolv.conf's servers, or
// --server): it answers the NS questions and the name servers' addresses.
// Failed queries are named on stderr and count as empty answers, as the
// book's `except DNS.Base.DNSError: pass` made them.
//
// How long it can take: each query waits --timeout at most, and the number
// of queries is bounded: hierquery asks once per label (a name has at most
// 127), and getrecordsfromnameserver asks three questions per name server
// (A and AAAA for its address, then the question), plus the eight of the
// RFC 8482 fallback. A server that sends hundreds of NS records could still
// make that long: a real resolver caps the servers it tries; the book's
// program does not, nor do we.
#pragma once

#include <string>
#include <vector>

#include "dnsclient.hpp"

namespace ch04 {

std::vector<std::string> hierquery(ldns_resolver* res, const std::string& qstring, const std::string& qtype);
std::vector<std::string> findnameservers(ldns_resolver* res, const std::string& hostname);
std::vector<Record> getrecordsfromnameserver(ldns_resolver* res, const std::string& qstring,
                                             const std::string& qtype,
                                             const std::vector<std::string>& nslist);

// `verbose` prints the book's "Using nameservers: A, B" line. No name
// servers at all throws DnsError("Could not find nameserver to use.").
std::vector<Record> nslookup(ldns_resolver* res, const std::string& qstring, const std::string& qtype,
                             bool verbose = true);

}  // namespace ch04
