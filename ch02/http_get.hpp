// ch02/http_get.hpp: socketerrors.cpp's HTTP/1.0 GET, in steps, for the programs after it.
//
// socketerrors.cpp spells out each step of the client with its own error
// line. shutdown.cpp and shutdownfile.cpp take the same steps from here and
// spell out only what their sections add. Each step throws ch02::Failure
// with the book's line, as socketerrors.cpp does.
//
//   wb::Fd s = ch02::open_connection(host, textport);   // steps 1-3
//   ch02::send_request(s.get(), path);                   // step 4
//   ch02::copy_reply(s.get());                           // step 5
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "client_socket.hpp"
#include "errors.hpp"
#include "failure.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

namespace ch02 {

// Steps 1 to 3: the socket, the port (a number or a TCP service name), the
// name lookup and connect(): a socket connected to HOST at PORT.
inline wb::Fd open_connection(const std::string& host, const std::string& textport) {
    wb::Fd s(client_socket(SOCK_STREAM));
    if (!s.valid()) throw Failure("Strange error creating socket", wb::errno_text(errno));

    unsigned port = 0;
    try {
        port = wb::parse_port(textport, "tcp");
    } catch (const std::invalid_argument& e) {
        throw Failure("Couldn't find your port", e.what());
    }

    Address addr;
    try {
        addr = first_address(host, port, SOCK_STREAM, s.get());
    } catch (const wb::ResolverError& e) {
        throw Failure("Address-related error connecting to server", e.what());
    }
    if (::connect(s.get(), addr.get(), addr.len) < 0)
        throw Failure("Connection error", wb::errno_text(errno));
    return s;
}

// Step 4: the request, sent whole (Python's sendall()).
inline void send_request(int s, const std::string& path) {
    try {
        wb::send_all(s, "GET " + path + " HTTP/1.0\r\n\r\n");
    } catch (const wb::SystemError& e) {
        throw Failure("Error sending data", e.what());
    }
}

// Step 5: the reply to stdout, 2048 bytes at a time, until the server
// closes the connection (recv() returns 0).
inline void copy_reply(int s) {
    char buf[2048];
    for (;;) {
        ssize_t got = ::recv(s, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR) continue;  // a signal, not an error
        if (got < 0) throw Failure("Error receiving data", wb::errno_text(errno));
        if (got == 0) break;
        if (!wb::write_stdout(buf, static_cast<size_t>(got)))
            throw Failure("Error writing output", wb::errno_text(errno));
    }
}

}  // namespace ch02
