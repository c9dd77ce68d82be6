// common/sockets.hpp: the socket set-up steps, once the book has shown them.
//
// ch01/gopherclient.cpp and ch01/server.cpp spell out every call (getaddrinfo,
// socket, connect; socket, setsockopt, bind, listen). Programs whose section
// is about something else use these helpers, which make the same calls, as
// Stevens' tcp_connect() and tcp_listen() do in UNIX Network Programming.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "fd.hpp"

namespace wb {

// Resolves `host` with getaddrinfo() (IPv4 and IPv6) and connects a socket of
// `type` (SOCK_STREAM or SOCK_DGRAM) to the first address that accepts,
// like Python's socket.create_connection(). Throws ResolverError("getaddrinfo")
// or SystemError("socket" / "connect") for the last address tried.
Fd connect_to(const std::string& host, unsigned port, int type = SOCK_STREAM);

// A socket of `type` bound to `port` on all interfaces, with SO_REUSEADDR:
// an IPv6 socket that also accepts IPv4 (IPV6_V6ONLY off), or a plain IPv4
// one where the machine has no IPv6. For SOCK_STREAM it is also listening
// with `backlog`. Port 0 picks any free port; bound_port() tells which.
Fd bind_any(unsigned port, int type = SOCK_STREAM, int backlog = 5);

// The local port a socket is bound to (getsockname()).
unsigned bound_port(int fd);

// Sends every byte (Python's sendall); throws SystemError("send"). While
// the peer does not read, it waits with wait_writable(), so after
// stop_on_interrupt() Ctrl-C ends the wait (SystemError with EINTR).
void send_all(int fd, std::string_view data);

}  // namespace wb
