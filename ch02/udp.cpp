// ch02/udp.cpp: send one UDP datagram and print every datagram that comes back.
// Book: chapter 2, section "Using User Datagram Protocol" (udp.py)
//
// UDP has no connection: each datagram travels on its own, may be lost, and
// nothing tells the sender. connect() on a UDP socket sends no packet at
// all; it only fixes the peer, so that send() and recv() need no address
// and datagrams from anyone else are dropped. It has one more effect: when
// nothing listens on the port, the server's machine answers with an ICMP
// "port unreachable", and Linux reports it on the connected socket as
// ECONNREFUSED at the next recv(). An unconnected socket never hears of it.
//
// The program reads one line, strips it, sends it as one datagram, closes
// its sending side with shutdown(SHUT_WR) (only a local note for UDP: no
// packet goes out), and prints `Received: DATA` for every datagram that
// arrives, up to 2048 bytes of each, until Ctrl-C.
//
// Differences from the book: an IPv6 socket that also reaches IPv4 hosts
// (ch02/client.hpp); Ctrl-C ends it cleanly (exit 0) instead of with a
// traceback; no server gives `Error receiving data: [Errno 111] Connection
// refused` and exit 1; an empty datagram is printed as `Received: ` (the
// book stops there, a habit from TCP, where recv() returning 0 means the end).
//
// Usage:   udp HOST PORT          (PORT: a number or a UDP service name)
// Partner: any UDP echo server: ch03/udpechoserver, or
//          socat UDP4-RECVFROM:5000,bind=127.0.0.1,fork PIPE
// Try:     echo hello | ./build/ch02/udp 127.0.0.1 5000   (then Ctrl-C)
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"  // wb::strip

const wb::Spec spec{.synopsis = "HOST PORT", .min_args = 2, .max_args = 2,
                    .help = "  PORT  a number, or a UDP service name such as echo"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];

        wb::Fd s(wb::check("socket", ch02::client_socket(SOCK_DGRAM)));
        unsigned port = wb::command_line_port("PORT", args[1], "udp");  // getservbyname(name, "udp")

        // No packet is sent: connect() only records the peer's address.
        ch02::Address addr = ch02::lookup(host, port, SOCK_DGRAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));

        std::cout << "Enter data to transmit: " << std::endl;
        std::string line;
        std::getline(std::cin, line);
        std::string data = wb::strip(line);
        // One send() is one datagram; on a connected socket no address is needed.
        wb::check("send", send(s.get(), data.data(), data.size(), 0));
        wb::check("shutdown", shutdown(s.get(), SHUT_WR));

        wb::stop_on_interrupt();  // before we say so: a quick Ctrl-C ends us cleanly too
        std::cout << "Looking for replies; press Ctrl-C or Ctrl-Break to stop." << std::endl;
        while (wb::wait_readable(s.get())) {
            char buf[2048];  // a longer datagram is cut to 2048 bytes, as in the book
            ssize_t got = recv(s.get(), buf, sizeof buf, 0);
            if (got < 0 && errno == ECONNREFUSED) {
                // The ICMP "port unreachable": nothing listens there.
                std::cerr << "Error receiving data: " << wb::errno_text(errno) << '\n';
                return 1;
            }
            wb::check("recv", got);
            std::cout << "Received: " << std::string(buf, static_cast<size_t>(got)) << std::endl;
        }
        return 0;  // Ctrl-C: the student has seen enough
    });
}
