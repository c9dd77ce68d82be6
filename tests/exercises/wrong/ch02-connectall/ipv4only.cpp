// tests/exercises/wrong/ch02-connectall/ipv4only.cpp: known wrong: asks getaddrinfo() for IPv4 addresses only
// expect: stage 4: stderr is not what was expected
// Book: chapter 2, section "Getting Information from a Socket" (connect3.py), extended
//
// A name can have several addresses (IPv6 and IPv4, several servers), and
// getaddrinfo() returns them all, best first (RFC 6724). Python's connect()
// tries only the first; socket.create_connection() tries them in turn, and
// so does this program. A blocking connect() to an address that drops our
// SYNs waits over two minutes, so each attempt is a non-blocking connect()
// and a poll() with its own timeout; getsockopt(SO_ERROR) then says how the
// handshake ended. Each failed address gets one line on stderr, in Python's
// form; the first that accepts is printed as connect3 prints its peer.
// (An exercise this workbook adds to the book.)
//
// Usage:   connectall [--timeout SECONDS] HOST PORT
// Partner: any TCP server; ch02/exercises/connectall/README.md sets up a lab.
// Try:     ./build/ch02/exercises/solutions/connectall localhost 8080
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

// Connects socket `s` to `addr`, waiting at most `timeout_ms`. Returns ""
// on success, else why not, as Python says it: "timed out" (our own
// timeout) or "[Errno 111] Connection refused".
static std::string connect_within(int s, const sockaddr* addr, socklen_t len, int timeout_ms) {
    // Non-blocking: connect() starts the handshake and returns at once.
    int flags = fcntl(s, F_GETFL);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0) return wb::errno_text(errno);
    if (connect(s, addr, len) == 0) return "";  // done already (it can be, on loopback)
    if (errno != EINPROGRESS) return wb::errno_text(errno);

    // The socket becomes writable when the handshake ends, either way.
    pollfd want = {s, POLLOUT, 0};
    int ready = poll(&want, 1, timeout_ms);
    if (ready < 0) return wb::errno_text(errno);
    if (ready == 0) return "timed out";  // Python's socket.timeout text

    // Writable says only "finished": SO_ERROR says whether it worked (0)
    // or the errno the blocking connect() would have failed with.
    int err = 0;
    socklen_t errlen = sizeof err;
    if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0) return wb::errno_text(errno);
    return err == 0 ? "" : wb::errno_text(err);
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];
        unsigned port = wb::command_line_port("PORT", args[1]);
        int timeout_ms =
            static_cast<int>(std::lround(args.number("--timeout", 5, 0.001, 3600) * 1000));

        // Every address, both families, in getaddrinfo()'s order.
        addrinfo hints = {};
        hints.ai_family = AF_INET;  // Mistake: no IPv6 address is ever tried
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        std::string service = std::to_string(port);
        wb::check_gai("getaddrinfo", getaddrinfo(host.c_str(), service.c_str(), &hints, &found));
        std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);

        for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
            // A socket of this address's family; a fresh one for each try:
            // a socket whose connect() failed cannot be used again.
            wb::Fd s(socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol));
            std::string error;
            if (!s.valid())
                error = wb::errno_text(errno);  // out of descriptors, a family the kernel lacks
            else
                error = connect_within(s.get(), ai->ai_addr, ai->ai_addrlen, timeout_ms);
            if (error.empty()) {
                sockaddr_storage peer = {};
                socklen_t peerlen = sizeof peer;
                auto* where = reinterpret_cast<sockaddr*>(&peer);
                wb::check("getpeername", getpeername(s.get(), where, &peerlen));
                std::cout << "Connected to " << wb::format_address(peer, peerlen) << '\n';
                return 0;
            }
            std::cerr << wb::format_address(ai->ai_addr, ai->ai_addrlen) << ": " << error << '\n';
        }
        std::cerr << "Could not connect to " << host << " port " << port << '\n';
        return 1;
    });
}
