// ch02/udptime.cpp: ask an RFC 868 time server for the time, over UDP.
// Book: section 2.5 Using User Datagram Protocol (使用UDP), udptime.py
//
// The time protocol (RFC 868, port 37): send the server any datagram (ours
// is empty), and it answers with 4 bytes, the seconds since 1900 as an
// unsigned 32-bit number in network byte order. This socket is not
// connected: sendto() names the server, recvfrom() tells who answered, and
// with no server nothing comes back, so the program waits until Ctrl-C.
//
// Usage:   udptime [HOST [PORT]]   (default time.nist.gov 37, the book's)
// Partner: any RFC 868 time server: xinetd's built-in `time`, ch03/udptimeserver.
// Try:     ./build/ch03/udptimeserver &  then  ./build/ch02/udptime 127.0.0.1 51423
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "client_socket.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[HOST [PORT]]",
                    .max_args = 2,
                    .help =
                        "  HOST  the time server (default time.nist.gov)\n"
                        "  PORT  its UDP port, a number or a service name (default 37)"};

// Did `from` (what recvfrom() reports) come from `server` (where we sent)?
// Same family, address and port.
static bool same_address(const sockaddr_storage& from, const sockaddr_storage& server) {
    if (from.ss_family != server.ss_family) return false;
    if (from.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(from);
        const auto& b = reinterpret_cast<const sockaddr_in&>(server);
        return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
    }
    const auto& a = reinterpret_cast<const sockaddr_in6&>(from);
    const auto& b = reinterpret_cast<const sockaddr_in6&>(server);
    return a.sin6_port == b.sin6_port &&
           std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof a.sin6_addr) == 0;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::string hostname = args.size() > 0 ? args[0] : "time.nist.gov";
        unsigned port = args.size() > 1 ? wb::command_line_port("PORT", args[1], "udp") : 37;

        // The book's socket.gethostbyname(hostname): look up first, then make
        // a socket of the family found (AF_INET or AF_INET6).
        ch02::Address host = ch02::first_address(hostname, port, SOCK_DGRAM);
        wb::Fd s(wb::check("socket", socket(host.storage.ss_family, SOCK_DGRAM, 0)));
        // An empty datagram is a whole request.
        wb::check("sendto", sendto(s.get(), "", 0, 0, host.get(), host.len));

        wb::stop_on_interrupt();  // before we say so: a quick Ctrl-C ends us cleanly too
        std::cout << "Looking for replies; press Ctrl-C to stop." << std::endl;
        char buf[2048];
        ssize_t got = 0;
        for (;;) {
            if (!wb::wait_readable(s.get())) {
                std::cerr << "No reply.\n";
                return 1;
            }
            sockaddr_storage from = {};
            socklen_t fromlen = sizeof from;
            got = wb::check("recvfrom", recvfrom(s.get(), buf, sizeof buf, 0,
                                                 reinterpret_cast<sockaddr*>(&from), &fromlen));
            // Anyone can send to our port: a datagram from another address
            // or port is not the server's answer. Ignore it and keep waiting.
            if (same_address(from, host.storage)) break;
        }
        if (got != 4) {
            std::cerr << "Wrong-sized reply " << got << ": "
                      << std::string(buf, static_cast<size_t>(got)) << '\n';
            return 1;
        }

        // Python's struct.unpack("!I", buf): 4 bytes, big-endian, unsigned.
        uint32_t network;
        std::memcpy(&network, buf, sizeof network);
        // Seconds since 1900 less 70 years of seconds: Unix time, since 1970.
        // (The 32-bit count runs out in 2036; like the book, we ignore that.)
        std::time_t secs = static_cast<std::time_t>(ntohl(network)) - 2208988800LL;
        // ctime() prints local time, as Python's time.ctime(); its text ends in a newline.
        char text[64];
        if (ctime_r(&secs, text) == nullptr) throw std::runtime_error("ctime: time out of range");
        std::cout << text;
        return 0;
    });
}
