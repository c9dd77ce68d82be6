// ch04/lib/dnsformat.cpp: see dnsformat.hpp.
#include "dnsformat.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

namespace ch04 {

namespace {

// ldns returns strings it allocated with malloc(); this takes one over.
std::string take(char* text) {
    std::string result = text != nullptr ? text : "";
    std::free(text);
    return result;
}

std::string padded(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

}  // namespace

const std::vector<std::string> fallback_types = {"CNAME", "SOA",  "NS",  "MX",
                                                 "A",     "AAAA", "TXT", "PTR"};

Record to_record(const ldns_rr* rr) {
    Record r;
    r.owner = strip_dot(take(ldns_rdf2str(ldns_rr_owner(rr))));
    r.type = take(ldns_rr_type2str(ldns_rr_get_type(rr)));
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* field = ldns_rr_rdf(rr, i);
        std::string text = take(ldns_rdf2str(field));
        if (ldns_rdf_get_type(field) == LDNS_RDF_TYPE_DNAME) text = strip_dot(text);
        r.fields.push_back(text);
    }
    return r;
}

std::vector<Record> to_records(const ldns_rr_list* list) {
    std::vector<Record> records;
    records.reserve(ldns_rr_list_rr_count(list));
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        records.push_back(to_record(ldns_rr_list_rr(list, i)));
    return records;
}

std::string strip_dot(std::string name) {
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string joined;
    for (std::size_t i = 0; i < items.size(); ++i) joined += (i == 0 ? "" : separator) + items[i];
    return joined;
}

std::string record_data(const Record& r) { return join(r.fields, " "); }

std::string answer_line(const Record& r) { return padded(r.type, 5) + " " + record_data(r); }

int print_answers(const std::vector<Record>& answers) {
    if (answers.empty()) {
        std::cout << "Not found.\n";
        return 1;
    }
    for (const Record& item : answers) std::cout << answer_line(item) << '\n';
    return 0;
}

std::string format_line(int index, const std::string& type, const std::string& descr,
                        const std::string& data) {
    std::string line = padded(std::to_string(index), 2) + " " + padded(type, 5);
    if (!descr.empty()) line += " " + padded(descr + ":", 12);
    line += " ";
    for (char c : data) line += c == '\n' ? std::string("\n         ") : std::string(1, c);
    return line;
}

std::string description(const std::string& type) {
    // The book's table, plus AAAA (which the book's PyDNS did not decode).
    static const std::map<std::string, std::string> descriptions = {
        {"A", "IP address"},   {"AAAA", "IP address"},       {"TXT", "Data"},
        {"PTR", "Host name"},  {"CNAME", "Alias for"},       {"NS", "Name server"},
        {"MX", "Mail server"}, {"SOA", "Start of authority"}};
    auto it = descriptions.find(type);
    return it == descriptions.end() ? "" : it->second;
}

std::string query_data(const Record& r) {
    if (r.type == "MX" && r.fields.size() == 2) return r.fields[1] + ", priority " + r.fields[0];
    if (r.type == "SOA" && r.fields.size() == 7) {
        // PyDNS gave the SOA as (mname, rname, ('serial', N), ('refresh', N, ...), ...)
        // and the book printed one item a line; we print names and labelled numbers.
        static const char* labels[] = {"",       "",        "serial ", "refresh ",
                                       "retry ", "expire ", "minimum "};
        std::string data;
        for (std::size_t i = 0; i < 7; ++i) data += "\n" + std::string(labels[i]) + r.fields[i];
        return data;
    }
    return record_data(r);
}

std::optional<std::string> reverse_name(const std::string& text) {
    unsigned char bytes[sizeof(in6_addr)];
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
        // The book's getreverse(): the four numbers in reverse order.
        char name[32];
        std::snprintf(name, sizeof name, "%u.%u.%u.%u.IN-ADDR.ARPA", bytes[3], bytes[2], bytes[1],
                      bytes[0]);
        return name;
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
        // IPv6 (RFC 3596): all 32 hex digits, last one first, under IP6.ARPA.
        std::string name;
        for (int i = 15; i >= 0; --i) {
            unsigned byte = bytes[i];
            char nibbles[8];
            std::snprintf(nibbles, sizeof nibbles, "%x.%x.", byte & 0xf, byte >> 4);
            name += nibbles;
        }
        return name + "IP6.ARPA";
    }
    return std::nullopt;
}

std::string check_name(const std::string& name) {
    std::string bare = strip_dot(name);
    if (bare.empty()) return "the name is empty";
    if (bare == ".") return "";
    if (bare.size() > 253)
        return "the name is " + std::to_string(bare.size()) + " characters long; the limit is 253";
    std::size_t start = 0;
    for (;;) {
        std::size_t dot = bare.find('.', start);
        std::size_t length = (dot == std::string::npos ? bare.size() : dot) - start;
        if (length == 0) return "the name has an empty label (two dots in a row?)";
        if (length > 63)
            return "a label of the name is " + std::to_string(length) +
                   " characters long; the limit is 63";
        if (dot == std::string::npos) return "";
        start = dot + 1;
    }
}

bool is_rfc8482_hinfo(const Record& r) {
    return r.type == "HINFO" && !r.fields.empty() && r.fields[0] == "\"RFC8482\"";
}

bool minimal_any(const std::vector<Record>& answers) {
    if (answers.empty()) return true;
    if (answers.size() == 1 && is_rfc8482_hinfo(answers[0])) return true;
    bool one_type = std::all_of(answers.begin(), answers.end(),
                                [&](const Record& r) { return r.type == answers[0].type; });
    return one_type && answers[0].type != "CNAME";
}

bool same_name(const std::string& a, const std::string& b) {
    return strcasecmp(strip_dot(a).c_str(), strip_dot(b).c_str()) == 0;
}

}  // namespace ch04
