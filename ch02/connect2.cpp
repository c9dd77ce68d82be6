// ch02/connect2.cpp: connect to a web server, finding its port by name.
// Book: section 2.2.1 Finding the Port Number (旋转端口号), connect2.py
//
// Well-known services have well-known ports, listed by name in
// /etc/services. getservbyname("http", "tcp") looks the name up there and
// returns the port in network byte order, which ntohs() turns into 80, so
// the program need not hard-code the number.
//
// Usage:   connect2 [HOST [PORT]]   (default www.google.com, port from "http")
// Partner: any TCP server, such as a web server on port 80.
// Try:     ./build/ch02/connect2 127.0.0.1 8080   (with python3 -m http.server 8080)
//          grep -w ^http /etc/services
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <iostream>
#include <stdexcept>
#include <string>

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
        const servent* service = getservbyname("http", "tcp");
        if (service == nullptr) throw std::runtime_error("getservbyname: service/proto not found");
        unsigned port = ntohs(static_cast<uint16_t>(service->s_port));
        std::cout << "done.\n";
        if (args.size() > 1) port = given_port;  // the workbook's override

        std::cout << "Connecting to remote host on port " << port << "... " << std::flush;
        ch02::Address addr = ch02::first_address(host, port, SOCK_STREAM, s.get());
        wb::check("connect", connect(s.get(), addr.get(), addr.len));
        std::cout << "done.\n";
        return 0;
    });
}
