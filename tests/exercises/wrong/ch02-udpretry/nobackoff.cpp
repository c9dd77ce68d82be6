// tests/exercises/wrong/ch02-udpretry/nobackoff.cpp: waits the same timeout before every retransmission (no back-off).
// expect: stage 2: not spaced timeout, 2 x timeout
// (the reference solution with that one mistake)
// Book: chapter 2, section "Using User Datagram Protocol" (extends udp.py; an exercise, not in the book)
//
// UDP loses datagrams without a word, so a client that wants an answer must
// send again when none comes. This one sends MESSAGE to an echo service and
// waits for the same bytes back. After --timeout seconds without them it
// sends again and waits twice as long, then four times, ... (exponential
// back-off: a busy server or link is not flooded), --tries datagrams in all.
// connect() makes the kernel drop datagrams from any other address; one
// from the server with other contents (not our echo) is read and ignored,
// and the wait goes on to the same deadline. An echo of any earlier try
// counts: it carries the same bytes.
//
// Usage:   udpretry [--timeout SECONDS] [--tries N] HOST PORT MESSAGE
// Partner: any UDP echo server: socat UDP4-RECVFROM:5000,bind=127.0.0.1,fork PIPE
// Try:     ./build/ch02/exercises/solutions/udpretry --timeout 0.1 127.0.0.1 5000 hello
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <string_view>

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

using Clock = std::chrono::steady_clock;

// Waits until `s` has a datagram to read (true) or `deadline` passes (false).
bool wait_until(int s, Clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd want = {s, POLLIN, 0};
        int ready = poll(&want, 1, static_cast<int>(left.count()));
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) throw wb::SystemError("poll", errno);
        // 0: poll's time is up (the loop checks the clock); EINTR: wait again
    }
}

std::string tries_text(int n) { return std::to_string(n) + (n == 1 ? " try" : " tries"); }

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

        // getaddrinfo, socket, connect (IPv4 or IPv6, as HOST is). No packet
        // is sent: connect() records the peer, and from now on the kernel
        // drops any datagram that comes from another address or port.
        wb::Fd s = wb::connect_to(args[0], port, SOCK_DGRAM);

        // One byte more than the echo: a longer datagram then shows as longer
        // (recv() cuts a datagram to the buffer and drops the rest).
        std::string reply(message.size() + 1, '\0');
        double wait = timeout;
        for (int sent = 1; sent <= tries; ++sent) {
            wb::check("send", send(s.get(), message.data(), message.size(), 0));
            auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(wait));
            while (wait_until(s.get(), deadline)) {
                // ECONNREFUSED here: an ICMP "port unreachable", nothing listens
                // there. check() makes it the program's error line, exit 1.
                ssize_t got = wb::check("recv", recv(s.get(), reply.data(), reply.size(), 0));
                if (std::string_view(reply.data(), static_cast<std::size_t>(got)) == message) {
                    std::cout << "Reply: " << message << '\n'
                              << "after " << tries_text(sent) << std::endl;
                    return 0;
                }
                // Not our echo (garbled, or an answer to something else):
                // ignore it and keep waiting, to the same deadline.
            }
        }
        std::cout << "No reply after " << tries_text(tries) << std::endl;
        return 1;
    });
}
