// ch04/dnsany.cpp: ask a name's authoritative servers directly.
// Book: section 4.3 Using PyDNS for Advanced Queries (使用PyDNS进行高级查询), DNSany.py
//
// A resolver may answer from its cache; the servers that hold the zone
// (its NS records) have the real data. So: find the NS records of the name,
// else of its parent (www.example.test -> example.test -> test), and so on;
// print the servers found, ask each in turn for every record of the name
// (ANY), and print the first non-empty answer as dns-basic does. The book's
// functions are in lib/dnsany.cpp under its names, since dnsquery uses them.
//
// Usage:   dnsany [--server SERVER] [--port PORT] [--timeout SECS] NAME
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dnsany www.example.test   (inside the lab)
#include "dnsany.hpp"
#include "program.hpp"

const wb::Spec spec = ch04::dns_spec("NAME");

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& query = args[0];
        ch04::require_valid_name(query);
        ch04::Resolver resolver = ch04::make_resolver(args);

        // The book's main program: nslookup(sys.argv[1], DNS.Type.ANY).
        std::vector<ch04::Record> answers = ch04::nslookup(resolver.get(), query, "ANY");
        return ch04::print_answers(answers);  // "%-5s %s" lines, or "Not found."
    });
}
