// ch04/lib/dnsresolver.cpp: see dnsresolver.hpp.
#include "dnsresolver.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cmath>

#include "address.hpp"
#include "errors.hpp"

namespace ch04 {

namespace {

struct AddrinfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

// An address as an ldns rdf (type A or AAAA), or nothing.
Rdf address_rdf(const std::string& text) {
    ldns_rdf* rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, text.c_str());
    if (rdf == nullptr) rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, text.c_str());
    return Rdf(rdf);
}

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

}  // namespace

wb::Spec dns_spec(const std::string& argument) {
    return {.synopsis = "[--server SERVER] [--port PORT] [--timeout SECS] " + argument,
            .min_args = 1,
            .max_args = 1,
            .options = {"--server", "--port", "--timeout"},
            .help =
                "  --server SERVER  ask this server (address or name) instead of those in "
                "/etc/resolv.conf\n"
                "  --port PORT      the servers' port (default 53)\n"
                "  --timeout SECS   how long to wait for each answer (default 5)"};
}

void set_limits(ldns_resolver* res, const wb::Args& args) {
    double seconds = args.number("--timeout", 5, 0.1, 3600);
    timeval timeout = {static_cast<time_t>(seconds),
                       static_cast<suseconds_t>(std::fmod(seconds, 1.0) * 1e6)};
    unsigned port = args.port("--port", 53, "udp");
    // A server's port: 0 ("any free port") means something to a server only.
    if (port == 0)
        throw wb::UsageError("bad --port '" + args.get("--port", "") +
                             "': a server's port cannot be 0");
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
        std::unique_ptr<addrinfo, AddrinfoFree> owner(found);
        for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next)
            addresses.push_back(wb::address_host(ai->ai_addr, ai->ai_addrlen));
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
    Resolver owner(res);
    if (ldns_resolver_nameserver_count(res) == 0)
        throw DnsError("no name servers in /etc/resolv.conf");
    set_limits(res, args);
    return owner;
}

Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like) {
    Resolver res = new_resolver();
    set_limits(res.get(), ldns_resolver_port(like), ldns_resolver_timeout(like));
    for (const std::string& address : addresses) {
        Rdf rdf = address_rdf(address);
        if (!rdf) throw DnsError("not an IP address: " + address);
        ldns_status status =
            ldns_resolver_push_nameserver(res.get(), rdf.get());  // it keeps a copy
        if (status != LDNS_STATUS_OK)
            throw DnsError("name server " + address + ": " + ldns_get_errorstr_by_id(status));
    }
    return res;
}

}  // namespace ch04
