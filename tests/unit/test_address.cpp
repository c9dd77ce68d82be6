// Unit tests for common/address: socket addresses printed as Python does.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cstring>

#include <gtest/gtest.h>

#include "address.hpp"

namespace {

sockaddr_in ipv4(const char* host, unsigned port) {
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host, &a.sin_addr);
    return a;
}

sockaddr_in6 ipv6(const char* host, unsigned port, uint32_t flow = 0, uint32_t scope = 0) {
    sockaddr_in6 a = {};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<uint16_t>(port));
    a.sin6_flowinfo = htonl(flow);
    a.sin6_scope_id = scope;
    inet_pton(AF_INET6, host, &a.sin6_addr);
    return a;
}

template <typename A>
std::string show(const A& a, socklen_t len = sizeof(A)) {
    return wb::format_address(reinterpret_cast<const sockaddr*>(&a), len);
}

}  // namespace

TEST(Address, Ipv4) {
    EXPECT_EQ(show(ipv4("127.0.0.1", 51423)), "('127.0.0.1', 51423)");
    EXPECT_EQ(show(ipv4("192.0.2.200", 0)), "('192.0.2.200', 0)");
}

TEST(Address, Ipv6HasFlowInfoAndScope) {
    EXPECT_EQ(show(ipv6("::1", 51423)), "('::1', 51423, 0, 0)");
    EXPECT_EQ(show(ipv6("fe80::1", 80, 5, 2)), "('fe80::1', 80, 5, 2)");
    EXPECT_EQ(show(ipv6("2001:db8::10", 65535)), "('2001:db8::10', 65535, 0, 0)");
}

TEST(Address, MappedIpv4PrintsAsIpv4) {
    auto a = ipv6("::ffff:127.0.0.1", 40001);
    EXPECT_EQ(show(a), "('127.0.0.1', 40001)");
    EXPECT_EQ(wb::address_host(reinterpret_cast<const sockaddr*>(&a), sizeof a), "127.0.0.1");
}

TEST(Address, HostAndPort) {
    auto a = ipv6("::1", 8080);
    EXPECT_EQ(wb::address_host(reinterpret_cast<const sockaddr*>(&a), sizeof a), "::1");
    EXPECT_EQ(wb::address_port(reinterpret_cast<const sockaddr*>(&a), sizeof a), 8080u);
}

TEST(Address, StorageOverload) {
    sockaddr_storage s = {};
    auto a = ipv4("10.1.2.3", 7);
    std::memcpy(&s, &a, sizeof a);
    EXPECT_EQ(wb::format_address(s, sizeof a), "('10.1.2.3', 7)");
}

TEST(Address, UnknownOrShortAddresses) {
    sockaddr_storage s = {};
    s.ss_family = AF_UNIX;
    EXPECT_EQ(wb::format_address(s, sizeof s), "(unknown address)");
    auto a = ipv4("127.0.0.1", 1);
    EXPECT_EQ(show(a, 4), "(unknown address)");  // too short to be an IPv4 address
}
