// ch04/exercises/mailroute/mailroute.cpp: where mail for a domain goes: its MX hosts and their addresses.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (extends DNS-basic.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you. Ask the resolver
// of /etc/resolv.conf for DOMAIN's MX records with ldns, as dns-basic does,
// and print one line per mail host, lowest preference first: `PREF HOST
// ADDRESS...` (IPv4 then IPv6, each sorted as numbers). No MX: the domain
// itself at preference 0. README.md has the exact output, the warnings and
// the exit statuses (null MX, no such domain, hosts without addresses).
//
// Usage:   mailroute DOMAIN
// Partner: the DNS resolver of /etc/resolv.conf; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/mailroute example.test   (inside the lab)
#include <stdbool.h>  // before ldns.h: see ch04/README.md

#include <ldns/ldns.h>

#include <iostream>
#include <string>

#include "program.hpp"

const wb::Spec spec{.synopsis = "DOMAIN", .min_args = 1, .max_args = 1};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& domain = args[0];

        // TODO: the resolver: ldns_resolver_new_frm_file(&res, nullptr), as
        //       ch04/dns-basic.cpp does (free it with ldns_resolver_deep_free).
        // TODO: ask for DOMAIN's MX records (ldns_dname_new_frm_str,
        //       ldns_resolver_query_status with LDNS_RD); NXDOMAIN (the reply's
        //       rcode) is a one-line error, exit 1.
        // TODO: each MX record of the answer: preference (field 0) and host
        //       (field 1, without its final dot). A host "." is a null MX.
        //       None at all: the domain itself, preference 0.
        // TODO: sort by preference, then host name; for each host ask A and
        //       AAAA, sort the addresses as numbers, print the line.
        // TODO: a CNAME in a host's answer, or a host without addresses: a
        //       warning on stderr (README.md has the words).
        std::cerr << "mailroute: not written yet (domain " << domain << ", ldns " << ldns_version()
                  << ")\n";
        return 1;
    });
}
