// ch04/lib/hostlookup.hpp: the book's reverse and forward lookups, through the system's resolver.
//
// host_by_addr(ip) is Python's socket.gethostbyaddr(ip), with glibc's
// thread-safe gethostbyaddr_r(); getipaddrs(name) is the book's own
// getipaddrs(). A failed reverse lookup throws HostError, with Python's
// socket.herror text ("[Errno 1] Unknown host"); a failed forward one
// wb::ResolverError, Python's socket.gaierror ("[Errno -2] Name or service
// not known").
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ch04 {

// What gethostbyaddr() returns: (hostname, aliaslist, ipaddrlist).
struct HostEntry {
    std::string name = {};
    std::vector<std::string> aliases = {};
    std::vector<std::string> addresses = {};
};

// A failed gethostbyaddr(): h_errno's code and hstrerror() text.
class HostError : public std::runtime_error {
public:
    explicit HostError(int code);
};

// What gethostbyaddr() takes: the address's bytes, their length, its family.
struct BinaryAddress {
    unsigned char bytes[16] = {};
    socklen_t length = 0;
    int family = 0;
};

// `ip` in binary: an IPv4 or IPv6 address, or a host name looked up first
// with getaddrinfo() (its first address), as Python does. A failed lookup
// throws wb::ResolverError.
BinaryAddress binary_address(const std::string& ip);

// The addresses of a hostent's h_addr_list, as text.
std::vector<std::string> address_list(const hostent& entry);

// Python's socket.gethostbyaddr(), with the thread-safe gethostbyaddr_r().
HostEntry host_by_addr(const std::string& ip);

// The book's getipaddrs(hostname): every address, once, as text.
std::vector<std::string> getipaddrs(const std::string& hostname);

// An address in its canonical text form ("2001:DB8:0::10" -> "2001:db8::10"),
// or `ip` unchanged when it is not a numeric address.
std::string canonical_address(const std::string& ip);

}  // namespace ch04
