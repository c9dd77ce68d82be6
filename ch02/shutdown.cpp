// ch02/shutdown.cpp: the HTTP client, closing its sending side with shutdown().
// Book: chapter 2, section "Handling Errors" (shutdown.py)
//
// send() returning success means only that the kernel has taken the data,
// not that the server got it. The book's point: an error on the connection
// may surface only at a later call, so a careful client makes one more call
// that can report it. shutdown(s, SHUT_WR) (Python's s.shutdown(1)) tells
// the server "no more requests": TCP sends a FIN, and the server sees end of
// file while we can still read its reply.
//
// To let the student break the connection at the right moment, the program
// connects, prints `sleeping...`, waits 10 seconds, prints `Continuing.`,
// then sends. If the server resets the connection during the sleep, Linux
// remembers the reset and the very next call on the socket reports it: that
// is send(), so the line is `Error sending data: [Errno 104] Connection
// reset by peer`, not the shutdown() line the book expects (see
// ch02/README.md; the tests prove it). The other steps are socketerrors.cpp's.
//
// Difference from the book: `--sleep SECONDS` shortens (or lengthens) the
// wait. Errors go to stderr, exit status 1.
//
// Usage:   shutdown [--sleep SECONDS] HOST PORT PATH
// Partner: any web server; the tests use nginx and a server that resets.
// Try:     ./build/ch02/shutdown 127.0.0.1 8080 /   (stop the server while it sleeps)
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::sleep_spec, [](const wb::Args& args) {
        double seconds = ch02::sleep_seconds(args);  // checked before we connect
        const std::string& filename = args[2];
        try {
            // socket(), the port, connect(): socketerrors.cpp's first steps.
            wb::Fd s = ch02::open_connection(args[0], args[1]);

            ch02::sleep_like_the_book(seconds);  // sleeping... (10 s) Continuing.

            ch02::send_request(s.get(), filename);

            // No more data from us: the server's read sees end of file.
            if (shutdown(s.get(), SHUT_WR) < 0)
                throw ch02::Failure("Error sending data (detected by shutdown)",
                                    wb::SystemError("shutdown", errno));

            ch02::copy_reply(s.get());
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';
            return 1;
        }
        return 0;
    });
}
