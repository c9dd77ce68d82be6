// ch04/lib/dnsformat.hpp: DNS records as the chapter's three DNS programs print them.
//
// The book's PyDNS hands each answer over as a dictionary: 'typename'
// ("MX"), 'data' (for MX a tuple (10, 'mail.example.test')), and so on. Here
// to_record() turns an ldns resource record into the same small value, a
// Record, and the functions below print it the book's ways:
//
//   answer_line(r)          dns-basic, dnsany:  "%-5s %s"  -> "MX    10 mail.example.test"
//   format_line(i, t, d, x) dnsquery:           "%-2s %-5s %-12s %s", continuation
//                                               lines indented nine spaces
//   reverse_name(ip)        "192.0.2.10" -> "10.2.0.192.IN-ADDR.ARPA" (and IPv6
//                           -> nibbles under IP6.ARPA, beyond the book)
//   check_name(name)        the limits of RFC 1035: 253 characters, labels 63
//   minimal_any(records)    is this an RFC 8482 answer to an ANY query?
//
// Everything here except to_record() is plain string work, unit tested in
// tests/unit/ch04_dnsformat.cpp.
#pragma once

// stdbool.h first: without it ldns.h defines `true` and `false` as macros,
// which breaks the C++ standard library headers included after it.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <optional>
#include <string>
#include <vector>

namespace ch04 {

// One resource record: owner and names without the final dot, as PyDNS
// shows them; fields are the rdata in DNS presentation format (TXT strings
// keep their quotes: "\"first string\"").
struct Record {
    std::string owner = {};
    std::string type = {};                 // "A", "MX", "TYPE65534", ...
    std::vector<std::string> fields = {};  // MX: {"10", "mail.example.test"}
};

Record to_record(const ldns_rr* rr);

// "mail.example.test." -> "mail.example.test" ("." stays ".").
std::string strip_dot(std::string name);

// The record's data on one line: its fields joined by spaces.
std::string record_data(const Record& r);

// dns-basic and dnsany: Python's "%-5s %s" % (typename, data).
std::string answer_line(const Record& r);

// dnsquery's formatline(index, typename, descr, data): "%-2s %-5s", then
// " %-12s" % (descr + ":") when there is a description, then " " + data,
// each newline in data followed by nine spaces.
std::string format_line(int index, const std::string& type, const std::string& descr,
                        const std::string& data);

// dnsquery's description of a type: "Mail server" for MX, ... ("" if none).
std::string description(const std::string& type);

// dnsquery's data for a record: MX as "HOST, priority N", SOA as one field
// a line after a leading newline, others as record_data().
std::string query_data(const Record& r);

// The reverse-lookup name of an IPv4 or IPv6 address, or nothing when
// `text` is not an address.
std::optional<std::string> reverse_name(const std::string& text);

// Why `name` cannot be a domain name ("" if it can): longer than 253
// characters, a label longer than 63, an empty label.
std::string check_name(const std::string& name);

// True when an ANY answer may be minimal (RFC 8482): no records, the
// synthesized HINFO "RFC8482", or a single RRset (one type) that is not a
// CNAME, which is how nsd and knot answer. Then the programs ask the types
// in fallback_types one by one instead.
bool minimal_any(const std::vector<Record>& answers);
extern const std::vector<std::string> fallback_types;
bool is_fallback_type(const std::string& type);

// The HINFO "RFC8482" "" a server makes up instead of an ANY answer.
bool is_rfc8482_hinfo(const Record& r);

// Case-insensitive comparison of two names, final dots ignored.
bool same_name(const std::string& a, const std::string& b);

}  // namespace ch04
