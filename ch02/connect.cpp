// ch02/connect.cpp: create a TCP socket and connect it to a web server.
// Book: section 2.2 Creating Sockets (建立socket), connect.py
//
// The two steps every TCP client starts with. socket() makes an endpoint
// connected to nothing yet; connect() finds the server and does TCP's
// three-way handshake with it. `done.` follows each step that succeeds;
// like the book's program it handles no errors (a failure is one line).
//
// Usage:   connect [HOST [PORT]]   (default www.google.com 80, the book's)
// Partner: any TCP server, such as a web server on port 80.
// Try:     ./build/ch02/connect 127.0.0.1 8080   (with python3 -m http.server 8080)
//          ./build/ch02/connect ::1 8080   (with python3 -m http.server 8080 --bind ::1)
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client_socket.hpp"
#include "command_line.hpp"
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
        // socket also reaches IPv4 hosts, once IPV6_V6ONLY is off (it is on
        // by default where net.ipv6.bindv6only=1). The later programs call
        // ch02::client_socket(), which does the same.
        wb::Fd s(socket(AF_INET6, SOCK_STREAM, 0));
        if (!s.valid() && errno == EAFNOSUPPORT) {
            s.reset(wb::check("socket", socket(AF_INET, SOCK_STREAM, 0)));  // no IPv6
        } else {
            wb::check("socket", s.get());
            int off = 0;
            wb::check("setsockopt",
                      setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));
        }
        std::cout << "done.\n";

        std::cout << "Connecting to remote host... " << std::flush;
        // Python's s.connect((host, port)) looks the name up, then connects.
        // first_address() is the getaddrinfo() call; connect() the handshake.
        ch02::Address addr = ch02::first_address(host, port, SOCK_STREAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));
        std::cout << "done.\n";
        return 0;
    });
}
