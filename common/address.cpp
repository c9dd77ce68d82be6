// common/address.cpp: see address.hpp.
#include "address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace wb {

namespace {

// Copies the embedded IPv4 address out of ::ffff:a.b.c.d, if it is one.
bool mapped_ipv4(const sockaddr_in6& in6, in_addr& out) {
    if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) return false;
    std::memcpy(&out, in6.sin6_addr.s6_addr + 12, sizeof out);
    return true;
}

}  // namespace

std::string address_host(const sockaddr* addr, socklen_t len) {
    char text[INET6_ADDRSTRLEN] = "";
    if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
        sockaddr_in in4;
        std::memcpy(&in4, addr, sizeof in4);
        inet_ntop(AF_INET, &in4.sin_addr, text, sizeof text);
    } else if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
        sockaddr_in6 in6;
        std::memcpy(&in6, addr, sizeof in6);
        in_addr in4;
        if (mapped_ipv4(in6, in4))
            inet_ntop(AF_INET, &in4, text, sizeof text);
        else
            inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    }
    return text;
}

unsigned address_port(const sockaddr* addr, socklen_t len) {
    if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
        sockaddr_in in4;
        std::memcpy(&in4, addr, sizeof in4);
        return ntohs(in4.sin_port);
    }
    if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
        sockaddr_in6 in6;
        std::memcpy(&in6, addr, sizeof in6);
        return ntohs(in6.sin6_port);
    }
    return 0;
}

std::string format_address(const sockaddr* addr, socklen_t len) {
    std::string host = address_host(addr, len);
    if (host.empty()) return "(unknown address)";
    std::string port = std::to_string(address_port(addr, len));
    if (addr->sa_family == AF_INET6) {
        sockaddr_in6 in6;
        std::memcpy(&in6, addr, sizeof in6);
        in_addr in4;
        if (!mapped_ipv4(in6, in4))
            return "('" + host + "', " + port + ", " + std::to_string(ntohl(in6.sin6_flowinfo)) +
                   ", " + std::to_string(in6.sin6_scope_id) + ")";
    }
    return "('" + host + "', " + port + ")";
}

}  // namespace wb
