// ch01/gopherclient.cpp: a simple Gopher client, with no error handling.
// Book: section 1.5.1.1 Basic Client Operation (基本客户端操作), gopherclient.py
//
// The smallest useful network client: connect to a Gopher server on port 70,
// send one selector followed by CR LF, and copy everything the server sends
// back to stdout until the server closes the connection. Every socket call is
// spelled out here; later programs use common/ helpers for the same steps.
// Like the book's program it handles no error itself: an error ends it with
// one line on stderr (where Python prints a traceback) and exit status 1.
//
// Usage:   gopherclient [--port PORT] HOST SELECTOR
// Partner: any Gopher server; `./workbook tour ch01` runs gophernicus.
// Try:     ./build/ch01/gopherclient quux.org /
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST SELECTOR",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--port"},
                    .help = "  --port PORT  the server's port (default 70)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::string port = std::to_string(args.port("--port", 70));
        const std::string& host = args[0];
        const std::string& filename = args[1];

        // Python's s.connect((host, port)) looks the name up for us. In C++
        // getaddrinfo() does the lookup and may give several addresses (IPv4
        // and IPv6): we try each until one accepts the connection.
        addrinfo hints = {};
        hints.ai_family = AF_UNSPEC;      // IPv4 or IPv6, whichever the name has
        hints.ai_socktype = SOCK_STREAM;  // TCP
        addrinfo* found = nullptr;
        wb::check_gai("getaddrinfo", getaddrinfo(host.c_str(), port.c_str(), &hints, &found));
        std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);

        wb::Fd s;
        std::string failed = "connect";  // the call that failed last, and why
        int error = 0;
        for (addrinfo* ai = found; ai != nullptr && !s.valid(); ai = ai->ai_next) {
            s.reset(socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol));
            if (!s.valid()) {
                failed = "socket", error = errno;  // e.g. no IPv6 here: next address
            } else if (connect(s.get(), ai->ai_addr, ai->ai_addrlen) < 0) {
                failed = "connect", error = errno;
                s.reset();  // close it; try the next address
            }
        }
        if (!s.valid()) throw wb::SystemError(failed, error);

        // Send the selector and the CR LF that ends a Gopher request. send()
        // may take only part of it, so we call it until every byte is out:
        // that is what Python's s.sendall() does.
        std::string request = filename + "\r\n";
        for (size_t sent = 0; sent < request.size();)
            sent += static_cast<size_t>(
                wb::check("send", send(s.get(), request.data() + sent, request.size() - sent, 0)));

        // Copy the reply to stdout until recv() returns 0: the server closed.
        // 2048 bytes a recv() is the book's number (`./workbook bench` shows
        // what it costs); stdout gathers the pieces as Python's does.
        char buf[2048];
        for (;;) {
            ssize_t got = wb::check("recv", recv(s.get(), buf, sizeof buf, 0));
            if (got == 0) break;
            if (!wb::write_stdout_buffered(buf, static_cast<size_t>(got)))
                throw wb::SystemError("write", errno);  // stdout closed, disk full, ...
        }
        return 0;
    });
}
