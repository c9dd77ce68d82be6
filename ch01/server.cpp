// ch01/server.cpp: a basic TCP server that greets each client in turn.
// Book: section 1.5.1.4 Basic Server Operation (基本服务器操作), server.py
//
// The server's side of a connection: create a socket, allow quick reuse of
// the port (SO_REUSEADDR), bind it to a port on every interface, listen, and
// accept clients one at a time. Each client is greeted with its own address,
// asked for a string, told its length, and disconnected. Where the program
// differs from the book (IPv6 too, --port 0, a bad client does not stop it,
// Ctrl-C) a comment says so; ch01/README.md lists the differences.
//
// Usage:   server [--port PORT]      (default port 51423)
// Partner: any line-oriented client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch01/server &  then  nc localhost 51423
#include <netinet/in.h>
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

void serve_client(int clientsock, const std::string& clientaddr) {
    wb::SocketFile clientfile(clientsock);  // the book's makefile('rw', 0)
    clientfile.write("Welcome, " + clientaddr + "\n");
    clientfile.write("Please enter a string: ");
    clientfile.flush();
    // readline() returns at most 64 KiB: a longer line is cut there, so a
    // client cannot make the server hold an endless line in memory.
    std::string line = wb::strip(clientfile.readline());  // Python's .strip()
    clientfile.write("You entered " + std::to_string(line.size()) + " characters.\n");
    clientfile.flush();
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 51423);

        // The book uses AF_INET. An AF_INET6 socket with IPV6_V6ONLY turned
        // off accepts both IPv6 and IPv4 clients on one port.
        wb::Fd s(wb::check("socket", socket(AF_INET6, SOCK_STREAM, 0)));
        int on = 1, off = 0;
        wb::check("setsockopt", setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
        wb::check("setsockopt", setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off));

        sockaddr_in6 addr = {};
        addr.sin6_family = AF_INET6;
        addr.sin6_addr = in6addr_any;  // the book's host = '': every interface
        addr.sin6_port = htons(static_cast<uint16_t>(port));
        if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
            throw wb::SystemError("bind to port " + std::to_string(port), errno);
        wb::check("listen", listen(s.get(), 1));

        // From here on Ctrl-C ends the loop below instead of killing us; set
        // up before the banner, so a partner that reacts to it is covered.
        wb::stop_on_interrupt();

        // With --port 0 the system chose the port: ask which one.
        socklen_t len = sizeof addr;
        wb::check("getsockname", getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len));
        std::cout << "Server is running on port " << ntohs(addr.sin6_port)
                  << "; press Ctrl-C to terminate." << std::endl;

        // Wait for a client (or Ctrl-C), then accept() it: see wb::wait_readable
        // for why we do not call accept() straight away.
        while (wb::wait_readable(s.get())) {
            sockaddr_storage client = {};
            socklen_t clientlen = sizeof client;
            wb::Fd clientsock(accept(s.get(), reinterpret_cast<sockaddr*>(&client), &clientlen));
            if (!clientsock.valid()) {
                // A client that gave up while waiting in the queue, for one:
                // report it and wait for the next.
                std::cerr << "Error accepting a client: " << wb::errno_text(errno) << '\n';
                continue;
            }
            try {
                serve_client(clientsock.get(), wb::format_address(client, clientlen));
            } catch (const wb::SystemError& e) {
                // A client that vanished mid-conversation: report it, go on.
                // (After Ctrl-C the read stops with EINTR: nothing to report.)
                if (!wb::interrupted())
                    std::cerr << "Error serving client: " << e.call() << ": " << e.what() << '\n';
            }
            // clientsock closes itself here, as the book's clientsock.close()
        }
        return 0;
    });
}
