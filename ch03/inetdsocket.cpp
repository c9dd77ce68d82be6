// ch03/inetdsocket.cpp: an inetd server that uses its stdin as a socket.
// Book: section 3.5 Using inetd or xinetd (使用inetd或xinetd), inetdsocket.py
//
// What a superserver hands a "nowait" stream service on fd 0 is not just a
// stream: it is the connected TCP socket itself. So the program can call
// socket functions on fd 0: getpeername() tells who is connected, and
// send() writes to the client. (Python needs socket.fromfd() to wrap fd 0
// in a socket object; in C++ a socket simply is a file descriptor.) Run
// from a terminal, where fd 0 is no socket, it says so and exits 1:
//   inetdsocket: getpeername: [Errno 88] Socket operation on non-socket
//
// Usage:   inetdsocket            (fd 0 is the client's TCP socket)
// Partner: a superserver (ch03/README.md configures them), any TCP client.
// Try:     systemd-socket-activate -l 127.0.0.1:51423 -a --inetd ./build/ch03/inetdsocket
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{.help = "  fd 0 is the client's TCP socket (run it from a superserver)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args&) {
        const int s = STDIN_FILENO;  // the book's socket.fromfd(sys.stdin.fileno(), ...)

        sockaddr_storage peer = {};
        socklen_t peerlen = sizeof peer;
        wb::check("getpeername", getpeername(s, reinterpret_cast<sockaddr*>(&peer), &peerlen));

        std::time_t now = std::time(nullptr);
        // Python's time.asctime(), "Thu Dec  4 20:00:00 2026": strftime()
        // with that format (C's asctime() is the same plus a newline, but
        // writes into one static buffer for every caller)
        char local_time[64];
        std::strftime(local_time, sizeof local_time, "%a %b %e %H:%M:%S %Y", std::localtime(&now));

        wb::send_all(s, "Welcome.\n");
        wb::send_all(s, "According to our records, you are connected from " +
                            wb::format_address(peer, peerlen) + ".\n");
        wb::send_all(s, "The local time is " + std::string(local_time) + ".\n");
        return 0;
    });
}
