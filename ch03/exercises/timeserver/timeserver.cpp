// ch03/exercises/timeserver/timeserver.cpp: RFC 868 time over TCP and UDP, on one port, from one process.
// Book: chapter 3, section "Using UDP" (extends udptimeserver.py; an exercise, not in the book)
//
// Your starting point: the command line is read, and the TCP socket listens
// and is announced. Add the UDP socket on the same port number (with --port
// 0, the number TCP got), then serve both from one loop: poll() tells which
// socket has work. A TCP client gets 4 bytes as soon as it connects, then
// the end; any UDP datagram gets 4 bytes back. The bytes are the true time
// in seconds since 1900, big-endian, as README.md says.
//
// Usage:   timeserver [--port PORT]      (default port 51423; 0 = any free port)
// Partner: ch02's udptime (UDP); nc -d HOST PORT | od -An -tu1 (TCP).
// Try:     ./build/ch03/exercises/timeserver --port 0 &  then  ./build/ch02/udptime localhost PORT
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <iostream>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the TCP and UDP port (default 51423; 0 = any free port)"};

// TODO: now, in seconds since 1900-01-01, as 4 bytes big-endian (see
//       ch03/udptimeserver.cpp, without its day's delay).

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 51423);
        wb::Fd tcp = wb::bind_any(port, SOCK_STREAM, SOMAXCONN);  // IPv6 and IPv4 (IPV6_V6ONLY off)
        // TODO: a UDP socket on the port TCP got: wb::bind_any(..., SOCK_DGRAM).
        //       With --port 0, if that UDP port is taken, try a new TCP port.
        wb::stop_on_interrupt();
        if (args.has("--port"))
            std::cout << "Listening on port " << wb::bound_port(tcp.get()) << "." << std::endl;

        while (wb::wait_readable(tcp.get())) {  // waits for TCP only, until Ctrl-C
            // TODO: wait for either socket (ppoll() on both, as
            //       wb::wait_readable() does for one), then answer what is ready:
            //       TCP: accept(), send the 4 bytes, close;
            //       UDP: recvfrom(), sendto() the 4 bytes back to the sender.
            //       An error with one client is reported; the server goes on.
            wb::Fd client(accept(tcp.get(), nullptr, nullptr));
        }
        return 0;
    });
}
