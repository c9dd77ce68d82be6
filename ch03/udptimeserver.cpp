// ch03/udptimeserver.cpp: a UDP time server that is a day late, on purpose.
// Book: chapter 3, section "Using UDP" (udptimeserver.py)
//
// RFC 868's time protocol over UDP: whatever datagram arrives, answer with
// the time as 4 bytes, big-endian (network byte order), counting seconds
// since 1900-01-01. Unix counts from 1970, 2208988800 seconds later, so
// we add that. The book's server is deliberately wrong by one day (it
// subtracts 24 hours), so that a client comparing it with the local clock,
// such as chapter 2's udptime, sees a difference it can show.
//
// The 32-bit count wraps in 2036 (RFC 868's own limit); we keep the low
// 32 bits, as Python's struct.pack("!I", ...) would refuse to do.
// The loop (recvfrom, answer, sendto; errors reported on stderr and the
// loop goes on) is serve_datagrams() in serverloop.hpp, shared with
// udpechoserver.cpp. Nothing is printed per request, as in the book.
//
// Differences from the book: IPv4 and IPv6 on one socket (wb::bind_any);
// `--port` (0 = any free port, announced as `Listening on port N.`).
//
// Usage:   udptimeserver [--port PORT]      (default port 51423)
// Partner: ch02's udptime client.
// Try:     ./build/ch03/udptimeserver --port 0 &  then  ./build/ch02/udptime localhost PORT
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{.synopsis = "[--port PORT]", .options = {"--port"},
                    .help = "  --port PORT  the UDP port to use (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_DGRAM);
        serve_datagrams(s.get(), [](std::string_view, const std::string&) {
            long long secs = std::time(nullptr);  // seconds since 1970-01-01
            secs -= 60 * 60 * 24;                 // make it yesterday
            secs += 2208988800LL;                 // seconds since 1900-01-01
            uint32_t reply = htonl(static_cast<uint32_t>(secs));  // the book's "!I"
            return std::string(reinterpret_cast<const char*>(&reply), sizeof reply);
        });
        return 0;
    });
}
