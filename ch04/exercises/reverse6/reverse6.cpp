// ch04/exercises/reverse6/reverse6.cpp: a paranoid reverse lookup done by hand, for IPv4 and IPv6.
// Book: chapter 4, section "Performing Reverse Lookups" (extends gethostbyaddr-paranoid.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you. Parse ADDRESS
// with inet_pton(), build its reverse name yourself (10.2.0.192.in-addr.arpa,
// or 32 nibbles under ip6.arpa) and print `Query: NAME`. Ask for its PTR
// records with ldns, then confirm each name with a forward lookup (A for
// IPv4, AAAA for IPv6) and print gethostbyaddr-paranoid's lines. README.md
// has the exact output and exit statuses.
//
// Usage:   reverse6 ADDRESS
// Partner: the DNS resolver of /etc/resolv.conf; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/reverse6 2001:db8::10   (inside the lab)
#include <arpa/inet.h>
#include <stdbool.h>  // before ldns.h: see ch04/README.md

#include <ldns/ldns.h>

#include <iostream>
#include <string>

#include "program.hpp"

const wb::Spec spec{
    .synopsis = "ADDRESS",
    .min_args = 1,
    .max_args = 1,
    .help = "  ADDRESS  an IPv4 or IPv6 address, such as 192.0.2.10 or 2001:db8::10"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& ip = args[0];

        // TODO: inet_pton(AF_INET, ...), else inet_pton(AF_INET6, ...); neither:
        //       throw wb::UsageError naming the bad ADDRESS (exit 2).
        // TODO: the reverse name from the bytes: IPv4 backwards under
        //       in-addr.arpa; IPv6 one hex digit (nibble) at a time, low nibble
        //       of the last byte first, under ip6.arpa. Print "Query: NAME".
        // TODO: ldns_resolver_new_frm_file(&res, nullptr), then a PTR query
        //       (ldns_resolver_query_status with LDNS_RD); no PTR records:
        //       "No host names available for ADDRESS; this may be normal."
        // TODO: for each name (sorted): an A or AAAA query; print
        //       gethostbyaddr-paranoid's line(s) for what it found.
        std::cerr << "reverse6: not written yet (address " << ip << ", ldns " << ldns_version()
                  << ")\n";
        return 1;
    });
}
