// ch02/socketerrors.cpp: an HTTP client that reports every kind of error.
// Book: chapter 2, section "Handling Errors" (socketerrors.py)
//
// Each step of a client can fail in its own way, and a good client says
// which step failed and why, in one line, instead of crashing:
//   socket()                        Strange error creating socket: ...
//   the port (a number or a name)   Couldn't find your port: ...
//   getaddrinfo() for the host      Address-related error connecting to server: ...
//   connect()                       Connection error: ...
//   send()                          Error sending data: ...
//   recv()                          Error receiving data: ...
// Python tells the first kinds apart by exception class (socket.gaierror
// for the name lookup, socket.error for the rest); in C++ each step is its
// own call with its own error code. The steps live in ch02/client.hpp,
// because shutdown.cpp and shutdownfile.cpp repeat them.
//
// The request is HTTP/1.0, so the server closes the connection after its
// reply: recv() returning 0 marks the end. The reply goes to stdout as is.
// Errors go to stderr (the book prints them on stdout), exit status 1.
//
// Usage:   socketerrors HOST PORT PATH    (PORT: a number or a name like http)
// Partner: any web server; the tests use nginx.
// Try:     ./build/ch02/socketerrors 127.0.0.1 8080 /
//          ./build/ch02/socketerrors 127.0.0.1 nosuchport /
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "client.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "HOST PORT PATH", .min_args = 3, .max_args = 3,
                    .help = "  PORT  a number, or a service name such as http"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];
        const std::string& textport = args[1];
        const std::string& filename = args[2];
        try {
            wb::Fd s = ch02::create_socket(SOCK_STREAM);          // socket()
            unsigned port = ch02::find_port(textport, "tcp");     // getservbyname()
            ch02::connect_server(s.get(), host, port);            // getaddrinfo(), connect()
            ch02::send_request(s.get(), filename);                // send()
            ch02::copy_reply(s.get());                            // recv() until 0
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';
            return 1;
        }
        return 0;
    });
}
