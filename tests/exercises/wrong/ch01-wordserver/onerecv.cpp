// tests/exercises/wrong/ch01-wordserver/onerecv.cpp: takes what one recv() returns as one line.
// expect: stage 4: first difference at byte
// (the reference solution with that one mistake)
// Book: chapter 1, section "Basic Server Operation" (extends server.py; an exercise, not in the book)
//
// The book's server reads one line and hangs up. This one keeps the
// conversation going: it answers each line with `N characters, M words`
// until the client sends `quit` (answered `Bye.`) or hangs up. A line ends
// with LF or CR LF, and the count leaves the line end out. Replies end with
// a plain LF, as the book's server writes them; there is no greeting. A line
// longer than 64 KiB is answered `Line too long.` and the connection closed,
// so no client can make the server hold more than one such line in memory.
// Clients are served one at a time, as in the book; one that fails (resets,
// for one) is reported and the next is served; Ctrl-C ends the server.
//
// Usage:   wordserver [--port PORT]      (default port 51423; 0 = any free port)
// Partner: any line-oriented client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch01/exercises/solutions/wordserver &  then  nc localhost 51423
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <cstddef>
#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

constexpr std::size_t max_line =
    std::size_t{64} * 1024;  // the longest line served, its line end not counted

// "N characters, M words": characters are bytes; a word is a run of bytes
// that are not white space, as Python's line.split() finds them.
std::string count(const std::string& line) {
    std::size_t words = 0;
    bool in_word = false;
    for (unsigned char c : line) {
        bool space = std::isspace(c) != 0;
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    return std::to_string(line.size()) + " characters, " + std::to_string(words) + " words\n";
}

void serve_client(int clientsock) {
    // readline() returns at most max_line + 2 bytes: room for the longest
    // line and its CR LF. Anything longer comes back cut, without its LF,
    // and the server never holds more than that one piece.
    wb::SocketFile clientfile(clientsock, max_line + 2);
    for (;;) {
        std::string line = clientfile.read(max_line + 2);  // one recv(): one line (wrong)
        if (line.empty()) return;                          // the client hung up: end of file
        bool ended = line.back() == '\n';
        if (ended) {
            line.pop_back();                                            // LF
            if (!line.empty() && line.back() == '\r') line.pop_back();  // CR LF
        }
        if (line.size() > max_line) {
            clientfile.write("Line too long.\n");
            clientfile.flush();
            return;  // close with the rest unread: the kernel resets the connection
        }
        if (line == "quit") {
            clientfile.write("Bye.\n");
            clientfile.flush();
            return;
        }
        clientfile.write(count(line));
        clientfile.flush();
        // A last line without its line end comes just before the end of file:
        // the loop answers it, and the next readline() returns "".
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // socket, SO_REUSEADDR, bind and listen, as ch01/server.cpp spells them
        // out: one IPv6 socket that serves IPv4 clients too.
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM);

        wb::stop_on_interrupt();  // before the banner, so a quick Ctrl-C is clean too
        std::cout << "Server is running on port " << wb::bound_port(s.get())
                  << "; press Ctrl-C to terminate." << std::endl;

        // One client at a time, until Ctrl-C (see wb::wait_readable).
        while (wb::wait_readable(s.get())) {
            wb::Fd clientsock(accept(s.get(), nullptr, nullptr));
            if (!clientsock.valid()) {
                std::cerr << "Error accepting a client: " << wb::errno_text(errno) << '\n';
                continue;
            }
            try {
                serve_client(clientsock.get());
            } catch (const wb::SystemError& e) {
                // A client that reset the connection, for one: report it, go
                // on. (After Ctrl-C the read stops with EINTR: nothing to say.)
                if (!wb::interrupted())
                    std::cerr << "Error serving client: " << wb::describe(e) << '\n';
            }
        }
        return 0;
    });
}
