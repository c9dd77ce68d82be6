// ch03/basicserver.cpp: a server that accepts each client and hangs up.
// Book: section 3.2 Accepting Connections (接受连接), basicserver.py
//
// The four steps that prepare every TCP server (section 3.1), spelled out:
// socket(); setsockopt(SO_REUSEADDR), so that a restarted server can bind
// its port at once instead of waiting for old connections to leave the
// TIME_WAIT state; bind() to the port on every interface (the book's host
// ''); listen(), with a queue of 1. Then the endless loop of section 3.2:
// accept() a client, print who connected, close the connection.
//
// Usage:   basicserver [--port PORT]      (default port 51423)
// Partner: any TCP client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch03/basicserver &  then  nc localhost 51423
#include <netinet/in.h>
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 51423);

        // 1. The socket. The book's AF_INET becomes AF_INET6 here: with
        //    IPV6_V6ONLY off, one socket accepts IPv6 and IPv4 clients.
        wb::Fd s(wb::check("socket", socket(AF_INET6, SOCK_STREAM, 0)));

        // 2. The options: SO_REUSEADDR at the SOL_SOCKET level.
        int on = 1, off = 0;
        wb::check("setsockopt", setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
        wb::check("setsockopt", setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));

        // 3. bind() to the port on every interface (in6addr_any is '::').
        sockaddr_in6 addr = {};
        addr.sin6_family = AF_INET6;
        addr.sin6_addr = in6addr_any;
        addr.sin6_port = htons(static_cast<uint16_t>(port));
        if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
            throw wb::SystemError("bind to port " + std::to_string(port), errno);

        // 4. listen(), with room for one connection waiting to be accepted.
        //    (The book prints its line just before listen(); we print it
        //    just after, so a client that waits for the line can connect.)
        wb::check("listen", listen(s.get(), 1));
        wb::stop_on_interrupt();  // before we announce ourselves: Ctrl-C may come at once
        if (args.has("--port")) {
            socklen_t len = sizeof addr;  // with port 0 the system chose: ask which
            wb::check("getsockname",
                      getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len));
            std::cout << "Listening on port " << ntohs(addr.sin6_port) << "." << std::endl;
        }
        std::cout << "Waiting for connections..." << std::endl;

        // Wait for a client, or Ctrl-C (wb::wait_readable), then accept() it.
        while (wb::wait_readable(s.get())) {
            sockaddr_storage client = {};
            socklen_t clientlen = sizeof client;
            int clientsock = accept(s.get(), reinterpret_cast<sockaddr*>(&client), &clientlen);
            if (clientsock < 0) {
                if (errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
                throw wb::SystemError("accept", errno);
            }
            // accept()'s address: the book asks getpeername(), the same address
            // (errorserver.cpp shows how that call fails after a reset).
            std::cout << "Got connection from " << wb::format_address(client, clientlen)
                      << std::endl;
            close(clientsock);
        }
        return 0;
    });
}
