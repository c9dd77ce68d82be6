// ch04/dnsany.cpp: ask a name's authoritative servers directly.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (DNSany.py)
//
// A resolver's answer may come from its cache; the servers that hold the
// zone (its authoritative servers, the NS records) have the real data. So:
// ask for the NS records of the name; if there are none, of its parent
// (drop the leftmost label: www.example.test -> example.test -> test), and
// so on. Print the servers found, then ask each in turn for every record
// of the name (ANY), and print the first non-empty answer as dns-basic does.
//
// The book's functions hierquery(), findnameservers(),
// getrecordsfromnameserver() and nslookup() are in lib/dnsany.cpp, under
// those names, because dnsquery uses them too (the book's DNSquery.py
// imports DNSany.py).
// Differences from the book: as in dns-basic (RFC 8482 fallback, "Not
// found." exits 1, bounded timeouts); a server that fails is named on
// stderr and the next one is asked; no name servers at all ends the program
// with "Could not find nameserver to use." and exit status 1 (the book's
// program stops with a traceback).
//
// Usage:   dnsany [--server SERVER] [--port PORT] [--timeout SECS] NAME
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dnsany www.example.test   (inside the lab)

#include "dnsany.hpp"
#include "dnsclient.hpp"
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
