// ch03/serverloop.hpp: what the chapter's servers share.
//
// open_server() makes the socket every ch03 server starts from; report() is
// the C++ stand-in for traceback.print_exc(); peername() is Python's
// clientsock.getpeername(). serve_forever() is errorserver.cpp's loop, its
// three guards (accept, processing, close) packaged for echoserver and
// syslogserver, which then spell out only what they do with a client.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <functional>
#include <iostream>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

// The server's socket: bound to --port (default 51423) on every interface,
// IPv6 and IPv4 (wb::bind_any makes the calls basicserver.cpp spells out),
// listening with the book's queue of 1 when `type` is SOCK_STREAM. With
// --port, the port actually bound is printed first (`Listening on port N.`),
// so `--port 0` tells a student, or a test, which port the system chose.
// Ctrl-C ends the server cleanly from before that line on.
inline wb::Fd open_server(const wb::Args& args, int type) {
    wb::Fd s =
        wb::bind_any(args.port("--port", 51423, type == SOCK_DGRAM ? "udp" : "tcp"), type, 1);
    wb::stop_on_interrupt();
    if (args.has("--port"))
        std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;
    return s;
}

// traceback.print_exc(): one line on stderr, then back to work:
//   errorserver: getpeername: [Errno 107] Transport endpoint is not connected
inline void report(const std::exception& e) {
    std::cerr << wb::program_name() << ": " << wb::describe(e) << std::endl;
}

// Python's clientsock.getpeername(), printed Python's way. It fails
// (ENOTCONN) when the client has already reset the connection.
inline std::string peername(int sock) {
    sockaddr_storage addr = {};
    socklen_t len = sizeof addr;
    wb::check("getpeername", getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len));
    return wb::format_address(addr, len);
}

// errorserver.cpp's loop: accepts clients on `s` until Ctrl-C, runs
// `process(clientsock)` for each and closes the connection; an error in any
// of the three steps goes to `on_error`, and the loop goes on.
inline void serve_forever(int s, const std::function<void(int)>& process,
                          const std::function<void(const std::exception&)>& on_error = report) {
    while (wb::wait_readable(s)) {
        wb::Fd clientsock;
        try {
            clientsock.reset(wb::check("accept", accept(s, nullptr, nullptr)));
        } catch (const wb::SystemError& e) {
            if (e.code() != EINTR) on_error(e);  // EINTR: a signal, not an error
            continue;
        }
        try {
            process(clientsock.get());
        } catch (const std::exception& e) {
            if (!wb::interrupted()) on_error(e);  // after Ctrl-C, just stop
        }
        try {
            wb::check("close", close(clientsock.release()));
        } catch (const wb::SystemError& e) {
            on_error(e);
        }
    }
}
