// ch03/serverloop.hpp: the error-handling server loop of chapter 3.
//
// The book's errorserver.py guards the three steps of serving a client,
// each with its own try/except: accept(), processing, close(). An error in
// any step is reported (Python prints its traceback) and the loop goes on
// to the next client; only Ctrl-C ends the server. errorserver, echoserver
// and syslogserver all run that loop; it lives here, once, and each of
// them passes what it does with a client and how it reports an error.
//
// The UDP servers (udpechoserver, udptimeserver) share serve_datagrams(),
// the same loop for datagrams: recvfrom(), answer, sendto(), report errors.
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
#include <string_view>

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
inline wb::Fd open_server(const wb::Args& args, int type) {
    wb::Fd s = wb::bind_any(args.port("--port", 51423, type == SOCK_DGRAM ? "udp" : "tcp"), type, 1);
    if (args.has("--port")) std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;
    return s;
}

// The error's text, prefixed by the call that failed when it was a system
// call ("recv: [Errno 104] Connection reset by peer").
inline std::string describe(const std::exception& e) {
    if (const auto* call = dynamic_cast<const wb::CallError*>(&e)) return call->call() + ": " + call->what();
    return e.what();
}

// traceback.print_exc(): "PROG: CALL: TEXT" on stderr, then back to work.
inline void report(const std::exception& e) {
    std::cerr << wb::program_name() << ": " << describe(e) << std::endl;
}

// Python's clientsock.getpeername(), printed Python's way. It fails
// (ENOTCONN) when the client has already reset the connection.
inline std::string peername(int sock) {
    sockaddr_storage addr = {};
    socklen_t len = sizeof addr;
    wb::check("getpeername", getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len));
    return wb::format_address(addr, len);
}

// Accepts clients on the listening socket `s` until Ctrl-C; for each runs
// `process(clientsock)` and closes the connection. An error in any of the
// three steps goes to `on_error` and the loop goes on.
inline void serve_forever(int s, const std::function<void(int)>& process,
                          const std::function<void(const std::exception&)>& on_error = report) {
    wb::stop_on_interrupt();
    while (!wb::interrupted()) {
        wb::Fd clientsock;
        try {
            clientsock.reset(wb::check("accept", accept(s, nullptr, nullptr)));
        } catch (const wb::SystemError& e) {
            if (e.code() != EINTR) on_error(e);  // EINTR: Ctrl-C, the loop test ends it
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

// Receives datagrams on the bound UDP socket `s` until Ctrl-C. For each,
// `answer(message, from)` gives the reply, which goes back to the sender.
// recvfrom() hands over one datagram and who sent it; a datagram longer
// than 8192 bytes (the book's recvfrom(8192)) is cut there. There is no
// connection, so sendto() names the address each time. An error is
// reported and the loop goes on.
inline void serve_datagrams(int s, const std::function<std::string(std::string_view message,
                                                                   const std::string& from)>& answer) {
    wb::stop_on_interrupt();
    while (!wb::interrupted()) {
        try {
            char message[8192];
            sockaddr_storage address = {};
            socklen_t addrlen = sizeof address;
            ssize_t got = recvfrom(s, message, sizeof message, 0, reinterpret_cast<sockaddr*>(&address),
                                   &addrlen);
            if (got < 0 && errno == EINTR) continue;  // Ctrl-C: the loop test ends it
            wb::check("recvfrom", got);
            std::string reply = answer({message, static_cast<size_t>(got)},
                                       wb::format_address(address, addrlen));
            wb::check("sendto", sendto(s, reply.data(), reply.size(), 0,
                                       reinterpret_cast<sockaddr*>(&address), addrlen));
        } catch (const wb::SystemError& e) {
            report(e);
        }
    }
}
