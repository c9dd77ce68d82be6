// ch04/lib/dnsclient.cpp: see dnsclient.hpp.
#include "dnsclient.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "address.hpp"
#include "errors.hpp"

namespace ch04 {

namespace {

// An address as an ldns rdf (type A or AAAA), or nothing.
Rdf address_rdf(const std::string& text) {
    ldns_rdf* rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, text.c_str());
    if (rdf == nullptr) rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, text.c_str());
    return Rdf(rdf);
}

std::string rcode_text(ldns_pkt_rcode rcode) {
    const ldns_lookup_table* entry = ldns_lookup_by_id(ldns_rcodes, rcode);
    return entry != nullptr ? entry->name : "RCODE " + std::to_string(rcode);
}

ldns_rr_type type_of(const std::string& type) { return ldns_get_rr_type_by_name(type.c_str()); }

Resolver new_resolver() {
    Resolver res(ldns_resolver_new());
    if (!res) throw std::bad_alloc();
    return res;
}

void set_limits(ldns_resolver* res, uint16_t port, timeval timeout) {
    ldns_resolver_set_port(res, port);
    ldns_resolver_set_timeout(res, timeout);
    ldns_resolver_set_retry(res, 1);         // one try per server: bounded time
    ldns_resolver_set_random(res, false);    // servers in the order given
    ldns_resolver_set_fallback(res, true);   // truncated answer (TC): retry over TCP
    ldns_resolver_set_recursive(res, true);  // RD, as PyDNS sent it
}

// One query, its answer checked (check_reply()).
Pkt send(ldns_resolver* res, const std::string& name, const std::string& type) {
    require_valid_name(name);
    Rdf dname(ldns_dname_new_frm_str(name.c_str()));
    if (!dname) throw DnsError("bad name '" + name + "'");
    ldns_pkt* query = nullptr;
    ldns_status status = ldns_resolver_prepare_query_pkt(&query, res, dname.get(), type_of(type),
                                                         LDNS_RR_CLASS_IN, LDNS_RD);
    if (status != LDNS_STATUS_OK) throw DnsError(ldns_get_errorstr_by_id(status));
    Pkt owned_query(query);

    // After a timeout ldns marks the server unreachable (its round-trip
    // time becomes LDNS_RESOLV_RTT_INF) and skips it in every later query
    // on this resolver, failing at once with "No (valid) nameservers
    // defined". One lost packet must not silence a server for the rest of
    // the run: each query starts with every server marked reachable.
    for (std::size_t i = 0; i < ldns_resolver_nameserver_count(res); ++i)
        ldns_resolver_set_nameserver_rtt(res, i, LDNS_RESOLV_RTT_MIN);

    ldns_pkt* answer = nullptr;
    status = ldns_resolver_send_pkt(&answer, res, query);
    Pkt reply(answer);
    check_reply(res, status, query, reply.get(), type + " query for " + name);
    return reply;
}

}  // namespace

wb::Spec dns_spec(const std::string& argument) {
    return {.synopsis = "[--server SERVER] [--port PORT] [--timeout SECS] " + argument,
            .min_args = 1, .max_args = 1, .options = {"--server", "--port", "--timeout"},
            .help = "  --server SERVER  ask this server (address or name) instead of those in /etc/resolv.conf\n"
                    "  --port PORT      the servers' port (default 53)\n"
                    "  --timeout SECS   how long to wait for each answer (default 5)"};
}

int print_answers(const std::vector<Record>& answers) {
    if (answers.empty()) {
        std::cout << "Not found.\n";
        return 1;
    }
    for (const Record& item : answers) std::cout << answer_line(item) << '\n';
    return 0;
}

void require_valid_name(const std::string& name) {
    std::string problem = check_name(name);
    if (!problem.empty()) throw DnsError("bad name: " + problem);
}

void warn(const std::string& text) {
    std::cout << std::flush;
    std::cerr << wb::program_name() << ": " << text << '\n';
}

void set_limits(ldns_resolver* res, const wb::Args& args) {
    double seconds = args.number("--timeout", 5, 0.1, 3600);
    timeval timeout = {static_cast<time_t>(seconds),
                       static_cast<suseconds_t>(std::fmod(seconds, 1.0) * 1e6)};
    unsigned port = args.port("--port", 53, "udp");
    // A server's port: 0 ("any free port") means something to a server only.
    if (port == 0) throw wb::UsageError("bad --port '" + args.get("--port", "") + "': a server's port cannot be 0");
    set_limits(res, static_cast<uint16_t>(port), timeout);
}

Resolver server_resolver(const wb::Args& args) {
    // --server: an address, or a name the system resolver knows.
    std::string server = args.get("--server", "");
    std::vector<std::string> addresses;
    if (address_rdf(server)) {
        addresses.push_back(server);
    } else {
        addrinfo hints = {};
        hints.ai_socktype = SOCK_DGRAM;
        addrinfo* found = nullptr;
        int code = getaddrinfo(server.c_str(), nullptr, &hints, &found);
        if (code != 0) throw DnsError("server " + server + ": " + wb::gai_text(code));
        for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next)
            addresses.push_back(wb::address_host(ai->ai_addr, ai->ai_addrlen));
        freeaddrinfo(found);
    }
    Resolver base = new_resolver();
    set_limits(base.get(), args);
    return resolver_for(addresses, base.get());
}

Resolver make_resolver(const wb::Args& args) {
    if (args.has("--server")) return server_resolver(args);
    // DNS.DiscoverNameServers(): the servers of /etc/resolv.conf.
    ldns_resolver* res = nullptr;
    ldns_status status = ldns_resolver_new_frm_file(&res, nullptr);
    if (status != LDNS_STATUS_OK)
        throw DnsError(std::string("reading /etc/resolv.conf: ") + ldns_get_errorstr_by_id(status));
    Resolver owned(res);
    if (ldns_resolver_nameserver_count(res) == 0) throw DnsError("no name servers in /etc/resolv.conf");
    set_limits(res, args);
    return owned;
}

Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like) {
    Resolver res = new_resolver();
    set_limits(res.get(), ldns_resolver_port(like), ldns_resolver_timeout(like));
    for (const std::string& address : addresses) {
        Rdf rdf = address_rdf(address);
        if (!rdf) throw DnsError("not an IP address: " + address);
        ldns_status status = ldns_resolver_push_nameserver(res.get(), rdf.get());  // it keeps a copy
        if (status != LDNS_STATUS_OK)
            throw DnsError("name server " + address + ": " + ldns_get_errorstr_by_id(status));
    }
    return res;
}

void check_reply(const ldns_resolver* res, ldns_status status, const ldns_pkt* query,
                 const ldns_pkt* reply, const std::string& what) {
    if (status == LDNS_STATUS_NETWORK_ERR) {
        // What ldns says for a timeout too: name the likely cause.
        timeval t = ldns_resolver_timeout(res);
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(t.tv_sec) + t.tv_usec / 1e6);
        throw DnsError(what + ": no answer within " + seconds + " s (" + ldns_get_errorstr_by_id(status) + ")");
    }
    if (status != LDNS_STATUS_OK || reply == nullptr)
        throw DnsError(what + ": " + (status == LDNS_STATUS_OK ? "no answer" : ldns_get_errorstr_by_id(status)));
    // ldns takes the first datagram that arrives. A reply with another ID
    // ends the query here: a simplification. A real resolver drops it and
    // keeps waiting for the right one (until the timeout), since a stray or
    // forged packet must not be able to make the lookup fail.
    if (ldns_pkt_id(reply) != ldns_pkt_id(query))
        throw DnsError(what + ": the answer has ID " + std::to_string(ldns_pkt_id(reply)) +
                       ", not the query's " + std::to_string(ldns_pkt_id(query)));
    if (!ldns_pkt_qr(reply)) throw DnsError(what + ": the answer is not marked as a reply");
    ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply);
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN)
        throw DnsError(what + ": the server answered " + rcode_text(rcode));
}

std::vector<Record> answer_records(const ldns_pkt* reply) {
    std::vector<Record> records;
    const ldns_rr_list* list = ldns_pkt_answer(reply);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        records.push_back(to_record(ldns_rr_list_rr(list, i)));
    return records;
}

std::vector<std::string> data_of(const std::vector<Record>& records, const std::string& type) {
    std::vector<std::string> data;
    for (const Record& r : records)
        if (r.type == type) data.push_back(record_data(r));
    return data;
}

std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type) {
    Pkt reply = send(res, name, type);
    std::vector<Record> answers = answer_records(reply.get());
    bool no_such_name = ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN;
    if (type != "ANY" || no_such_name || !minimal_any(answers)) return answers;
    return ask_type_by_type(res, name, answers);
}

std::vector<Record> ask_type_by_type(ldns_resolver* res, const std::string& name,
                                     const std::vector<Record>& any_answer) {
    // RFC 8482: a server may answer ANY with one RRset, a made-up HINFO or
    // nothing at all. Ask for the common types one at a time instead, and
    // keep only the records of `name` itself of the type asked for.
    std::string asked;
    for (const std::string& t : fallback_types) asked += (asked.empty() ? "" : ", ") + t;
    std::cout << "(ANY answer may be minimal, RFC 8482: asking for " << asked << " one by one)\n";
    std::vector<Record> answers;
    for (const std::string& t : fallback_types) {
        try {
            for (const Record& r : answer_records(send(res, name, t).get()))
                if (r.type == t && same_name(r.owner, name)) answers.push_back(r);
        } catch (const DnsError& e) {  // one type failed: the others still count
            warn(e.what());
        }
    }
    // A type the questions above do not cover (SRV, CAA, ...) is real data.
    for (const Record& r : any_answer)
        if (!is_fallback_type(r.type) && !is_rfc8482_hinfo(r)) answers.push_back(r);
    return answers;
}

std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host) {
    std::vector<std::string> addresses;
    for (const char* type : {"A", "AAAA"}) {
        try {
            for (const std::string& a : data_of(request(res, host, type), type)) addresses.push_back(a);
        } catch (const DnsError& e) {
            warn(e.what());
        }
    }
    return addresses;
}

}  // namespace ch04
