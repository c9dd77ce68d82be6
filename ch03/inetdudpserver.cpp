// ch03/inetdudpserver.cpp: a UDP service run by a superserver in "wait" mode.
// Book: chapter 3, section "Using inetd or xinetd" (inetdudpserver.py)
//
// For a datagram service the superserver cannot accept() anything: when a
// datagram arrives on its UDP socket, it starts the program with that very
// socket on fd 0 and, in "wait" mode, stops watching the socket until the
// program exits. The program reads the datagram with recvfrom(), connect()s
// the socket to the sender (so send() needs no address), and sends ten
// replies two seconds apart, then a last line. While it runs, the service
// serves nobody else: the socket is connected to the first client, so the
// kernel drops a second client's datagram, and that client hears nothing.
// inetdwaitserver.cpp shows how to hand the port back early.
//
// A difference from the book: the socket belongs to the superserver too,
// and a connect()ed UDP socket accepts datagrams from that one peer only.
// The book's program leaves it connected, so after the first client the
// service would hear no one else. We undo the connect() at the end
// (connect() to AF_UNSPEC), and the next client is served.
//
// The pause between replies is the book's 2 seconds; --pause changes it.
// A datagram longer than 8192 bytes is cut there.
//
// inetd.conf:  51423 dgram udp wait root /usr/local/bin/inetdudpserver inetdudpserver
// xinetd:      socket_type = dgram, wait = yes (ch03/README.md has the block)
//
// Usage:   inetdudpserver [--pause SECONDS]    (fd 0 is the service's UDP socket)
// Partner: a superserver, and any UDP client (nc -u).
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
        ssize_t got = wb::check("recvfrom", recvfrom(s, message, sizeof message, 0,
                                                     reinterpret_cast<sockaddr*>(&address), &addrlen));
        wb::check("connect", connect(s, reinterpret_cast<sockaddr*>(&address), addrlen));

        send_replies(s, std::string_view(message, static_cast<size_t>(got)), pause);

        sockaddr unspec = {};
        unspec.sa_family = AF_UNSPEC;  // "disconnect": hear every client again
        wb::check("connect", connect(s, &unspec, sizeof unspec));
        return 0;
    });
}
