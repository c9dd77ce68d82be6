// ch04/lib/dnsany.cpp: see dnsany.hpp.
#include "dnsany.hpp"

#include <iostream>

namespace ch04 {

std::vector<std::string> hierquery(ldns_resolver* res, const std::string& qstring,
                                   const std::string& qtype) {
    // The book's recursion, as a loop: drop the leftmost label each time.
    for (std::string name = qstring;;) {
        std::vector<std::string> answers;
        try {
            answers = data_of(request(res, name, qtype), qtype);
        } catch (const DnsError& e) {  // the book ignores DNS.Base.DNSError
            warn(e.what());
        }
        if (!answers.empty()) return answers;
        std::size_t dot = name.find('.');
        if (dot == std::string::npos || dot + 1 >= name.size()) return {};
        name.erase(0, dot + 1);
    }
}

std::vector<std::string> findnameservers(ldns_resolver* res, const std::string& hostname) {
    return hierquery(res, hostname, "NS");
}

std::vector<Record> getrecordsfromnameserver(ldns_resolver* res, const std::string& qstring,
                                             const std::string& qtype,
                                             const std::vector<std::string>& nslist) {
    for (const std::string& ns : nslist) {
        // DNS.Request(server = ns): PyDNS let the system look the name up;
        // we ask the same servers as for everything else.
        std::vector<std::string> addresses = addresses_of(res, ns);
        if (addresses.empty()) {
            warn("no address for name server " + ns);
            continue;
        }
        Resolver server = resolver_for(addresses, res);
        try {
            std::vector<Record> answers = request(server.get(), qstring, qtype);
            if (!answers.empty()) return answers;
        } catch (const DnsError& e) {  // this server failed: ask the next one
            warn(ns + ": " + e.what());
        }
    }
    return {};
}

std::vector<Record> nslookup(ldns_resolver* res, const std::string& qstring,
                             const std::string& qtype, bool verbose) {
    std::vector<std::string> nslist = findnameservers(res, qstring);
    if (nslist.empty()) throw DnsError("Could not find nameserver to use.");
    if (verbose) std::cout << "Using nameservers: " << join(nslist, ", ") << '\n';
    return getrecordsfromnameserver(res, qstring, qtype, nslist);
}

}  // namespace ch04
