// common/address.hpp: print a socket address the way Python prints it.
//
// Python shows an IPv4 address as ('127.0.0.1', 51423) and an IPv6 one as
// ('::1', 51423, 0, 0): host, port, flow info, scope id. A dual-stack server
// sees IPv4 clients as IPv4-mapped IPv6 addresses (::ffff:127.0.0.1); we
// print those as plain IPv4, which is what a student expects to see.
#pragma once

#include <sys/socket.h>

#include <string>

namespace wb {

// "('127.0.0.1', 51423)" or "('::1', 51423, 0, 0)"; "(unknown address)" for
// any other address family.
std::string format_address(const sockaddr* addr, socklen_t len);

inline std::string format_address(const sockaddr_storage& addr, socklen_t len) {
    return format_address(reinterpret_cast<const sockaddr*>(&addr), len);
}

// The numeric host part alone: "127.0.0.1", "::1" (mapped IPv4 as IPv4).
std::string address_host(const sockaddr* addr, socklen_t len);

// The port in host byte order (0 for other families).
unsigned address_port(const sockaddr* addr, socklen_t len);

}  // namespace wb
