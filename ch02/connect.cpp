// ch02/connect.cpp: create a TCP socket and connect it to a web server.
// Book: chapter 2, section "Creating Sockets" (connect.py)
//
// The two steps every TCP client starts with. socket() makes an endpoint
// that is not yet connected to anything; connect() looks for the server
// and does TCP's three-way handshake with it. When connect() returns, the
// connection is up, and nothing has been sent yet. The program prints what
// it is about to do, and `done.` after each step succeeds.
//
// Differences from the book:
// - an AF_INET6 socket instead of AF_INET, so both IPv6 and IPv4 servers
//   can be reached (ch02/client.hpp says how);
// - optional HOST and PORT arguments, for a class without the internet;
//   with none it connects to www.google.com port 80, as the book does.
// Like the book's program it has no error handling: a failure ends it with
// one line on stderr and exit 1.
//
// Usage:   connect [HOST [PORT]]
// Partner: any TCP server, such as a web server on port 80.
// Try:     ./build/ch02/connect
//          ./build/ch02/connect ::1 8080   (with python3 -m http.server 8080 --bind ::1)
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::connect_spec, [](const wb::Args& args) {
        std::string host = args.size() > 0 ? args[0] : "www.google.com";
        unsigned port = args.size() > 1 ? wb::command_line_port("PORT", args[1]) : 80;

        // Python 2's `print "...",` leaves the line open: flush it now, so
        // the student sees what the program is waiting for.
        std::cout << "Creating socket... " << std::flush;
        // The book's socket(AF_INET, SOCK_STREAM). AF_INET6 here: an IPv6
        // socket also reaches IPv4 hosts (ch02/client.hpp says how), once
        // IPV6_V6ONLY is off: it is on by default where the system sets
        // net.ipv6.bindv6only=1. The later programs call
        // ch02::client_socket(), which does the same.
        wb::Fd s(socket(AF_INET6, SOCK_STREAM, 0));
        if (!s.valid() && errno == EAFNOSUPPORT) {
            s.reset(wb::check("socket", socket(AF_INET, SOCK_STREAM, 0)));  // no IPv6
        } else {
            wb::check("socket", s.get());
            int off = 0;
            wb::check("setsockopt", setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
        }
        std::cout << "done.\n";

        std::cout << "Connecting to remote host... " << std::flush;
        // Python's s.connect((host, port)) looks the name up, then connects.
        // lookup() is the getaddrinfo() call; connect() is the handshake.
        ch02::Address addr = ch02::lookup(host, port, SOCK_STREAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));
        std::cout << "done.\n";
        return 0;
    });
}
