// ch04/lib/dnsclient.hpp: asking DNS servers directly, with ldns (the book's PyDNS).
//
// The book's PyDNS calls and their ldns counterparts (all in dnsclient.cpp):
//
//   DNS.DiscoverNameServers()        ldns_resolver_new_frm_file(&res, NULL):
//                                    the name servers of /etc/resolv.conf
//   DNS.Request(server = ns)         ldns_resolver_new() + ldns_resolver_push_nameserver()
//   reqobj.req(name = N, qtype = T)  ldns_dname_new_frm_str(N), then
//                                    ldns_resolver_prepare_query_pkt() and
//                                    ldns_resolver_send_pkt(): one query, UDP
//                                    first, TCP when the answer is truncated
//   answerobj.answers                ldns_pkt_answer(): the answer section
//
// And the book's DNSany.py functions, which DNSquery.py imports and so
// dnsany.cpp and dnsquery.cpp share: hierquery(), findnameservers(),
// getrecordsfromnameserver(), nslookup().
//
// Every program takes the same options (dns_spec()): --server names a
// server (an address or a host name) instead of resolv.conf's; --port its
// port (default 53, used for every server the program asks); --timeout the
// seconds to wait for each answer (default 5). A server that never answers,
// answers garbage, answers with another query's ID or an error code gives a
// DnsError with one clear line of text.
#pragma once

// stdbool.h first: without it ldns.h defines `true` and `false` as macros,
// which breaks the C++ standard library headers included after it.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnsformat.hpp"
#include "program.hpp"

namespace ch04 {

// The command line of dns-basic, dnsany and dnsquery: the server options,
// then one argument (NAME, or NAME-OR-IP for dnsquery).
wb::Spec dns_spec(const std::string& argument);

// A failed query: no answer, a malformed one, or an error code.
class DnsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ResolverFree {
    void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
};
using Resolver = std::unique_ptr<ldns_resolver, ResolverFree>;

// The resolver the options ask for: --server's, or resolv.conf's servers.
Resolver make_resolver(const wb::Args& args);

// A resolver that asks the given addresses, with `like`'s port and timeout.
Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like);

// The book's reqobj.req(name, qtype).answers. NXDOMAIN and an empty answer
// give an empty list; other error codes (SERVFAIL, REFUSED, ...) throw.
// For ANY, a minimal answer (RFC 8482) makes it say so on stdout in one
// line and ask for each of fallback_types in turn.
std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type);

// The addresses of a host name (A and AAAA records), asked of `res`.
std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host);

// DNSany.py: answers of `type` for `name`, else for its parent, and so on;
// empty when even the last label has none. Failed queries are reported on
// stderr and count as empty, as in the book.
std::vector<std::string> hierquery(ldns_resolver* res, const std::string& name, const std::string& type);
std::vector<std::string> findnameservers(ldns_resolver* res, const std::string& hostname);

// Asks each name server in turn; returns the first non-empty answer.
std::vector<Record> getrecordsfromnameserver(ldns_resolver* res, const std::string& name,
                                             const std::string& type,
                                             const std::vector<std::string>& nslist);

// findnameservers + getrecordsfromnameserver; `verbose` prints the
// "Using nameservers:" line. Throws DnsError("Could not find nameserver to
// use.") when there are none.
std::vector<Record> nslookup(ldns_resolver* res, const std::string& name, const std::string& type,
                             bool verbose = true);

// dns-basic's and dnsany's output: each answer as "%-5s %s", or "Not
// found." for none. Returns the exit status: 0, or 1 for "Not found.".
int print_answers(const std::vector<Record>& answers);

// The name checked with check_name(); a bad one throws DnsError.
void require_valid_name(const std::string& name);

}  // namespace ch04
