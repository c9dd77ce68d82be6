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
// dns-basic.cpp makes these calls itself, as the first program to use them;
// request() below wraps them for dnsany and dnsquery. The book's DNSany.py
// functions, which DNSquery.py imports, are in dnsany.hpp.
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

// The pieces of make_resolver(), for dns-basic, which reads resolv.conf
// itself: --server's resolver, and the limits every resolver here gets:
// --port, --timeout, one try per server, TCP when an answer is truncated.
Resolver server_resolver(const wb::Args& args);
void set_limits(ldns_resolver* res, const wb::Args& args);

// A resolver that asks the given addresses, with `like`'s port and timeout.
Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like);

template <typename T, void (*Free)(T*)>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using Rdf = std::unique_ptr<ldns_rdf, Freer<ldns_rdf, ldns_rdf_deep_free>>;
using Pkt = std::unique_ptr<ldns_pkt, Freer<ldns_pkt, ldns_pkt_free>>;

// The checks after ldns_resolver_send_pkt(): it succeeded (a timeout is
// named as one), the reply carries the query's ID, is marked as a reply,
// and its code is NOERROR or NXDOMAIN. Else DnsError("WHAT: reason").
void check_reply(const ldns_resolver* res, ldns_status status, const ldns_pkt* query,
                 const ldns_pkt* reply, const std::string& what);

// The records of a reply's answer section (ldns_pkt_answer()).
std::vector<Record> answer_records(const ldns_pkt* reply);

// The book's reqobj.req(name, qtype).answers. NXDOMAIN and an empty answer
// give an empty list; other error codes (SERVFAIL, REFUSED, ...) throw.
// For ANY, a minimal answer (RFC 8482) is replaced by ask_type_by_type().
std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type);

// After a minimal ANY answer (minimal_any()): says so on stdout in one line
// and asks for each of fallback_types in turn. A type whose query fails is
// named on stderr and the others still count; records of `any_answer` of
// other types (a lone SRV, say) are kept, after the others.
std::vector<Record> ask_type_by_type(ldns_resolver* res, const std::string& name,
                                     const std::vector<Record>& any_answer);

// Every data field of the records of one type, as the book's
// [x['data'] for x in answers if x['typename'] == type].
std::vector<std::string> data_of(const std::vector<Record>& records, const std::string& type);

// The addresses of a host name (A and AAAA records), asked of `res`.
std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host);

// "PROG: TEXT" on stderr, after what stdout holds so far.
void warn(const std::string& text);

// dns-basic's and dnsany's output: each answer as "%-5s %s", or "Not
// found." for none. Returns the exit status: 0, or 1 for "Not found.".
int print_answers(const std::vector<Record>& answers);

// The name checked with check_name(); a bad one throws DnsError.
void require_valid_name(const std::string& name);

}  // namespace ch04
