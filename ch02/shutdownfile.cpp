// ch02/shutdownfile.cpp: the shutdown() client, writing through a file object.
// Book: section 2.4.3 Errors with File-Like Objects (文件类对象引起的错误), shutdownfile.py
//
// The same client as shutdown.cpp, with the request written and the reply
// read through a file object (wb::SocketFile, Python's s.makefile()). The
// book asks for buffer size 0, an unbuffered file: write() sends at once,
// so write() is where a broken connection is found. flush() has nothing
// left to send; the book calls it anyway, as a buffered file object needs
// it (forgetting it is the classic bug: the request never leaves).
//
// Usage:   shutdownfile [--sleep SECONDS] HOST PORT PATH   (sleep: default 10 s)
// Partner: any web server; the tests use nginx and a server that resets.
// Try:     ./build/ch02/shutdownfile --sleep 1 127.0.0.1 8080 /   (with python3 -m http.server 8080)
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "command_line.hpp"
#include "errors.hpp"
#include "failure.hpp"
#include "fd.hpp"
#include "http_get.hpp"
#include "program.hpp"
#include "socketfile.hpp"

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::sleep_spec, [](const wb::Args& args) {
        double seconds = ch02::sleep_seconds(args);  // checked before we connect
        const std::string& filename = args[2];
        try {
            // socket(), the port, connect(): socketerrors.cpp's steps 1 to 3.
            wb::Fd s = ch02::open_connection(args[0], args[1]);
            // The book's fd = s.makefile('rw', 0): buffer size 0, unbuffered.
            wb::SocketFile fd(s.get(), wb::SocketFile::default_max_line, 0);

            std::cout << "sleeping..." << std::endl;
            std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
            std::cout << "Continuing." << std::endl;

            try {
                fd.write("GET " + filename + " HTTP/1.0\r\n\r\n");  // the send() happens here
            } catch (const wb::SystemError& e) {
                throw ch02::Failure("Error sending data", e.what());
            }
            try {
                fd.flush();  // nothing left to send when unbuffered
            } catch (const wb::SystemError& e) {
                throw ch02::Failure("Error sending data (detected by flush)", e.what());
            }

            if (shutdown(s.get(), SHUT_WR) < 0)
                throw ch02::Failure("Error sending data (detected by shutdown)",
                                    wb::errno_text(errno));

            // The reply, in pieces of up to 2048 bytes, until the server closes.
            for (;;) {
                std::string buf;
                try {
                    buf = fd.read(2048);
                } catch (const wb::SystemError& e) {
                    throw ch02::Failure("Error receiving data", e.what());
                }
                if (buf.empty()) break;  // the server closed: the reply is complete
                if (!wb::write_stdout(buf.data(), buf.size()))
                    throw ch02::Failure("Error writing output", wb::errno_text(errno));
            }
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';  // the book's print "...: %s" % e; sys.exit(1)
            return 1;
        }
        return 0;
    });
}
