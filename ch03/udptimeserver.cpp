// ch03/udptimeserver.cpp: a UDP time server that is a day late, on purpose.
// Book: section 3.4 Using UDP (使用UDP), udptimeserver.py
//
// RFC 868's time protocol over UDP: whatever datagram arrives, answer with
// the time as 4 bytes, big-endian (network byte order), counting seconds
// since 1900-01-01 (Unix counts from 1970, 2208988800 seconds later). The
// book's server is a day behind on purpose, so that a client comparing it
// with the local clock, such as chapter 2's udptime, has a difference to
// show. The loop is udpechoserver.cpp's; nothing is printed per request.
//
// Usage:   udptimeserver [--port PORT]      (default port 51423)
// Partner: ch02's udptime client.
// Try:     ./build/ch03/udptimeserver --port 0 &  then  ./build/ch02/udptime localhost PORT
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <ctime>

#include "errors.hpp"
#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the UDP port to use (default 51423; 0 = any free port)"};

// The answer: now less a day, in seconds since 1900, as 4 bytes big-endian.
uint32_t wrong_time() {
    long long secs = std::time(nullptr);        // seconds since 1970-01-01
    secs -= 60LL * 60 * 24;                     // make it yesterday
    secs += 2208988800LL;                       // seconds since 1900-01-01
    return htonl(static_cast<uint32_t>(secs));  // the book's struct.pack("!I", secs)
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_DGRAM);
        while (wb::wait_readable(s.get())) {  // a datagram, or Ctrl-C
            try {
                char message[8192];  // what the client sent: read, and ignored
                sockaddr_storage address = {};
                socklen_t addrlen = sizeof address;
                ssize_t got = recvfrom(s.get(), message, sizeof message, 0,
                                       reinterpret_cast<sockaddr*>(&address), &addrlen);
                if (got < 0 && errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
                wb::check("recvfrom", got);
                uint32_t reply = wrong_time();
                wb::check("sendto", sendto(s.get(), &reply, sizeof reply, 0,
                                           reinterpret_cast<sockaddr*>(&address), addrlen));
            } catch (const wb::SystemError& e) {
                report(e);
            }
        }
        return 0;
    });
}
