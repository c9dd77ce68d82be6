// ch04/dns-basic.cpp: ask a DNS server for every record of a name.
// Book: section 4.3 Using PyDNS for Advanced Queries (使用PyDNS进行高级查询), DNS-basic.py
//
// The system's resolver answers only "which addresses has this name?"; a
// DNS library asks a server anything. Here one query of type ANY ("every
// record you have") goes to the first server of /etc/resolv.conf, and each
// record of the answer is printed as "%-5s %s": its type, then its data.
// The ldns calls are made here, one for each line of DNS-basic.py. A
// resolver answers from its cache, which is why dnsany asks the name's own
// servers; a minimal answer (RFC 8482) is asked again type by type.
//
// Usage:   dns-basic [--server SERVER] [--port PORT] [--timeout SECS] NAME
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/dns-basic --server 127.0.0.1 localhost
#include <string>
#include <vector>

#include "dnsrequest.hpp"
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
                throw ch04::DnsError(std::string("reading /etc/resolv.conf: ") +
                                     ldns_get_errorstr_by_id(status));
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
        ldns_status status = ldns_resolver_prepare_query_pkt(
            &q, resolver.get(), name.get(), LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_IN, LDNS_RD);
        if (status != LDNS_STATUS_OK) throw ch04::DnsError(ldns_get_errorstr_by_id(status));
        ch04::Pkt question(q);
        ldns_pkt* a = nullptr;
        status = ldns_resolver_send_pkt(&a, resolver.get(), question.get());
        ch04::Pkt answerobj(a);
        // No answer in time, another query's ID, SERVFAIL, ...: a DnsError.
        ch04::check_reply(resolver.get(), status, question.get(), answerobj.get(),
                          "ANY query for " + query);

        // answerobj.answers: the records of the answer section.
        std::vector<ch04::Record> answers = ch04::to_records(ldns_pkt_answer(answerobj.get()));

        // A modern server's minimal ANY answer: ask type by type (RFC 8482).
        bool no_such_name = ldns_pkt_get_rcode(answerobj.get()) == LDNS_RCODE_NXDOMAIN;
        if (!no_such_name && ch04::minimal_any(answers))
            answers = ch04::ask_type_by_type(resolver.get(), query, answers);

        // if not len(answerobj.answers): print "Not found."
        // for item in answerobj.answers: print "%-5s %s" % (item['typename'], item['data'])
        return ch04::print_answers(answers);
    });
}
