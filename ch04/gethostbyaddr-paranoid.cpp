// ch04/gethostbyaddr-paranoid.cpp: a reverse lookup confirmed by a forward one.
// Book: section 4.2.2 Performing Reverse Lookups (执行反向查询), gethostbyaddr-paranoid.py
//
// Whoever controls an address's reverse zone can make it answer any name,
// www.yourbank.example included. So a name from a reverse lookup is trusted
// only if the forward lookup of that name gives back the original address.
// Four outcomes, each with the book's lines: no reverse name ("this may be
// normal", exit 0), a name that does not resolve, an address not among the
// name's (both exit 1), and "Validated hostname: NAME" (exit 0).
//
// Usage:   gethostbyaddr-paranoid IP
// Partner: the system's resolver; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/gethostbyaddr-paranoid 127.0.0.1
#include <algorithm>
#include <iostream>

#include "errors.hpp"
#include "hostlookup.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "IP", .min_args = 1, .max_args = 1};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& ip = args[0];
        std::string hostname;
        std::vector<std::string> ipaddrs;
        try {
            // First, do the reverse lookup and get the hostname.
            hostname = ch04::host_by_addr(ip).name;
        } catch (const ch04::HostError&) {
            std::cout << "No host names available for " << ip << "; this may be normal.\n";
            return 0;
        }
        try {
            // Now, do a forward lookup on the result from the reverse lookup.
            ipaddrs = ch04::getipaddrs(hostname);
        } catch (const wb::ResolverError& e) {
            std::cout << "Got hostname " << hostname
                      << ", but it could not be forward-resolved: " << e.what() << '\n';
            return 1;
        }

        // If the forward lookup did not yield the original IP address
        // anywhere, someone is playing tricks.
        if (std::find(ipaddrs.begin(), ipaddrs.end(), ch04::canonical_address(ip)) ==
            ipaddrs.end()) {
            std::cout << "Got hostname " << hostname << ", but on forward lookup,\n";
            std::cout << "original IP " << ip << " did not appear in IP address list.\n";
            return 1;
        }

        // Otherwise, show the validated hostname.
        std::cout << "Validated hostname: " << hostname << '\n';
        return 0;
    });
}
