// ch02/shutdownfile.cpp: the shutdown() client, writing through a file object.
// Book: chapter 2, section "Handling Errors" (shutdownfile.py)
//
// The same client as shutdown.cpp, but the request goes through a buffered
// file object (wb::SocketFile, Python's s.makefile()). write() puts the
// request in a buffer; flush() is the call that send()s it, so flush() is
// where a broken connection is found: `Error sending data (detected by
// flush): ...`. Only a request of 32 KiB or more (a very long PATH) makes
// write() send by itself; its failure is the book's `Error sending data:
// ...`. Forgetting flush() is the classic bug with file objects: the
// request would never leave the program.
//
// Then shutdown(s, SHUT_WR) as in shutdown.cpp, and the reply is read
// through the same file object in pieces of up to 2048 bytes. (The book
// also closes the socket there, because Python's file object keeps its own
// reference to it; our SocketFile uses the socket itself, which closes
// when the program ends.)
//
// Difference from the book: `--sleep SECONDS` shortens the 10 s wait.
// Errors go to stderr, exit status 1.
//
// Usage:   shutdownfile [--sleep SECONDS] HOST PORT PATH
// Partner: any web server; the tests use nginx and a server that resets.
// Try:     ./build/ch02/shutdownfile --sleep 1 127.0.0.1 8080 /
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "client.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::sleep_spec, [](const wb::Args& args) {
        double seconds = ch02::sleep_seconds(args);  // checked before we connect
        const std::string& filename = args[2];
        try {
            // socket(), the port, connect(): socketerrors.cpp's first steps.
            wb::Fd s = ch02::open_connection(args[0], args[1]);
            wb::SocketFile fd(s.get());  // the book's fd = s.makefile('rw', 0)

            ch02::sleep_like_the_book(seconds);  // sleeping... (10 s) Continuing.

            // write() fills the buffer; only once 32 KiB are waiting (a very
            // long PATH) does it send() them itself, and can fail, as Python's
            // file object can: the book catches that too.
            try {
                fd.write("GET " + filename + " HTTP/1.0\r\n\r\n");
            } catch (const wb::SystemError& e) {
                throw ch02::Failure("Error sending data", e);
            }
            try {
                fd.flush();  // the send() happens here
            } catch (const wb::SystemError& e) {
                throw ch02::Failure("Error sending data (detected by flush)", e);
            }

            if (shutdown(s.get(), SHUT_WR) < 0)
                throw ch02::Failure("Error sending data (detected by shutdown)",
                                    wb::SystemError("shutdown", errno));

            for (;;) {
                std::string buf;
                try {
                    buf = fd.read(2048);
                } catch (const wb::SystemError& e) {
                    throw ch02::Failure("Error receiving data", e);
                }
                if (buf.empty()) break;  // the server closed: the reply is complete
                if (!wb::write_stdout(buf.data(), buf.size())) throw ch02::output_failure();
            }
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';
            return 1;
        }
        return 0;
    });
}
