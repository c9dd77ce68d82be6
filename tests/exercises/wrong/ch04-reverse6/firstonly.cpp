// tests/exercises/wrong/ch04-reverse6/firstonly.cpp: checks only the first name of the PTR answer.
// expect: stage 4: the lines for each of its two PTR names
// (the reference solution with that one mistake)
// Book: chapter 4, section "Performing Reverse Lookups" (extends gethostbyaddr-paranoid.py; an exercise, not in the book)
//
// gethostbyaddr() hides the reverse name it asks for. Here it is built by
// hand from the address's bytes, as RFC 1035 and RFC 3596 say: the four
// bytes of 192.0.2.10 backwards under in-addr.arpa (10.2.0.192.in-addr.arpa),
// the 32 hex digits (nibbles) of an IPv6 address backwards under ip6.arpa.
// The PTR records of that name are asked for with ldns, then each name found
// is confirmed the paranoid way: its A (or, for IPv6, AAAA) records must
// hold the original address. The lines are gethostbyaddr-paranoid's.
//
// Usage:   reverse6 ADDRESS
// Partner: the DNS resolver of /etc/resolv.conf; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/solutions/reverse6 2001:db8::10   (inside the lab)
#include <arpa/inet.h>
#include <netdb.h>
#include <stdbool.h>  // before ldns.h: see ch04/README.md

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "errors.hpp"
#include "program.hpp"

const wb::Spec spec{
    .synopsis = "ADDRESS",
    .min_args = 1,
    .max_args = 1,
    .help = "  ADDRESS  an IPv4 or IPv6 address, such as 192.0.2.10 or 2001:db8::10"};

namespace {

struct LdnsFree {
    void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
    void operator()(ldns_rdf* d) const { ldns_rdf_deep_free(d); }
};
using Pkt = std::unique_ptr<ldns_pkt, LdnsFree>;

// One query for `name` (RD set: the resolver does the walking). The reply,
// or none (status tells why); the caller looks at its code.
Pkt query(ldns_resolver* res, const std::string& name, ldns_rr_type type, ldns_status& status) {
    std::unique_ptr<ldns_rdf, LdnsFree> dname(ldns_dname_new_frm_str((name + ".").c_str()));
    ldns_pkt* reply = nullptr;
    status = dname ? ldns_resolver_query_status(&reply, res, dname.get(), type, LDNS_RR_CLASS_IN,
                                                LDNS_RD)
                   : LDNS_STATUS_DOMAINNAME_OVERFLOW;
    return Pkt(reply);
}

bool answered(ldns_status status, const Pkt& reply) {
    return status == LDNS_STATUS_OK && reply &&
           (ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NOERROR ||
            ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN);
}

// The reverse name: 10.2.0.192.in-addr.arpa, or 32 nibbles under ip6.arpa.
std::string reverse_name(const unsigned char* bytes, int family) {
    std::string name;
    if (family == AF_INET) {
        for (int i = 3; i >= 0; --i) name += std::to_string(bytes[i]) + ".";
        return name + "in-addr.arpa";
    }
    const char* hex = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        name += hex[bytes[i] & 0x0f];  // the low nibble comes first
        name += '.';
        name += hex[bytes[i] >> 4];
        name += '.';
    }
    return name + "ip6.arpa";
}

}  // namespace

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& ip = args[0];
        unsigned char bytes[16] = {};
        int family = AF_INET;
        if (inet_pton(AF_INET, ip.c_str(), bytes) != 1) {
            family = AF_INET6;
            if (inet_pton(AF_INET6, ip.c_str(), bytes) != 1)
                throw wb::UsageError("bad ADDRESS '" + ip + "': not an IPv4 or IPv6 address");
        }
        std::size_t size = family == AF_INET ? 4 : 16;
        ldns_rr_type forward_type = family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
        std::string name = reverse_name(bytes, family);
        std::cout << "Query: " << name << '\n';

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

        // First, the reverse lookup: every PTR record of the name, sorted.
        Pkt reply = query(r, name, LDNS_RR_TYPE_PTR, status);
        if (status != LDNS_STATUS_OK || !reply)
            throw std::runtime_error("PTR query for " + name + ": " +
                                     ldns_get_errorstr_by_id(status));
        if (!answered(status, reply)) {
            const ldns_lookup_table* rcode =
                ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(reply.get()));
            throw std::runtime_error("PTR query for " + name + ": the server answered " +
                                     (rcode != nullptr ? rcode->name : "an error"));
        }
        std::vector<std::string> hostnames;
        const ldns_rr_list* answer = ldns_pkt_answer(reply.get());
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(answer, i);
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_PTR || ldns_rr_rd_count(rr) != 1) continue;
            char* text = ldns_rdf2str(ldns_rr_rdf(rr, 0));
            std::string hostname = text != nullptr ? text : ".";
            std::free(text);
            if (hostname.size() > 1 && hostname.back() == '.') hostname.pop_back();
            hostnames.push_back(hostname);
        }
        if (hostnames.empty()) {
            std::cout << "No host names available for " << ip << "; this may be normal.\n";
            return 0;
        }
        std::sort(hostnames.begin(), hostnames.end());
        hostnames.resize(1);  // one host name, as gethostbyaddr() gives

        // Now, a forward lookup of each name: A for IPv4, AAAA for IPv6.
        int exit_status = 0;
        for (const std::string& hostname : hostnames) {
            Pkt forward = query(r, hostname, forward_type, status);
            bool found = false;
            std::size_t addresses = 0;
            if (answered(status, forward)) {
                const ldns_rr_list* list = ldns_pkt_answer(forward.get());
                for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
                    const ldns_rr* rr = ldns_rr_list_rr(list, i);
                    const ldns_rdf* data = ldns_rr_rdf(rr, 0);
                    if (ldns_rr_get_type(rr) != forward_type || data == nullptr ||
                        ldns_rdf_size(data) != size)
                        continue;
                    ++addresses;
                    found = found || std::memcmp(ldns_rdf_data(data), bytes, size) == 0;
                }
            }
            if (addresses == 0) {
                // getaddrinfo()'s words for what went wrong, as the book prints them
                int code = !answered(status, forward)                                 ? EAI_AGAIN
                           : ldns_pkt_get_rcode(forward.get()) == LDNS_RCODE_NXDOMAIN ? EAI_NONAME
                                                                                      : EAI_NODATA;
                std::cout << "Got hostname " << hostname
                          << ", but it could not be forward-resolved: " << wb::gai_text(code)
                          << '\n';
                exit_status = 1;
            } else if (!found) {
                // The forward lookup did not yield the original address: someone is playing tricks.
                std::cout << "Got hostname " << hostname << ", but on forward lookup,\n";
                std::cout << "original IP " << ip << " did not appear in IP address list.\n";
                exit_status = 1;
            } else {
                std::cout << "Validated hostname: " << hostname << '\n';
            }
        }
        return exit_status;
    });
}
