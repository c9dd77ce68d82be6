// ch04/lib/dnsresolver.hpp: the ldns resolver a DNS program asks, from its command line.
//
// dns-basic, dnsany and dnsquery take the same options (dns_spec()):
// --server SERVER instead of the servers of /etc/resolv.conf, --port PORT
// for every server asked, --timeout SECS for each answer. Every resolver
// made here tries each server once, retries a truncated answer over TCP,
// and sends RD ("recursion desired"), as PyDNS did.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dnsformat.hpp"  // <ldns/ldns.h>, in the right order
#include "program.hpp"

namespace ch04 {

// A failed query: no answer, a malformed one, an error code, a bad name.
class DnsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Owners of what ldns allocates.
struct ResolverFree {
    void operator()(ldns_resolver* p) const { ldns_resolver_deep_free(p); }
};
struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RdfFree {
    void operator()(ldns_rdf* p) const { ldns_rdf_deep_free(p); }
};
using Resolver = std::unique_ptr<ldns_resolver, ResolverFree>;
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;
using Rdf = std::unique_ptr<ldns_rdf, RdfFree>;

// The command line: the options above, then one argument ("NAME").
wb::Spec dns_spec(const std::string& argument);

// --server's resolver if given, else one for the servers of /etc/resolv.conf.
Resolver make_resolver(const wb::Args& args);

// Its pieces, for dns-basic, which reads /etc/resolv.conf itself.
Resolver server_resolver(const wb::Args& args);
void set_limits(ldns_resolver* res, const wb::Args& args);

// A resolver that asks these addresses, with `like`'s port and timeout.
Resolver resolver_for(const std::vector<std::string>& addresses, const ldns_resolver* like);

}  // namespace ch04
