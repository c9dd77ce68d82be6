// ch02/exercises/udpretry/udpretry.cpp: send a UDP datagram until it comes back, waiting longer each time.
// Book: chapter 2, section "Using User Datagram Protocol" (extends udp.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you. Send MESSAGE to
// the echo service at HOST PORT and wait for the same bytes back; with no
// echo after `timeout` seconds, send again and wait twice as long, `tries`
// datagrams at most. Ignore datagrams from anyone else or with other
// contents. README.md has the exact output and exit status.
//
// Usage:   udpretry [--timeout SECONDS] [--tries N] HOST PORT MESSAGE
// Partner: any UDP echo server: socat UDP4-RECVFROM:5000,bind=127.0.0.1,fork PIPE
// Try:     ./build/ch02/exercises/udpretry --timeout 0.1 127.0.0.1 5000 hello
#include <sys/socket.h>

#include <cmath>
#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--timeout SECONDS] [--tries N] HOST PORT MESSAGE",
    .min_args = 3,
    .max_args = 3,
    .options = {"--timeout", "--tries"},
    .help =
        "  PORT               a number, or a UDP service name such as echo\n"
        "  --timeout SECONDS  the wait after the first datagram (default 0.5), doubled after each\n"
        "  --tries N          how many datagrams to send at most (default 5)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        double timeout = args.number("--timeout", 0.5, 0.001, 3600);
        double whole = args.number("--tries", 5, 1, 30);
        if (whole != std::floor(whole))
            throw wb::UsageError("bad --tries '" + args.get("--tries", "") +
                                 "': expected a whole number");
        int tries = static_cast<int>(whole);
        unsigned port = wb::command_line_port("PORT", args[1], "udp");
        const std::string& message = args[2];

        // TODO: a UDP socket connected to HOST PORT (wb::connect_to with
        //       SOCK_DGRAM, or getaddrinfo, socket and connect as udp.cpp does).
        // TODO: for each try: send() MESSAGE, then wait with poll() until
        //       a deadline `timeout` seconds away (twice as far each try).
        // TODO: a datagram with exactly MESSAGE's bytes: print
        //       "Reply: MESSAGE" and "after N tries" ("after 1 try"), exit 0.
        //       Anything else: ignore it and keep waiting to the same deadline.
        // TODO: no echo after the last try's wait: "No reply after N tries", exit 1.
        std::cerr << "udpretry: not written yet (timeout " << timeout << " s, " << tries
                  << " tries, port " << port << ", " << message.size() << " bytes to send)\n";
        return 1;
    });
}
