// ch03/serverloop.hpp: the error-handling server loop of chapter 3.
//
// The book's errorserver.py guards the three steps of serving a client,
// each with its own try/except: accept(), processing, close(). An error in
// any step is reported (Python prints its traceback) and the loop goes on
// to the next client; only Ctrl-C ends the server. errorserver, echoserver
// and syslogserver all run that loop; it lives here, once, and each of
// them passes what it does with a client and how it reports an error.
//
// The loop waits for each client with wb::wait_readable() and only then
// calls accept(). Checking wb::interrupted() and then calling accept()
// would lose a Ctrl-C that lands between the two: accept() would not yet
// have started, so nothing interrupts it, and it waits for the next client.
//
// Here also: the bound socket every ch03 server starts from, and report(),
// the C++ analog of traceback.print_exc(): one line on stderr,
//
//   errorserver: getpeername: [Errno 107] Transport endpoint is not connected
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
// Ctrl-C ends the server cleanly from before that line on: whoever reads
// it may press Ctrl-C at once.
inline wb::Fd open_server(const wb::Args& args, int type) {
    wb::Fd s = wb::bind_any(args.port("--port", 51423, type == SOCK_DGRAM ? "udp" : "tcp"), type, 1);
    wb::stop_on_interrupt();
    if (args.has("--port")) std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;
    return s;
}

// traceback.print_exc(): "PROG: CALL: TEXT" on stderr (wb::describe() is
// the text wb::run() prints for an error that ends a program), then back to work.
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

// Accepts clients on the listening socket `s` (from open_server()) until
// Ctrl-C; for each runs `process(clientsock)` and closes the connection. An
// error in any of the three steps goes to `on_error` and the loop goes on.
inline void serve_forever(int s, const std::function<void(int)>& process,
                          const std::function<void(const std::exception&)>& on_error = report) {
    // Wait for a client or Ctrl-C, then accept(): see the top of this file.
    while (wb::wait_readable(s)) {
        wb::Fd clientsock;
        try {
            clientsock.reset(wb::check("accept", accept(s, nullptr, nullptr)));
        } catch (const wb::SystemError& e) {
            if (e.code() != EINTR) on_error(e);  // EINTR: a signal; wait_readable() sees Ctrl-C
            continue;
        }

        // Process the connection.
        try {
            process(clientsock.get());
        } catch (const std::exception& e) {
            if (!wb::interrupted()) on_error(e);  // after Ctrl-C, just stop
        }

        // Close the connection. close() can fail too (EIO, EINTR); the
        // book reports that as well, and so do we.
        try {
            wb::check("close", close(clientsock.release()));
        } catch (const wb::SystemError& e) {
            on_error(e);
        }
    }
}
