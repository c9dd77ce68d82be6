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
// The book used PyDNS; we use ldns, and make its calls here, one for each
// line of DNS-basic.py (the README maps one library to the other).
// Differences from the book:
// - servers today answer ANY minimally (RFC 8482): one RRset, a made-up
//   HINFO, or nothing. Then the program says so in one line and asks for
//   the common types one by one (ask_type_by_type() in lib/dnsclient.cpp),
//   keeping records of any other type (SRV, ...) the ANY answer had. An
//   answer of two RRsets or more is printed as it is, complete or not;
// - "Not found." (no such name, or no records) exits with status 1; a
//   server error (SERVFAIL, REFUSED), a bad answer or no answer within the
//   timeout is one line on stderr and exit status 1;
// - a truncated UDP answer is asked again over TCP.
//
// Usage:   dns-basic [--server SERVER] [--port PORT] [--timeout SECS] NAME
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dns-basic --server 127.0.0.1 localhost

#include <iostream>
#include <string>
#include <vector>

#include "dnsclient.hpp"
#include "program.hpp"

const wb::Spec spec = ch04::dns_spec("NAME");

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& query = args[0];
        ch04::require_valid_name(query);  // 253 characters, labels of 63

        // DNS.DiscoverNameServers(): the name servers of /etc/resolv.conf
        // (NULL: the default file). --server names one instead.
        ch04::Resolver resolver;
        if (args.has("--server")) {
            resolver = ch04::server_resolver(args);
        } else {
            ldns_resolver* res = nullptr;
            ldns_status status = ldns_resolver_new_frm_file(&res, nullptr);
            if (status != LDNS_STATUS_OK)
                throw ch04::DnsError(std::string("reading /etc/resolv.conf: ") + ldns_get_errorstr_by_id(status));
            resolver.reset(res);
            ch04::set_limits(res, args);  // --port, --timeout, TCP when truncated
        }

        // reqobj = DNS.Request(); answerobj = reqobj.req(name = query, qtype = DNS.Type.ANY):
        // the name as an ldns_rdf, a query packet with the RD flag ("recursion
        // desired": a resolver may ask other servers for us), sent to the
        // servers in turn until one answers.
        ch04::Rdf name(ldns_dname_new_frm_str(query.c_str()));
        if (!name) throw ch04::DnsError("bad name '" + query + "'");
        ldns_pkt* q = nullptr;
        ldns_status status = ldns_resolver_prepare_query_pkt(&q, resolver.get(), name.get(), LDNS_RR_TYPE_ANY,
                                                             LDNS_RR_CLASS_IN, LDNS_RD);
        if (status != LDNS_STATUS_OK) throw ch04::DnsError(ldns_get_errorstr_by_id(status));
        ch04::Pkt question(q);
        ldns_pkt* a = nullptr;
        status = ldns_resolver_send_pkt(&a, resolver.get(), question.get());
        ch04::Pkt answerobj(a);
        // No answer in time, another query's ID, SERVFAIL, ...: a DnsError.
        ch04::check_reply(resolver.get(), status, question.get(), answerobj.get(), "ANY query for " + query);

        // answerobj.answers: the records of the answer section.
        const ldns_rr_list* list = ldns_pkt_answer(answerobj.get());
        std::vector<ch04::Record> answers;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
            answers.push_back(ch04::to_record(ldns_rr_list_rr(list, i)));

        // A modern server's minimal ANY answer: ask type by type (RFC 8482).
        bool no_such_name = ldns_pkt_get_rcode(answerobj.get()) == LDNS_RCODE_NXDOMAIN;
        if (!no_such_name && ch04::minimal_any(answers))
            answers = ch04::ask_type_by_type(resolver.get(), query, answers);

        // for item in answerobj.answers: print "%-5s %s" % (item['typename'], item['data'])
        if (answers.empty()) {
            std::cout << "Not found.\n";
            return 1;
        }
        for (const ch04::Record& item : answers) std::cout << ch04::answer_line(item) << '\n';
        return 0;
    });
}
