// ch03/udpechoserver.cpp: send every UDP datagram back where it came from.
// Book: chapter 3, section "Using UDP" (udpechoserver.py)
//
// A UDP server has no listen() and no accept(): it binds its port (with
// SO_REUSEADDR, as the book does) and then recvfrom() hands it one datagram
// at a time together with the sender's address. It prints that address and
// sendto()s the same bytes back. There are no connections, so no client can
// hold the server up: each datagram is served on its own. That loop is
// serve_datagrams() in serverloop.hpp, shared with udptimeserver.cpp.
//
// A datagram longer than the 8192-byte buffer is cut there (recvfrom(8192)
// in the book does the same), and the cut datagram is what comes back.
// Errors are reported on stderr and the loop goes on, like errorserver's.
//
// Differences from the book: IPv4 and IPv6 on one socket (wb::bind_any);
// `--port` (0 = any free port, announced as `Listening on port N.`).
//
// Usage:   udpechoserver [--port PORT]      (default port 51423)
// Partner: ch02's udp client, or `nc -u localhost 51423`.
// Try:     ./build/ch03/udpechoserver &  then  echo hi | nc -u -w1 localhost 51423
#include <sys/socket.h>

#include <iostream>
#include <string>
#include <string_view>

#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{.synopsis = "[--port PORT]", .options = {"--port"},
                    .help = "  --port PORT  the UDP port to use (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_DGRAM);
        serve_datagrams(s.get(), [](std::string_view message, const std::string& address) {
            std::cout << "Got data from " << address << std::endl;
            return std::string(message);  // echo it back
        });
        return 0;
    });
}
