// ch02/connect3.cpp: connect to a web server, then ask both ends' addresses.
// Book: section 2.2.2 Getting Information from a Socket (从socket获取信息), connect3.py
//
// A connected socket knows both of its ends. getsockname() gives our own
// address and the port the system picked for us (an "ephemeral" port: we
// never called bind()); getpeername() gives the server's address and port.
// They print as Python prints them: ('IP', PORT) for IPv4, and
// ('IP', PORT, FLOWINFO, SCOPEID) for IPv6.
//
// Usage:   connect3 [HOST [PORT]]   (default www.google.com, port from "http")
// Partner: any TCP server, such as a web server on port 80.
// Try:     ./build/ch02/connect3 ::1 8080   (with python3 -m http.server 8080 --bind ::1)
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "address.hpp"
#include "client_socket.hpp"
#include "command_line.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::connect_spec, [](const wb::Args& args) {
        std::string host = args.size() > 0 ? args[0] : "www.google.com";
        // The workbook's PORT, checked before anything is printed.
        unsigned given_port = args.size() > 1 ? wb::command_line_port("PORT", args[1]) : 0;

        std::cout << "Creating socket... " << std::flush;
        wb::Fd s(wb::check("socket", ch02::client_socket(SOCK_STREAM)));
        std::cout << "done.\n";

        std::cout << "Looking up port number... " << std::flush;
        // getservbyname("http", "tcp"), as connect2.cpp shows; a PORT given
        // on the command line is a number or another service name.
        unsigned port = args.size() > 1 ? given_port : wb::parse_port("http");
        std::cout << "done.\n";

        std::cout << "Connecting to remote host on port " << port << "... " << std::flush;
        ch02::Address addr = ch02::first_address(host, port, SOCK_STREAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));
        std::cout << "done.\n";

        // Each call fills in a sockaddr_storage (big enough for any family)
        // and says how much of it it used. An IPv4 peer of our IPv6 socket
        // is a mapped address (::ffff:a.b.c.d): printed as plain IPv4.
        sockaddr_storage ours = {}, theirs = {};
        socklen_t ourlen = sizeof ours, theirlen = sizeof theirs;
        wb::check("getsockname", getsockname(s.get(), reinterpret_cast<sockaddr*>(&ours), &ourlen));
        std::cout << "Connected from " << wb::format_address(ours, ourlen) << '\n';
        wb::check("getpeername",
                  getpeername(s.get(), reinterpret_cast<sockaddr*>(&theirs), &theirlen));
        std::cout << "Connected to " << wb::format_address(theirs, theirlen) << '\n';
        return 0;
    });
}
