// ch02/client.hpp: the client steps chapter 2 repeats, once a program has shown them.
//
// Each section's first program spells out the calls it teaches: connect.cpp
// the socket() and connect(), connect2.cpp getservbyname(), connect3.cpp
// getsockname()/getpeername(), socketerrors.cpp every step of a client with
// its own error line. The later programs take those same steps from here:
// client_socket() and lookup() for connect2, connect3 and udp, and
// socketerrors.cpp's steps, packaged, for shutdown.cpp and shutdownfile.cpp,
// whose sections are about what comes after them.
//
// IPv4 and IPv6. The book makes an AF_INET socket before it knows the host,
// so it can only reach IPv4 hosts. We keep the book's order but make an
// AF_INET6 socket with IPV6_V6ONLY off: it reaches IPv6 hosts directly, and
// IPv4 hosts through IPv4-mapped addresses (::ffff:a.b.c.d), which
// getaddrinfo() returns when asked with AI_V4MAPPED. (IPV6_V6ONLY is on by
// default where net.ipv6.bindv6only=1; then no IPv4 host could be reached.)
// getsockname()/getpeername() give mapped addresses, which
// wb::format_address() prints as plain IPv4. On a kernel without IPv6 the
// socket is a plain AF_INET one, as in the book.
//
// Then: the command lines the programs share; and, last, socketerrors.py's
// steps: each reports a failure with the book's own line (`Connection
// error: ...`) by throwing ch02::Failure, which the program prints before
// exiting 1.
#pragma once

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

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

// One address found by getaddrinfo(), copied out of its list.
struct Address {
    sockaddr_storage storage = {};
    socklen_t len = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// What Python's s.connect((host, port)) looks up: the first address of
// `host` that socket `s` can reach (IPv4 hosts as mapped addresses when `s`
// is an IPv6 socket). With family AF_UNSPEC (s = -1) it is the first
// address of any family, for a program that looks up before it makes its
// socket. Throws wb::ResolverError("getaddrinfo") when there is none.
inline Address lookup(const std::string& host, unsigned port, int type, int s = -1) {
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
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);

    // Like Python's connect(), we take the first address only: getaddrinfo()
    // sorts them (RFC 6724) so that the first is the one most likely to work.
    // A name with both kinds (localhost: ::1 and 127.0.0.1) gives the IPv6
    // one first; a server listening on 127.0.0.1 only then refuses us where
    // the book's AF_INET socket would reach it (ch02/README.md, IPv6).
    Address addr;
    std::memcpy(&addr.storage, found->ai_addr, found->ai_addrlen);
    addr.len = found->ai_addrlen;
    return addr;
}

// connect, connect2 and connect3 take the same optional arguments.
const wb::Spec connect_spec{
    .synopsis = "[HOST [PORT]]", .max_args = 2,
    .help = "  HOST  the server (default www.google.com)\n"
            "  PORT  its port, a number or a service name (default 80, http's)"};

// shutdown.py and shutdownfile.py wait after connecting, so that the
// student can break the connection (stop or reset the server) in between.
// They take `--sleep SECONDS` (default 10, the book's) to shorten the wait.
const wb::Spec sleep_spec{
    .synopsis = "[--sleep SECONDS] HOST PORT PATH", .min_args = 3, .max_args = 3,
    .options = {"--sleep"},
    .help = "  PORT             a number, or a service name such as http\n"
            "  --sleep SECONDS  how long to wait before sending (default 10)"};

inline double sleep_seconds(const wb::Args& args) { return args.number("--sleep", 10, 0, 3600); }

inline void sleep_like_the_book(double seconds) {
    std::cout << "sleeping..." << std::endl;
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    std::cout << "Continuing." << std::endl;
}

// ---------------------------------------------------------------------------
// socketerrors.py's steps, as socketerrors.cpp spells them out, each
// reporting a failure with the book's line.

// A failure the book reports in its own words; what() is the whole line.
class Failure : public std::runtime_error {
public:
    Failure(const std::string& what_failed, const std::exception& why)
        : std::runtime_error(what_failed + ": " + why.what()) {}
};

// Step 1: the socket. Failing here is rare ("Strange error"): out of file
// descriptors (EMFILE), or a kernel without the address family.
inline wb::Fd create_socket(int type) {
    wb::Fd s(client_socket(type));
    if (!s.valid()) throw Failure("Strange error creating socket", wb::SystemError("socket", errno));
    return s;
}

// Step 2: the port, a number or a service name ("http") for `proto`, which
// getservbyname() looks up in /etc/services.
inline unsigned find_port(const std::string& textport, const char* proto) {
    try {
        return wb::parse_port(textport, proto);
    } catch (const std::invalid_argument& e) {
        throw Failure("Couldn't find your port", e);
    }
}

// Step 3: connect. A name that cannot be resolved is an address-related
// error (Python's socket.gaierror); a refused or unreachable server is a
// connection error (socket.error).
inline void connect_server(int s, const std::string& host, unsigned port) {
    Address addr;
    try {
        addr = lookup(host, port, SOCK_STREAM, s);
    } catch (const wb::ResolverError& e) {
        throw Failure("Address-related error connecting to server", e);
    }
    if (::connect(s, addr.get(), addr.len) < 0)
        throw Failure("Connection error", wb::SystemError("connect", errno));
}

// Steps 1 to 3 in one, for shutdown.cpp and shutdownfile.cpp: a socket
// connected to HOST at PORT (a number or a service name).
inline wb::Fd open_connection(const std::string& host, const std::string& textport) {
    wb::Fd s = create_socket(SOCK_STREAM);
    connect_server(s.get(), host, find_port(textport, "tcp"));
    return s;
}

// Step 4: the request, sent whole (Python's sendall()).
inline void send_request(int s, const std::string& filename) {
    try {
        wb::send_all(s, "GET " + filename + " HTTP/1.0\r\n\r\n");
    } catch (const wb::SystemError& e) {
        throw Failure("Error sending data", e);
    }
}

// stdout failed (see wb::write_stdout()): the reply has nowhere to go.
inline Failure output_failure() { return Failure("Error writing output", wb::SystemError("write", errno)); }

// Step 5: copy the reply to stdout, 2048 bytes at a time, until the server
// closes the connection (recv() returns 0).
inline void copy_reply(int s) {
    char buf[2048];
    for (;;) {
        ssize_t got = ::recv(s, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR) continue;  // a signal, not an error
        if (got < 0) throw Failure("Error receiving data", wb::SystemError("recv", errno));
        if (got == 0) break;
        if (!wb::write_stdout(buf, static_cast<size_t>(got))) throw output_failure();
    }
}

}  // namespace ch02
