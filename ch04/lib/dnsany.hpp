// ch04/lib/dnsany.hpp: the book's DNSany.py functions, which DNSquery.py imports.
//
// dnsany.cpp is DNSany.py's main program; its functions are here, under the
// book's names, because dnsquery.cpp uses them too. `res` is the resolver
// the program starts with: it answers the NS questions and the name
// servers' addresses. A failed query is named on stderr and counts as an
// empty answer, as the book's `except DNS.Base.DNSError: pass` made it.
#pragma once

#include <string>
#include <vector>

#include "dnsrequest.hpp"

namespace ch04 {

// The answers of type qtype for qstring; if none, for its parent domain,
// and so on up to the last label.
std::vector<std::string> hierquery(ldns_resolver* res, const std::string& qstring,
                                   const std::string& qtype);

// hierquery(res, hostname, "NS"): the servers of the nearest enclosing zone.
std::vector<std::string> findnameservers(ldns_resolver* res, const std::string& hostname);

// Asks each name server of nslist in turn; the first non-empty answer.
std::vector<Record> getrecordsfromnameserver(ldns_resolver* res, const std::string& qstring,
                                             const std::string& qtype,
                                             const std::vector<std::string>& nslist);

// findnameservers, then getrecordsfromnameserver. `verbose` prints the
// book's "Using nameservers: A, B"; no name servers at all throws
// DnsError("Could not find nameserver to use.").
std::vector<Record> nslookup(ldns_resolver* res, const std::string& qstring,
                             const std::string& qtype, bool verbose = true);

}  // namespace ch04
