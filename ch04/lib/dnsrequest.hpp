// ch04/lib/dnsrequest.hpp: one question to a DNS server, and its answer checked.
//
// dns-basic makes the ldns calls of a query itself; request() makes the
// same calls for dnsany and dnsquery (the book's reqobj.req(name, qtype)),
// and replaces a minimal answer to ANY (RFC 8482) by one question per type.
#pragma once

#include <string>
#include <vector>

#include "dnsformat.hpp"
#include "dnsresolver.hpp"

namespace ch04 {

// The name checked with check_name(); a bad one throws DnsError("bad name: ...").
void require_valid_name(const std::string& name);

// The checks after ldns_resolver_send_pkt(): it succeeded (a timeout is
// named as one), the reply has the query's ID, is marked as a reply, and
// its code is NOERROR or NXDOMAIN. Else DnsError("WHAT: reason").
void check_reply(const ldns_resolver* res, ldns_status status, const ldns_pkt* query,
                 const ldns_pkt* reply, const std::string& what);

// The answer section for `name` and `type`: empty for NXDOMAIN or no
// records; DnsError for other error codes.
std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type);

// After a minimal ANY answer: says so in one line on stdout, then asks each
// of fallback_types. A type that fails is named on stderr and the others
// count; records of other types in `any_answer` (a lone SRV) come last.
std::vector<Record> ask_type_by_type(ldns_resolver* res, const std::string& name,
                                     const std::vector<Record>& any_answer);

// [x['data'] for x in answers if x['typename'] == type]
std::vector<std::string> data_of(const std::vector<Record>& records, const std::string& type);

// A host's addresses: its A and AAAA records, asked of `res`.
std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host);

// "PROG: TEXT" on stderr, after what stdout holds so far.
void warn(const std::string& text);

}  // namespace ch04
