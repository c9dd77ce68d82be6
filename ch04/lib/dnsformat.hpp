// ch04/lib/dnsformat.hpp: DNS records and names as text, the book's ways.
//
// PyDNS handed each answer over as a dictionary ('typename', 'data', ...);
// to_record() turns an ldns resource record into the same small value, and
// the functions below print it as the book's programs do. All of it but
// to_record() is plain string work, unit tested in tests/unit/ch04_dnsformat.cpp.
#pragma once

// stdbool.h first: without it ldns.h defines `true` and `false` as macros,
// which breaks the C++ standard library headers included after it.
#include <stdbool.h>

#include <ldns/ldns.h>

#include <optional>
#include <string>
#include <vector>

namespace ch04 {

// One resource record. Names have no final dot, as PyDNS showed them;
// fields are the rdata in DNS's text form (TXT strings keep their quotes).
struct Record {
    std::string owner = {};
    std::string type = {};                 // "A", "MX", "TYPE65534", ...
    std::vector<std::string> fields = {};  // MX: {"10", "mail.example.test"}
};

Record to_record(const ldns_rr* rr);
std::vector<Record> to_records(const ldns_rr_list* list);  // ldns_pkt_answer(), say

// ---- dns-basic and dnsany
std::string record_data(const Record& r);  // the fields, joined by spaces
std::string answer_line(const Record& r);  // "%-5s %s" % (typename, data)
// Each answer's line, or "Not found." for none; returns the exit status (0, 1).
int print_answers(const std::vector<Record>& answers);

// ---- dnsquery
// formatline(index, typename, descr, data): "%-2s %-5s", then " %-12s" %
// (descr + ":") if there is a description, then " " + data, each newline in
// data followed by nine spaces.
std::string format_line(int index, const std::string& type, const std::string& descr,
                        const std::string& data);
std::string description(const std::string& type);  // "Mail server" for MX; "" if none
// MX as "HOST, priority N"; SOA one field a line after a newline, the
// numbers labelled ("serial N"); others as record_data().
std::string query_data(const Record& r);
// The reverse-lookup name of an IPv4 or IPv6 address; nothing for a non-address.
std::optional<std::string> reverse_name(const std::string& text);

// separator.join(items), as Python writes it: ", ".join(nslist)
std::string join(const std::vector<std::string>& items, const std::string& separator);

// ---- names
std::string strip_dot(std::string name);                     // "a.test." -> "a.test"; "." stays
bool same_name(const std::string& a, const std::string& b);  // case and final dot ignored
// Why `name` cannot be a domain name (RFC 1035: 253 characters, labels of
// 1 to 63), or "" if it can.
std::string check_name(const std::string& name);

// ---- RFC 8482: a minimal answer to ANY
// No records, the made-up HINFO "RFC8482", or one RRset that is not a CNAME
// (nsd's and knot's answer): then the programs ask fallback_types one by one.
bool minimal_any(const std::vector<Record>& answers);
extern const std::vector<std::string> fallback_types;  // in the order they are asked
bool is_rfc8482_hinfo(const Record& r);

}  // namespace ch04
