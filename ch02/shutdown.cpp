// ch02/shutdown.cpp: the HTTP client, closing its sending side with shutdown().
// Book: section 2.4.2 Missed Errors (遗漏的错误), shutdown.py
//
// send() succeeding means only that the kernel has taken the data; an error
// on the connection may surface at a later call, so a careful client makes
// one more call that can report it: shutdown(s, SHUT_WR), Python's
// s.shutdown(1), which also sends the server end of file (we can still read
// its reply). The sleep after connecting lets the student break the
// connection; ch02/README.md says which call then fails.
//
// Usage:   shutdown [--sleep SECONDS] HOST PORT PATH   (sleep: default 10 s)
// Partner: any web server; the tests use nginx and a server that resets.
// Try:     ./build/ch02/shutdown 127.0.0.1 8080 /   (stop the server while it sleeps)
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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, ch02::sleep_spec, [](const wb::Args& args) {
        double seconds = ch02::sleep_seconds(args);  // checked before we connect
        const std::string& filename = args[2];
        try {
            // socket(), the port, connect(): socketerrors.cpp's steps 1 to 3.
            wb::Fd s = ch02::open_connection(args[0], args[1]);

            std::cout << "sleeping..." << std::endl;
            std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
            std::cout << "Continuing." << std::endl;

            ch02::send_request(s.get(), filename);  // sendall(): `Error sending data: ...`

            // No more data from us: the server's read sees end of file.
            if (shutdown(s.get(), SHUT_WR) < 0)
                throw ch02::Failure("Error sending data (detected by shutdown)",
                                    wb::errno_text(errno));

            ch02::copy_reply(s.get());  // recv() until the server closes
        } catch (const ch02::Failure& e) {
            std::cerr << e.what() << '\n';  // the book's print "...: %s" % e; sys.exit(1)
            return 1;
        }
        return 0;
    });
}
