// ch02/exercises/connectall/connectall.cpp: try every address of a host, each with a timeout.
// Book: chapter 2, section "Getting Information from a Socket" (connect3.py), extended
//
// Your starter. connect3 connects to the first address getaddrinfo() gives
// and waits as long as connect() blocks. This program tries every address,
// IPv6 and IPv4, in getaddrinfo()'s order, and gives each one at most
// --timeout seconds (a non-blocking connect(), poll(), then
// getsockopt(SO_ERROR)). A failed address gets one line on stderr; the
// first that accepts is printed as connect3 prints its peer. The command
// line is parsed already; the TODOs are yours. README.md says what to print.
//
// Usage:   connectall [--timeout SECONDS] HOST PORT
// Partner: any TCP server; README.md sets up a lab with silent addresses.
// Try:     ./workbook ex check ch02-connectall
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[--timeout SECONDS] HOST PORT",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--timeout"},
                    .help =
                        "  PORT               a number, or a service name such as http\n"
                        "  --timeout SECONDS  how long to wait for each address (default 5)"};

// TODO: connect socket `s` to `addr` within `timeout_ms` milliseconds.
// Return "" on success, "timed out" when the time is up, or the error as
// Python prints it (wb::errno_text(err): "[Errno 111] Connection refused").
[[maybe_unused]] static std::string connect_within(int s, const sockaddr* addr, socklen_t len,
                                                   int timeout_ms) {
    (void)s, (void)addr, (void)len, (void)timeout_ms;
    return "not implemented yet";
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];
        unsigned port = wb::command_line_port("PORT", args[1]);
        int timeout_ms =
            static_cast<int>(std::lround(args.number("--timeout", 5, 0.001, 3600) * 1000));
        (void)timeout_ms;

        // TODO: getaddrinfo() for every address of `host`, both families,
        // SOCK_STREAM. Then, for each address in its order: a socket of
        // that address's family, connect_within(), and
        //   on success:  "Connected to ('127.0.0.1', 8080)" on stdout
        //                (wb::format_address(), of getpeername()), exit 0;
        //   on failure:  "('127.0.0.2', 8080): [Errno 111] Connection refused"
        //                on stderr, and on to the next address.

        std::cerr << "Could not connect to " << host << " port " << port << '\n';
        return 1;
    });
}
