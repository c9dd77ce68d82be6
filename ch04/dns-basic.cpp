// ch04/dns-basic.cpp: ask a DNS server for every record of a name.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (DNS-basic.py)
//
// The operating system's resolver only answers "which addresses has this
// name?". A DNS library asks a server any question: here one query of type
// ANY, "every record you have for this name", sent to the first server of
// /etc/resolv.conf (or --server), and each record of the answer printed as
// "%-5s %s": its type, then its data in DNS's text form.
//
// The answer comes from the server's cache when it is a resolver (unbound,
// a home router): only the records it has seen lately, which is why dnsany
// asks the name's authoritative servers instead.
//
// The book used PyDNS; we use ldns (lib/dnsclient.cpp shows the calls; the
// README maps one to the other). Differences from the book:
// - servers today answer ANY minimally (RFC 8482): one RRset, a made-up
//   HINFO, or nothing. Then the program says so in one line and asks for
//   the common types one by one (request() in lib/dnsclient.cpp). An answer of
//   two RRsets or more is printed as it is, complete or not;
// - "Not found." (no such name, or no records) exits with status 1; a
//   server error (SERVFAIL, REFUSED), a bad answer or no answer within the
//   timeout is one line on stderr and exit status 1;
// - a truncated UDP answer is asked again over TCP.
//
// Usage:   dns-basic [--server SERVER] [--port PORT] [--timeout SECS] NAME
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dns-basic --server 127.0.0.1 localhost

#include "dnsclient.hpp"
#include "program.hpp"

const wb::Spec spec = ch04::dns_spec("NAME");

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& query = args[0];
        // DNS.DiscoverNameServers(): ldns_resolver_new_frm_file(&res, NULL)
        // reads /etc/resolv.conf (--server: ldns_resolver_push_nameserver()).
        ch04::Resolver resolver = ch04::make_resolver(args);

        // reqobj.req(name = query, qtype = DNS.Type.ANY): the name becomes
        // an ldns_rdf (ldns_dname_new_frm_str), a query packet is built
        // (ldns_resolver_prepare_query_pkt) and sent (ldns_resolver_send_pkt);
        // the records of the reply's answer section (ldns_pkt_answer) come
        // back as Records. See request() in lib/dnsclient.cpp.
        std::vector<ch04::Record> answers = ch04::request(resolver.get(), query, "ANY");
        return ch04::print_answers(answers);  // "%-5s %s" lines, or "Not found."
    });
}
