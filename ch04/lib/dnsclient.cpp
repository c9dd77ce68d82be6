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

template <typename T, void (*Free)(T*)>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using Rdf = std::unique_ptr<ldns_rdf, Freer<ldns_rdf, ldns_rdf_deep_free>>;
using Pkt = std::unique_ptr<ldns_pkt, Freer<ldns_pkt, ldns_pkt_free>>;

void set_limits(ldns_resolver* res, uint16_t port, timeval timeout) {
    ldns_resolver_set_port(res, port);
    ldns_resolver_set_timeout(res, timeout);
    ldns_resolver_set_retry(res, 1);         // one try per server: bounded time
    ldns_resolver_set_random(res, false);    // servers in the order given
    ldns_resolver_set_fallback(res, true);   // truncated answer (TC): retry over TCP
    ldns_resolver_set_recursive(res, true);  // RD, as PyDNS sent it
}

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

// One query, its answer checked: the reply must carry our ID and be a reply.
Pkt send(ldns_resolver* res, const std::string& name, const std::string& type) {
    require_valid_name(name);
    Rdf dname(ldns_dname_new_frm_str(name.c_str()));
    if (!dname) throw DnsError("bad name '" + name + "'");
    ldns_pkt* query = nullptr;
    ldns_status status = ldns_resolver_prepare_query_pkt(&query, res, dname.get(), type_of(type),
                                                         LDNS_RR_CLASS_IN, LDNS_RD);
    if (status != LDNS_STATUS_OK) throw DnsError(ldns_get_errorstr_by_id(status));
    Pkt owned_query(query);

    ldns_pkt* answer = nullptr;
    status = ldns_resolver_send_pkt(&answer, res, query);
    Pkt reply(answer);
    std::string what = type + " query for " + name;
    if (status == LDNS_STATUS_NETWORK_ERR) {
        // What ldns says for a timeout too: name the likely cause.
        timeval t = ldns_resolver_timeout(res);
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", static_cast<double>(t.tv_sec) + t.tv_usec / 1e6);
        throw DnsError(what + ": no answer within " + seconds + " s (" + ldns_get_errorstr_by_id(status) + ")");
    }
    if (status != LDNS_STATUS_OK || !reply)
        throw DnsError(what + ": " + (status == LDNS_STATUS_OK ? "no answer" : ldns_get_errorstr_by_id(status)));
    if (ldns_pkt_id(reply.get()) != ldns_pkt_id(query))
        throw DnsError(what + ": the answer has ID " + std::to_string(ldns_pkt_id(reply.get())) +
                       ", not the query's " + std::to_string(ldns_pkt_id(query)));
    if (!ldns_pkt_qr(reply.get())) throw DnsError(what + ": the answer is not marked as a reply");
    ldns_pkt_rcode rcode = ldns_pkt_get_rcode(reply.get());
    if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN)
        throw DnsError(what + ": the server answered " + rcode_text(rcode));
    return reply;
}

std::vector<Record> answer_records(const ldns_pkt* reply) {
    std::vector<Record> records;
    const ldns_rr_list* list = ldns_pkt_answer(reply);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        records.push_back(to_record(ldns_rr_list_rr(list, i)));
    return records;
}

// Every data field of the answers of one type, as the book's [x['data'] ...].
std::vector<std::string> data_of(const std::vector<Record>& records, const std::string& type) {
    std::vector<std::string> data;
    for (const Record& r : records)
        if (r.type == type) data.push_back(record_data(r));
    return data;
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

Resolver make_resolver(const wb::Args& args) {
    double seconds = args.number("--timeout", 5, 0.1, 3600);
    timeval timeout = {static_cast<time_t>(seconds),
                       static_cast<suseconds_t>(std::fmod(seconds, 1.0) * 1e6)};
    auto port = static_cast<uint16_t>(args.port("--port", 53, "udp"));

    ldns_resolver* res = nullptr;
    if (!args.has("--server")) {
        // DNS.DiscoverNameServers(): the servers of /etc/resolv.conf.
        ldns_status status = ldns_resolver_new_frm_file(&res, nullptr);
        if (status != LDNS_STATUS_OK)
            throw DnsError(std::string("reading /etc/resolv.conf: ") + ldns_get_errorstr_by_id(status));
        Resolver owned(res);
        if (ldns_resolver_nameserver_count(res) == 0) throw DnsError("no name servers in /etc/resolv.conf");
        set_limits(res, port, timeout);
        return owned;
    }

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
    Resolver base(ldns_resolver_new());
    set_limits(base.get(), port, timeout);
    return resolver_for(addresses, base.get());
}

Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like) {
    Resolver res(ldns_resolver_new());
    set_limits(res.get(), ldns_resolver_port(like), ldns_resolver_timeout(like));
    for (const std::string& address : addresses) {
        Rdf rdf = address_rdf(address);
        if (!rdf) throw DnsError("not an IP address: " + address);
        ldns_resolver_push_nameserver(res.get(), rdf.get());  // it keeps a copy
    }
    return res;
}

std::vector<Record> request(ldns_resolver* res, const std::string& name, const std::string& type) {
    Pkt reply = send(res, name, type);
    std::vector<Record> answers = answer_records(reply.get());
    bool no_such_name = ldns_pkt_get_rcode(reply.get()) == LDNS_RCODE_NXDOMAIN;
    if (type != "ANY" || no_such_name || !minimal_any(answers)) return answers;

    // RFC 8482: a server may answer ANY with one RRset, a made-up HINFO or
    // nothing at all. Ask for the common types one at a time instead, and
    // keep only the records of `name` itself of the type asked for.
    std::string asked;
    for (const std::string& t : fallback_types) asked += (asked.empty() ? "" : ", ") + t;
    std::cout << "(ANY answer may be minimal, RFC 8482: asking for " << asked << " one by one)\n";
    answers.clear();
    for (const std::string& t : fallback_types) {
        for (const Record& r : answer_records(send(res, name, t).get()))
            if (r.type == t && same_name(r.owner, name)) answers.push_back(r);
    }
    return answers;
}

std::vector<std::string> addresses_of(ldns_resolver* res, const std::string& host) {
    std::vector<std::string> addresses;
    for (const char* type : {"A", "AAAA"}) {
        try {
            for (const std::string& a : data_of(request(res, host, type), type)) addresses.push_back(a);
        } catch (const DnsError& e) {
            std::cerr << wb::program_name() << ": " << e.what() << '\n';
        }
    }
    return addresses;
}

std::vector<std::string> hierquery(ldns_resolver* res, const std::string& qstring, const std::string& qtype) {
    // The book's recursion, as a loop: drop the leftmost label each time.
    for (std::string name = qstring;;) {
        std::vector<std::string> answers;
        try {
            answers = data_of(request(res, name, qtype), qtype);
        } catch (const DnsError& e) {  // the book ignores DNS.Base.DNSError
            std::cerr << wb::program_name() << ": " << e.what() << '\n';
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
            std::cerr << wb::program_name() << ": no address for name server " << ns << '\n';
            continue;
        }
        Resolver server = resolver_for(addresses, res);
        try {
            std::vector<Record> answers = request(server.get(), qstring, qtype);
            if (!answers.empty()) return answers;
        } catch (const DnsError& e) {
            std::cerr << wb::program_name() << ": " << ns << ": " << e.what() << '\n';
        }
    }
    return {};
}

std::vector<Record> nslookup(ldns_resolver* res, const std::string& qstring, const std::string& qtype,
                             bool verbose) {
    std::vector<std::string> nslist = findnameservers(res, qstring);
    if (nslist.empty()) throw DnsError("Could not find nameserver to use.");
    if (verbose) {
        std::string joined;
        for (const std::string& ns : nslist) joined += (joined.empty() ? "" : ", ") + ns;
        std::cout << "Using nameservers: " << joined << '\n';
    }
    return getrecordsfromnameserver(res, qstring, qtype, nslist);
}

}  // namespace ch04
