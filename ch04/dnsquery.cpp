// ch04/dnsquery.cpp: a "smart" lookup that follows the answers where they lead.
// Book: section 4.3 Using PyDNS for Advanced Queries (使用PyDNS进行高级查询), DNSquery.py
//
// Every record of a name (ANY), asked of its authoritative servers with
// dnsany's nslookup(), each printed with a description. Some answers name
// hosts worth a look: a mail server (MX) or name server (NS) gets an A
// lookup, an alias target (CNAME) or reverse-lookup result (PTR) an ANY
// lookup. A queue holds the lookups still to do; no name is looked up
// twice. An address is turned into its in-addr.arpa (or ip6.arpa) name
// first, to look up its PTR record.
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
                if (answer.type == "CNAME" || answer.type == "PTR")
                    queries.emplace_back(target, "ANY");
            }
        }
        return status;
    });
}
