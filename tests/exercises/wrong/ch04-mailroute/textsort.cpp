// tests/exercises/wrong/ch04-mailroute/textsort.cpp: sorts each host's addresses as text, so 198.51.100.10 comes before 198.51.100.9.
// expect: stage 2: first difference at byte \d+ \(line 1,
// (the reference solution with that one mistake)
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (extends DNS-basic.py; an exercise, not in the book)
//
// RFC 5321 section 5.1, the way a mail server finds where to deliver: ask
// for the domain's MX records and try their hosts in order of preference,
// lowest first, each at every address it has. No MX at all: the domain
// itself is the mail host, at preference 0 (the "implicit MX"). A single
// MX whose host is "." (the root) is a null MX (RFC 7505): no mail, ever.
// Equal preferences are sorted by host name here so the output is always
// the same; RFC 5321 says a sender MUST pick among them at random.
//
// Usage:   mailroute DOMAIN
// Partner: the DNS resolver of /etc/resolv.conf; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/solutions/mailroute example.test   (inside the lab)
#include <arpa/inet.h>
#include <stdbool.h>  // before ldns.h: see ch04/README.md

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "program.hpp"

const wb::Spec spec{.synopsis = "DOMAIN", .min_args = 1, .max_args = 1};

namespace {

struct LdnsFree {
    void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
    void operator()(ldns_rdf* d) const { ldns_rdf_deep_free(d); }
};
using Pkt = std::unique_ptr<ldns_pkt, LdnsFree>;

// One mail host: an MX record's preference and host, and the host's addresses.
struct MailHost {
    unsigned preference = 0;
    std::string host = {};
    std::vector<std::string> addresses = {};
};

// A name in DNS text form, without its final dot ("." stays ".").
std::string name_text(const ldns_rdf* rdf) {
    char* s = ldns_rdf2str(rdf);
    std::string name = s != nullptr ? s : "";
    std::free(s);
    if (name.size() > 1 && name.back() == '.') name.pop_back();
    return name;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// One query (RD set: the resolver does the walking), its reply NOERROR or
// NXDOMAIN; anything else (no answer, SERVFAIL, REFUSED) throws.
Pkt ask(ldns_resolver* res, const std::string& name, ldns_rr_type type) {
    std::unique_ptr<ldns_rdf, LdnsFree> dname(ldns_dname_new_frm_str((name + ".").c_str()));
    char* type_name = ldns_rr_type2str(type);
    std::string what = std::string(type_name) + " query for " + name;
    std::free(type_name);
    if (!dname) throw std::runtime_error(what + ": not a domain name");
    ldns_pkt* reply = nullptr;
    ldns_status status =
        ldns_resolver_query_status(&reply, res, dname.get(), type, LDNS_RR_CLASS_IN, LDNS_RD);
    Pkt owned(reply);
    if (status != LDNS_STATUS_OK || !owned)
        throw std::runtime_error(what + ": " + ldns_get_errorstr_by_id(status));
    ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply);
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
        const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
        throw std::runtime_error(what + ": the server answered " +
                                 (entry ? entry->name : "an error"));
    }
    return owned;
}

// The host's addresses, IPv4 then IPv6, each sorted as numbers. `alias`
// tells whether the answers went through a CNAME.
std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host, bool& alias) {
    std::vector<std::string> addresses;
    for (ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
        Pkt reply = ask(res, host, type);
        const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
        std::vector<std::string> found;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(answer, i);
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME) alias = true;
            const ldns_rdf* data = ldns_rr_rdf(rr, 0);
            std::size_t size = type == LDNS_RR_TYPE_A ? 4 : 16;
            if (ldns_rr_get_type(rr) != type || data == nullptr || ldns_rdf_size(data) != size)
                continue;
            char text[INET6_ADDRSTRLEN] = "";
            inet_ntop(type == LDNS_RR_TYPE_A ? AF_INET : AF_INET6, ldns_rdf_data(data), text,
                      sizeof text);
            found.push_back(text);
        }
        std::sort(found.begin(), found.end());  // as text: "198.51.100.10" < "198.51.100.9"
        addresses.insert(addresses.end(), found.begin(), found.end());
    }
    return addresses;
}

void warn(const std::string& text) {
    std::cout << std::flush;
    std::cerr << wb::program_name() << ": warning: " << text << '\n';
}

}  // namespace

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::string domain = args[0];
        if (domain.size() > 1 && domain.back() == '.') domain.pop_back();
        if (!std::unique_ptr<ldns_rdf, LdnsFree>(ldns_dname_new_frm_str(domain.c_str())))
            throw wb::UsageError("bad DOMAIN '" + args[0] + "': not a domain name");

        // The resolver of /etc/resolv.conf (NULL: the default file), as dns-basic does.
        ldns_resolver* r = nullptr;
        ldns_status status = ldns_resolver_new_frm_file(&r, nullptr);
        if (status != LDNS_STATUS_OK)
            throw std::runtime_error(std::string("reading /etc/resolv.conf: ") +
                                     ldns_get_errorstr_by_id(status));
        std::unique_ptr<ldns_resolver, LdnsFree> res(r);
        ldns_resolver_set_timeout(r, {3, 0});  // bounded: one try of 3 s per server
        ldns_resolver_set_retry(r, 1);
        ldns_resolver_set_fallback(r, true);  // a truncated answer is asked again over TCP

        Pkt reply = ask(r, domain, LDNS_RR_TYPE_MX);
        if (ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN)
            throw std::runtime_error(domain + ": no such domain (NXDOMAIN)");

        // The MX records (of the domain, or of the name its CNAME leads to).
        std::vector<MailHost> hosts;
        const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(answer, i);
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || ldns_rr_rd_count(rr) != 2) continue;
            hosts.push_back(
                {ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)), name_text(ldns_rr_rdf(rr, 1))});
        }
        for (const MailHost& mx : hosts) {
            if (mx.host == ".") {  // RFC 7505
                std::cout << domain << " accepts no mail (null MX)\n";
                return 1;
            }
        }
        bool implicit = hosts.empty();
        if (implicit) hosts.push_back({0, domain});  // RFC 5321: the implicit MX

        // Lowest preference first; equal ones by name (RFC 5321: at random).
        std::sort(hosts.begin(), hosts.end(), [](const MailHost& a, const MailHost& b) {
            if (a.preference != b.preference) return a.preference < b.preference;
            return lower(a.host) < lower(b.host);
        });

        bool deliverable = false;
        for (MailHost& mx : hosts) {
            bool alias = false;
            mx.addresses = addresses_of(r, mx.host, alias);
            if (alias && !implicit)
                warn(mx.host + " is an alias (CNAME), which RFC 2181 forbids for MX targets");
            if (mx.addresses.empty()) warn(mx.host + " has no address (A or AAAA)");
            deliverable = deliverable || !mx.addresses.empty();
            std::cout << mx.preference << ' ' << mx.host;
            for (const std::string& a : mx.addresses) std::cout << ' ' << a;
            std::cout << '\n';
        }
        if (!deliverable)
            throw std::runtime_error("no mail server of " + domain + " has an address");
        return 0;
    });
}
