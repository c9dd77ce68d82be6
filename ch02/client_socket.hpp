// ch02/client_socket.hpp: a client's socket, and the address it connects to.
//
// connect.cpp spells out the socket every chapter 2 client makes (AF_INET6
// with IPV6_V6ONLY off, which reaches IPv4 hosts too: ch02/README.md, IPv6);
// socketerrors.cpp spells out the getaddrinfo() behind Python's
// s.connect((host, port)). The later programs take both from here:
//
//   int s = ch02::client_socket(SOCK_STREAM);              // -1 and errno on failure
//   ch02::Address a = ch02::first_address(host, port, SOCK_STREAM, s);
//   connect(s, a.get(), a.len);
#pragma once

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "errors.hpp"

namespace ch02 {

// socket(AF_INET6, type, 0) with IPV6_V6ONLY off, as connect.cpp shows, or
// socket(AF_INET, type, 0) where the kernel has no IPv6. Returns -1 with
// errno set on failure, as socket() does.
inline int client_socket(int type) {
    int s = ::socket(AF_INET6, type, 0);
    if (s < 0 && errno == EAFNOSUPPORT) return ::socket(AF_INET, type, 0);
    int off = 0;
    if (s >= 0 && setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) {
        int err = errno;
        ::close(s);
        errno = err;
        return -1;
    }
    return s;
}

// Owns the list getaddrinfo() returns: freeaddrinfo() when it goes out of
// scope. (Chapter 2's one style of owning a C resource: a unique_ptr with a
// small deleter.)
struct AddrinfoFree {
    void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoFree>;

// One address found by getaddrinfo(), copied out of its list.
struct Address {
    sockaddr_storage storage = {};
    socklen_t len = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// What Python's s.connect((host, port)) looks up: the first address of
// `host` that socket `s` can reach (IPv4 hosts as mapped addresses when `s`
// is an IPv6 socket). With s = -1 (family AF_UNSPEC) it is the first
// address of any family, for a program that looks up before it makes its
// socket. Throws wb::ResolverError("getaddrinfo") when there is none.
inline Address first_address(const std::string& host, unsigned port, int type, int s = -1) {
    int family = AF_UNSPEC;
    socklen_t len = sizeof family;
    if (s >= 0) wb::check("getsockopt", getsockopt(s, SOL_SOCKET, SO_DOMAIN, &family, &len));

    addrinfo hints = {};
    hints.ai_family = family;
    hints.ai_socktype = type;
    // For an AF_INET6 socket: IPv6 addresses and IPv4 ones as mapped
    // addresses. (Both flags mean nothing for AF_INET and AF_UNSPEC.)
    hints.ai_flags = AI_V4MAPPED | AI_ALL;
    addrinfo* found = nullptr;
    wb::check_gai("getaddrinfo",
                  getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found));
    AddrinfoList list(found);

    // The first only, as Python's connect() (ch02/README.md, "The first address only").
    Address addr;
    std::memcpy(&addr.storage, found->ai_addr, found->ai_addrlen);
    addr.len = found->ai_addrlen;
    return addr;
}

}  // namespace ch02
