// ch04/lib/hostlookup.cpp: see hostlookup.hpp.
#include "hostlookup.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "address.hpp"
#include "errors.hpp"

namespace ch04 {

namespace {

struct AddrinfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrinfoFree>;

// getaddrinfo(host, None, 0, SOCK_STREAM): each address once.
AddrInfo lookup(const std::string& host) {
    addrinfo hints = {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* result = nullptr;
    wb::check_gai("getaddrinfo", getaddrinfo(host.c_str(), nullptr, &hints, &result));
    return AddrInfo(result);
}

}  // namespace

HostError::HostError(int code)
    : std::runtime_error("[Errno " + std::to_string(code) + "] " + hstrerror(code)) {}

BinaryAddress binary_address(const std::string& ip) {
    BinaryAddress a;
    for (int family : {AF_INET, AF_INET6}) {
        if (inet_pton(family, ip.c_str(), a.bytes) == 1) {
            a.family = family;
            a.length = family == AF_INET ? sizeof(in_addr) : sizeof(in6_addr);
            return a;
        }
    }
    // Not an address: Python looks the name up, and so do we.
    AddrInfo found = lookup(ip);
    a.family = found->ai_family;
    if (a.family == AF_INET) {
        sockaddr_in in4;
        std::memcpy(&in4, found->ai_addr, sizeof in4);
        std::memcpy(a.bytes, &in4.sin_addr, sizeof in4.sin_addr);
        a.length = sizeof in4.sin_addr;
    } else {
        sockaddr_in6 in6;
        std::memcpy(&in6, found->ai_addr, sizeof in6);
        std::memcpy(a.bytes, &in6.sin6_addr, sizeof in6.sin6_addr);
        a.length = sizeof in6.sin6_addr;
    }
    return a;
}

std::vector<std::string> address_list(const hostent& entry) {
    std::vector<std::string> addresses;
    for (char** a = entry.h_addr_list; *a != nullptr; ++a) {
        char text[INET6_ADDRSTRLEN] = "";
        inet_ntop(entry.h_addrtype, *a, text, sizeof text);
        addresses.push_back(text);
    }
    return addresses;
}

HostEntry host_by_addr(const std::string& ip) {
    BinaryAddress addr = binary_address(ip);

    // gethostbyaddr_r() fills `entry` using `buffer` for the strings; a
    // buffer too small gives ERANGE, and we try again with a bigger one.
    hostent entry = {};
    hostent* result = nullptr;
    int herr = 0;
    std::vector<char> buffer(1024);
    while (gethostbyaddr_r(addr.bytes, addr.length, addr.family, &entry, buffer.data(),
                           buffer.size(), &result, &herr) == ERANGE &&
           buffer.size() < (1u << 20))
        buffer.resize(buffer.size() * 2);
    if (result == nullptr) throw HostError(herr == 0 ? HOST_NOT_FOUND : herr);

    HostEntry host{.name = entry.h_name};
    for (char** alias = entry.h_aliases; *alias != nullptr; ++alias) host.aliases.push_back(*alias);
    host.addresses = address_list(entry);
    return host;
}

std::vector<std::string> getipaddrs(const std::string& hostname) {
    // [x[4][0] for x in socket.getaddrinfo(hostname, None, 0, socket.SOCK_STREAM)]
    AddrInfo result = lookup(hostname);
    std::vector<std::string> addresses;
    for (addrinfo* x = result.get(); x != nullptr; x = x->ai_next)
        addresses.push_back(wb::address_host(x->ai_addr, x->ai_addrlen));
    return addresses;
}

std::string canonical_address(const std::string& ip) {
    unsigned char bytes[sizeof(in6_addr)];
    char text[INET6_ADDRSTRLEN] = "";
    for (int family : {AF_INET, AF_INET6})
        if (inet_pton(family, ip.c_str(), bytes) == 1 &&
            inet_ntop(family, bytes, text, sizeof text) != nullptr)
            return text;
    return ip;
}

}  // namespace ch04
