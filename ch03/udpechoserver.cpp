// ch03/udpechoserver.cpp: send every UDP datagram back where it came from.
// Book: section 3.4 Using UDP (使用UDP), udpechoserver.py
//
// A UDP server has no listen() and no accept(): it binds its port (with
// SO_REUSEADDR, as the book does) and then recvfrom() hands it one datagram
// at a time together with the sender's address. It prints that address and
// sendto()s the same bytes back. There are no connections, so no client can
// hold the server up. A datagram longer than the 8192-byte buffer is cut
// there, as the book's recvfrom(8192) cuts it. An error is reported and the
// loop goes on, as in errorserver.cpp.
//
// Usage:   udpechoserver [--port PORT]      (default port 51423)
// Partner: ch02's udp client, or `nc -u localhost 51423`.
// Try:     ./build/ch03/udpechoserver &  then  echo hi | nc -u -w1 localhost 51423
#include <sys/socket.h>

#include <cerrno>
#include <iostream>

#include "address.hpp"
#include "errors.hpp"
#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the UDP port to use (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_DGRAM);  // socket, SO_REUSEADDR, bind

        // Wait for a datagram, or Ctrl-C (wb::wait_readable), then recvfrom() it.
        while (wb::wait_readable(s.get())) {
            try {
                // One datagram, and who sent it.
                char message[8192];
                sockaddr_storage address = {};
                socklen_t addrlen = sizeof address;
                ssize_t got = recvfrom(s.get(), message, sizeof message, 0,
                                       reinterpret_cast<sockaddr*>(&address), &addrlen);
                if (got < 0 && errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
                wb::check("recvfrom", got);
                std::cout << "Got data from " << wb::format_address(address, addrlen) << std::endl;

                // The same bytes back. No connection: sendto() names the address.
                wb::check("sendto", sendto(s.get(), message, static_cast<size_t>(got), 0,
                                           reinterpret_cast<sockaddr*>(&address), addrlen));
            } catch (const wb::SystemError& e) {
                report(e);  // like the book's traceback.print_exc(); then the next datagram
            }
        }
        return 0;
    });
}
