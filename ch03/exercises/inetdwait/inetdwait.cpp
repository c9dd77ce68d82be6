// ch03/exercises/inetdwait/inetdwait.cpp: a TCP "wait" service that accepts its own clients.
// Book: chapter 3, section "Using inetd or xinetd" (extends inetdsocket.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you. A superserver in
// "wait" mode hands this program the listening socket itself (xinetd on
// fd 0; systemd-socket-activate on fd 3 with LISTEN_FDS=1). Find it, accept
// clients, answer each with `Hello, ('ADDR', PORT)` and a newline, close,
// and exit once no client has come for --idle seconds. README.md has the
// exact output and exit statuses.
//
// Usage:   inetdwait [--idle SECONDS]    (default 10; the listening socket on fd 0 or fd 3)
// Partner: xinetd (wait = yes) or systemd-socket-activate, and any TCP client (nc).
// Try:     systemd-socket-activate -l 127.0.0.1:51423 ./build/ch03/exercises/inetdwait --idle 5
//          then  nc 127.0.0.1 51423   (several times, within 5 s)
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--idle SECONDS]",
                    .options = {"--idle"},
                    .help =
                        "  --idle SECONDS  exit after this long without a client (default 10)\n"
                        "  the listening socket: fd 0 (xinetd, wait = yes) or fd 3 (LISTEN_FDS=1)"};

// TODO: is `fd` a listening socket? getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, ...)
bool listening(int fd) {
    (void)fd;
    return false;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const int idle_ms = static_cast<int>(args.number("--idle", 10, 0.01, 86400) * 1000);
        (void)idle_ms;

        // TODO: the listening socket: fd 3 when LISTEN_FDS=1 and LISTEN_PID
        //       is this process (getenv, getpid), else fd 0 if listening().
        //       Neither: one line on stderr and return 2.
        // TODO: loop: poll() the socket for at most idle_ms; nothing came:
        //       return 0. Else accept() (keep the client's address), send
        //       "Hello, " + wb::format_address(...) + "\n", close.
        // TODO: a client that hangs up early must not end the program.
        std::cerr << wb::program_name() << ": not written yet\n";
        return 1;
    });
}
