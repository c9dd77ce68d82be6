// ch04/dnsquery.cpp: a "smart" lookup that follows the answers where they lead.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (DNSquery.py)
//
// Start with every record of a name (ANY), asked of its authoritative
// servers as dnsany does (the book imports DNSany.py's nslookup(): here
// lib/dnsany.hpp), and print each answer with a description. Some answers
// name other hosts worth a look: a mail server (MX) or a name
// server (NS) gets an A lookup, an alias target (CNAME) or a reverse-lookup
// result (PTR) gets an ANY lookup. A queue holds the lookups still to do,
// and no name is looked up twice. An IPv4 address is turned into its
// in-addr.arpa name first, to look up its PTR record.
//
// Differences from the book: IPv6 addresses get their ip6.arpa name (the
// book's getreverse() knew IPv4 only); AAAA records are described as "IP
// address"; an SOA's numbers are labelled ("serial 2024010101"); the RFC
// 8482 fallback of dns-basic; a lookup that fails prints its reason on
// stderr and the next lookup goes on (the book's program would stop with a
// traceback); at most 50 lookups. Exit status 1 when the first lookup
// finds nothing.
//
// Usage:   dnsquery [--server SERVER] [--port PORT] [--timeout SECS] NAME-OR-IP
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dnsquery example.test   (inside the lab)
#include <deque>
#include <iostream>
#include <set>
#include <string>
#include <utility>

#include "dnsany.hpp"
#include "dnsclient.hpp"
#include "dnsformat.hpp"
#include "program.hpp"

const wb::Spec spec = ch04::dns_spec("NAME-OR-IP");

// The book's loop ends when the answers lead nowhere new; a server that
// makes up a new alias for every question would keep it going for ever.
constexpr std::size_t max_lookups = 50;

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        if (!ch04::reverse_name(args[0])) ch04::require_valid_name(args[0]);
        ch04::Resolver resolver = ch04::make_resolver(args);
        std::deque<std::pair<std::string, std::string>> queries = {{args[0], "ANY"}};
        std::set<std::string> donequeries;
        int status = -1;  // the first lookup's outcome decides the exit status

        while (!queries.empty()) {
            auto [query, qtype] = queries.front();
            queries.pop_front();
            if (donequeries.count(query) != 0) continue;  // don't look up the same thing twice
            if (donequeries.size() == max_lookups) {
                // Servers could lead us on forever (a.test -> b.test -> ...).
                std::cout << "Stopping after " << max_lookups << " lookups.\n";
                break;
            }
            donequeries.insert(query);

            std::cout << std::string(77, '-') << '\n';
            std::cout << "Results for " << query << " (lookup type " << qtype << ")\n\n";
            if (auto rev = ch04::reverse_name(query)) {
                std::cout << "IP address given; doing reverse lookup using " << *rev << '\n';
                query = *rev;
            }

            std::vector<ch04::Record> answers;
            try {
                answers = ch04::nslookup(resolver.get(), query, qtype, false);
            } catch (const ch04::DnsError& e) {
                ch04::warn(query + ": " + e.what());
            }
            if (answers.empty()) std::cout << "Not found.\n";
            if (status < 0) status = answers.empty() ? 1 : 0;

            int count = 0;
            for (const ch04::Record& answer : answers) {
                ++count;
                std::cout << ch04::format_line(count, answer.type, ch04::description(answer.type),
                                               ch04::query_data(answer))
                          << '\n';
                const std::string target = answer.fields.empty() ? "" : answer.fields.back();
                if (answer.type == "MX" || answer.type == "NS") queries.emplace_back(target, "A");
                if (answer.type == "CNAME" || answer.type == "PTR") queries.emplace_back(target, "ANY");
            }
        }
        return status;
    });
}
