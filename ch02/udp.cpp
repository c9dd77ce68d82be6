// ch02/udp.cpp: send one UDP datagram and print every datagram that comes back.
// Book: section 2.5 Using User Datagram Protocol (使用UDP), udp.py
//
// connect() on a UDP socket sends no packet: it fixes the peer, so that
// send() and recv() need no address, the kernel drops datagrams from anyone
// else, and an ICMP "port unreachable" comes back as ECONNREFUSED at recv().
// The program sends one stripped line as one datagram, then prints
// `Received: DATA` (up to 2048 bytes of each) for every reply, until Ctrl-C.
//
// Usage:   udp HOST PORT   (PORT: a number or a UDP service name)
// Partner: any UDP echo server: ch03/udpechoserver, or
//          socat UDP4-RECVFROM:5000,bind=127.0.0.1,fork PIPE
// Try:     echo hello | ./build/ch02/udp 127.0.0.1 5000   (then Ctrl-C)
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client_socket.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"  // wb::strip

const wb::Spec spec{.synopsis = "HOST PORT",
                    .min_args = 2,
                    .max_args = 2,
                    .help = "  PORT  a number, or a UDP service name such as echo"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];

        wb::Fd s(wb::check("socket", ch02::client_socket(SOCK_DGRAM)));
        unsigned port =
            wb::command_line_port("PORT", args[1], "udp");  // getservbyname(name, "udp")

        // No packet is sent: connect() only records the peer's address.
        ch02::Address addr = ch02::first_address(host, port, SOCK_DGRAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));

        std::cout << "Enter data to transmit: " << std::endl;
        std::string line;
        std::getline(std::cin, line);
        std::string data = wb::strip(line);
        // One send() is one datagram; on a connected socket no address is needed.
        wb::check("send", send(s.get(), data.data(), data.size(), 0));
        wb::check("shutdown", shutdown(s.get(), SHUT_WR));  // for UDP a local note: no packet

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
