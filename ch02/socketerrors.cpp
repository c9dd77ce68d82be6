// ch02/socketerrors.cpp: an HTTP client that reports every kind of error.
// Book: section 2.4.1 Socket Exceptions (socket异常), socketerrors.py
//
// Each step of a client can fail in its own way, and a good client says
// which step failed and why, in one line, instead of crashing: socket(),
// the port, getaddrinfo() (Python's socket.gaierror: a non-zero EAI_* code),
// connect(), send(), recv() (socket.error: -1 and errno). Each step below
// has its own check and throws the book's line; main() prints it, exit 1.
//
// Usage:   socketerrors HOST PORT PATH   (PORT: a number or a name like http)
// Partner: any web server; the tests use nginx.
// Try:     ./build/ch02/socketerrors 127.0.0.1 8080 /   (with python3 -m http.server 8080)
//          ./build/ch02/socketerrors 127.0.0.1 nosuchport /
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <string>

#include "client_socket.hpp"  // ch02::AddrinfoList
#include "errors.hpp"
#include "failure.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "HOST PORT PATH",
                    .min_args = 3,
                    .max_args = 3,
                    .help = "  PORT  a number, or a service name such as http"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string& host = args[0];
        const std::string& textport = args[1];
        const std::string& filename = args[2];
        try {
            // 1. The socket. Rare to fail: out of file descriptors (EMFILE),
            // or a kernel without the address family. AF_INET6 as in
            // connect.cpp, with IPV6_V6ONLY off so that IPv4 hosts are reachable too.
            int family = AF_INET6;
            wb::Fd s(socket(AF_INET6, SOCK_STREAM, 0));
            if (!s.valid() && errno == EAFNOSUPPORT) {  // no IPv6: the book's AF_INET
                family = AF_INET;
                s.reset(socket(AF_INET, SOCK_STREAM, 0));
            }
            if (!s.valid())
                throw ch02::Failure("Strange error creating socket", wb::errno_text(errno));
            int off = 0;
            if (family == AF_INET6 &&
                setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
                throw ch02::Failure("Strange error creating socket", wb::errno_text(errno));

            // 2. The port: a number, or a name that getservbyname(textport,
            // "tcp") finds in /etc/services. parse_port() throws Python's text.
            unsigned port = 0;
            try {
                port = wb::parse_port(textport, "tcp");
            } catch (const std::invalid_argument& e) {
                throw ch02::Failure("Couldn't find your port", e.what());
            }

            // 3. Python's s.connect((host, port)) is two steps, each with its
            // own kind of failure. The name lookup (socket.gaierror): IPv6
            // addresses and IPv4 ones as mapped addresses (::ffff:a.b.c.d),
            // for our IPv6 socket; we try the first, as Python's connect() does.
            addrinfo hints = {};
            hints.ai_family = family;
            hints.ai_socktype = SOCK_STREAM;
            hints.ai_flags = AI_V4MAPPED | AI_ALL;
            addrinfo* found = nullptr;
            int code = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
            if (code != 0)
                throw ch02::Failure("Address-related error connecting to server",
                                    wb::gai_text(code));
            ch02::AddrinfoList list(found);  // freeaddrinfo() when it goes out of scope
            // Then the handshake (socket.error): refused, unreachable, timed out.
            if (connect(s.get(), found->ai_addr, found->ai_addrlen) < 0)
                throw ch02::Failure("Connection error", wb::errno_text(errno));

            // 4. The request, whole: send() may take only part of it, so loop
            // (Python's sendall()). MSG_NOSIGNAL: a dead connection is EPIPE,
            // an error to report, not a SIGPIPE that kills us.
            std::string request = "GET " + filename + " HTTP/1.0\r\n\r\n";
            for (std::size_t sent = 0; sent < request.size();) {
                ssize_t n =
                    send(s.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR) continue;  // a signal, not an error
                if (n < 0) throw ch02::Failure("Error sending data", wb::errno_text(errno));
                sent += static_cast<std::size_t>(n);
            }

            // 5. The reply, 2048 bytes at a time, until the server closes the
            // connection (recv() returns 0: the expected end, not an error).
            for (;;) {
                char buf[2048];
                ssize_t got = recv(s.get(), buf, sizeof buf, 0);
                if (got < 0 && errno == EINTR) continue;  // a signal, not an error
                if (got < 0) throw ch02::Failure("Error receiving data", wb::errno_text(errno));
                if (got == 0) break;
                if (!wb::write_stdout(buf, static_cast<std::size_t>(got)))
                    throw ch02::Failure("Error writing output", wb::errno_text(errno));
            }
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';  // the book's print "...: %s" % e; sys.exit(1)
            return 1;
        }
        return 0;
    });
}
