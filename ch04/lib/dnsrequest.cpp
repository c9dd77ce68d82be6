// ch04/lib/dnsrequest.cpp: see dnsrequest.hpp.
#include "dnsrequest.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace ch04 {

namespace {

std::string rcode_text(ldns_pkt_rcode rcode) {
    const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
    return entry != nullptr ? entry->name : "RCODE " + std::to_string(rcode);
}

// One query, as dns-basic makes it, its answer checked.
Pkt send(ldns_resolver* res, const std::string& name, const std::string& type) {
    require_valid_name(name);
    Rdf dname(ldns_dname_new_frm_str(name.c_str()));
    if (!dname) throw DnsError("bad name '" + name + "'");
    ldns_pkt* query = nullptr;
    ldns_status status = ldns_resolver_prepare_query_pkt(&query, res, dname.get(),
                                                         ldns_get_rr_type_by_name(type.c_str()),
                                                         LDNS_RR_CLASS_IN, LDNS_RD);
    if (status != LDNS_STATUS_OK) throw DnsError(ldns_get_errorstr_by_id(status));
    Pkt owned_query(query);

    // After a timeout ldns marks a server unreachable and skips it in every
    // later query ("No (valid) nameservers defined"): one lost packet must
    // not silence a server for the rest of the run.
    for (std::size_t i = 0; i < ldns_resolver_nameserver_count(res); ++i)
        ldns_resolver_set_nameserver_rtt(res, i, LDNS_RESOLV_RTT_MIN);

    ldns_pkt* answer = nullptr;
    status = ldns_resolver_send_pkt(&answer, res, query);
    Pkt reply(answer);
    check_reply(res, status, query, reply.get(), type + " query for " + name);
    return reply;
}

}  // namespace

void require_valid_name(const std::string& name) {
    std::string problem = check_name(name);
    if (!problem.empty()) throw DnsError("bad name: " + problem);
}

void warn(const std::string& text) {
    std::cout << std::flush;
    std::cerr << wb::program_name() << ": " << text << '\n';
}

void check_reply(const ldns_resolver* res, ldns_status status, const ldns_pkt* query,
                 const ldns_pkt* reply, const std::string& what) {
    if (status == LDNS_STATUS_NETWORK_ERR) {
        // What ldns says for a timeout too: name the likely cause.
        timeval t = ldns_resolver_timeout(res);
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g",
                      static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6);
        throw DnsError(what + ": no answer within " + seconds + " s (" +
                       ldns_get_errorstr_by_id(status) + ")");
    }
    if (status != LDNS_STATUS_OK || reply == nullptr)
        throw DnsError(what + ": " +
                       (status == LDNS_STATUS_OK ? "no answer" : ldns_get_errorstr_by_id(status)));
    // ldns takes the first datagram that arrives: a reply with another ID
    // ends the query (a real resolver would drop it and keep waiting).
    if (ldns_pkt_id(reply) != ldns_pkt_id(query))
        throw DnsError(what + ": the answer has ID " + std::to_string(ldns_pkt_id(reply)) +
                       ", not the query's " + std::to_string(ldns_pkt_id(query)));
    if (!ldns_pkt_qr(reply)) throw DnsError(what + ": the answer is not marked as a reply");
    ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply);
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN)
        throw DnsError(what + ": the server answered " + rcode_text(rcode));
}

std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type) {
    Pkt reply = send(res, name, type);
    std::vector<Record> answers = to_records(ldns_pkt_answer(reply.get()));
    bool no_such_name = ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN;
    if (type != "ANY" || no_such_name || !minimal_any(answers)) return answers;
    return ask_type_by_type(res, name, answers);
}

std::vector<Record> ask_type_by_type(ldns_resolver* res, const std::string& name,
                                     const std::vector<Record>& any_answer) {
    std::cout << "(ANY answer may be minimal, RFC 8482: asking for " << join(fallback_types, ", ")
              << " one by one)\n";
    std::vector<Record> answers;
    for (const std::string& t : fallback_types) {
        try {
            // Only records of `name` itself, of the type asked for.
            for (const Record& r : to_records(ldns_pkt_answer(send(res, name, t).get())))
                if (r.type == t && same_name(r.owner, name)) answers.push_back(r);
        } catch (const DnsError& e) {  // one type failed: the others still count
            warn(e.what());
        }
    }
    for (const Record& r : any_answer) {  // SRV, CAA, ...: no question above asks for them
        bool asked =
            std::find(fallback_types.begin(), fallback_types.end(), r.type) != fallback_types.end();
        if (!asked && !is_rfc8482_hinfo(r)) answers.push_back(r);
    }
    return answers;
}

std::vector<std::string> data_of(const std::vector<Record>& records, const std::string& type) {
    std::vector<std::string> data;
    for (const Record& r : records)
        if (r.type == type) data.push_back(record_data(r));
    return data;
}

std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host) {
    std::vector<std::string> addresses;
    for (const char* type : {"A", "AAAA"}) {
        try {
            for (const std::string& a : data_of(request(res, host, type), type))
                addresses.push_back(a);
        } catch (const DnsError& e) {
            warn(e.what());
        }
    }
    return addresses;
}

}  // namespace ch04
