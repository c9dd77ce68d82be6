// ch03/inetdudpserver.cpp: a UDP service run by a superserver in "wait" mode.
// Book: section 3.5.5 Using UDP with inetd (通过inetd使用UDP), inetdudpserver.py
//
// For a datagram service the superserver cannot accept() anything: when a
// datagram arrives on its UDP socket, it starts the program with that very
// socket on fd 0 and, in "wait" mode, stops watching the socket until the
// program exits. The program reads the datagram with recvfrom(), connect()s
// the socket to the sender (so send() needs no address), and sends ten
// replies two seconds apart (--pause changes that), then a last line. No
// other client is served meanwhile; inetdwaitserver.cpp hands the port back.
//
// Usage:   inetdudpserver [--pause SECONDS]    (fd 0 is the service's UDP socket)
// Partner: a superserver (ch03/README.md configures them), any UDP client (nc -u).
// Try:     systemd-socket-activate -d -l 127.0.0.1:51423 --inetd ./build/ch03/inetdudpserver
//          then  echo hi | nc -u -w 30 127.0.0.1 51423
#include <sys/socket.h>
#include <unistd.h>

#include <string_view>

#include "errors.hpp"
#include "program.hpp"
#include "replies.hpp"

const wb::Spec spec{.synopsis = "[--pause SECONDS]", .options = {"--pause"}, .help = pause_help};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        double pause = pause_seconds(args);
        const int s = STDIN_FILENO;  // the book's socket.fromfd(sys.stdin.fileno(), ...)

        char message[8192];
        sockaddr_storage address = {};
        socklen_t addrlen = sizeof address;
        ssize_t got =
            wb::check("recvfrom", recvfrom(s, message, sizeof message, 0,
                                           reinterpret_cast<sockaddr*>(&address), &addrlen));
        wb::check("connect", connect(s, reinterpret_cast<sockaddr*>(&address), addrlen));

        send_replies(s, std::string_view(message, static_cast<size_t>(got)), pause);

        sockaddr unspec = {};
        unspec.sa_family = AF_UNSPEC;  // "disconnect": hear every client again
        wb::check("connect", connect(s, &unspec, sizeof unspec));
        return 0;
    });
}
