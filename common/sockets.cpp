// common/sockets.cpp: see sockets.hpp.
#include "sockets.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <memory>

#include "address.hpp"
#include "errors.hpp"
#include "program.hpp"

namespace wb {

Fd connect_to(const std::string& host, unsigned port, int type) {
    addrinfo hints = {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = type;
    addrinfo* found = nullptr;
    check_gai("getaddrinfo",
              getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);

    std::string failed_call = "connect";
    int last_error = 0;
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        Fd sock(::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol));
        if (!sock.valid()) {
            failed_call = "socket";
            last_error = errno;
            continue;
        }
        if (::connect(sock.get(), ai->ai_addr, ai->ai_addrlen) == 0) return sock;
        failed_call = "connect";
        last_error = errno;
    }
    throw SystemError(failed_call, last_error);
}

Fd bind_any(unsigned port, int type, int backlog) {
    int family = AF_INET6;
    Fd sock(::socket(AF_INET6, type, 0));
    if (!sock.valid() && errno == EAFNOSUPPORT) {
        family = AF_INET;  // a machine without IPv6
        sock.reset(::socket(AF_INET, type, 0));
    }
    check("socket", sock.get());
    int on = 1, off = 0;
    check("setsockopt", setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));

    sockaddr_storage addr = {};
    socklen_t len = 0;
    if (family == AF_INET6) {
        check("setsockopt", setsockopt(sock.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_any;
        in6->sin6_port = htons(static_cast<uint16_t>(port));
        len = sizeof *in6;
    } else {
        auto* in4 = reinterpret_cast<sockaddr_in*>(&addr);
        in4->sin_family = AF_INET;
        in4->sin_addr.s_addr = htonl(INADDR_ANY);
        in4->sin_port = htons(static_cast<uint16_t>(port));
        len = sizeof *in4;
    }
    if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0)
        throw SystemError("bind to port " + std::to_string(port), errno);
    if (type == SOCK_STREAM) check("listen", ::listen(sock.get(), backlog));
    return sock;
}

unsigned bound_port(int fd) {
    sockaddr_storage addr = {};
    socklen_t len = sizeof addr;
    check("getsockname", getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len));
    return address_port(reinterpret_cast<sockaddr*>(&addr), len);
}

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        // Room in the socket's buffer: send() takes what fits at once
        // (MSG_DONTWAIT: never block here). No room (a peer that does not
        // read): wait for it, or for Ctrl-C, with wait_writable().
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_writable(fd)) throw SystemError("send", EINTR);  // Ctrl-C
            continue;
        }
        if (n < 0 && errno == EINTR) continue;  // a signal; wait_writable() sees Ctrl-C
        if (n < 0) throw SystemError("send", errno);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace wb
