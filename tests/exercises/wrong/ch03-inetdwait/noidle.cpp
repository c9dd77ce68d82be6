// tests/exercises/wrong/ch03-inetdwait/noidle.cpp: waits in accept() for ever, so it never exits when idle.
// expect: stage 3: still running after 3 s
// (the reference solution with that one mistake)
// Book: chapter 3, section "Using inetd or xinetd" (extends inetdsocket.py; an exercise, not in the book)
//
// A superserver in "wait" mode does not accept: it hands the program the
// listening socket itself and waits until the program exits. xinetd
// (`wait = yes`) puts it on fd 0; systemd and systemd-socket-activate put it
// on fd 3 and say so in the environment (LISTEN_FDS=1, LISTEN_PID=our pid).
// getsockopt(SO_ACCEPTCONN) tells a listening socket from anything else.
// The program then accepts clients as any server does, answers each with
// `Hello, ('ADDR', PORT)` and closes, and exits once no client has come
// for --idle seconds: the superserver listens again and starts it afresh
// for the next client. A client that hangs up early is no reason to stop.
//
// Usage:   inetdwait [--idle SECONDS]    (default 10; the listening socket on fd 0 or fd 3)
// Partner: xinetd (wait = yes) or systemd-socket-activate, and any TCP client (nc).
// Try:     systemd-socket-activate -l 127.0.0.1:51423 ./build/ch03/exercises/solutions/inetdwait --idle 5
//          then  nc 127.0.0.1 51423   (several times, within 5 s)
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
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

// Is `fd` a listening socket? SO_ACCEPTCONN is 1 only after listen(); on
// anything that is not a socket getsockopt() fails (ENOTSOCK, EBADF).
bool listening(int fd) {
    int on = 0;
    socklen_t len = sizeof on;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on == 1;
}

// The socket the superserver passed: fd 3 when systemd's LISTEN_FDS is set
// for this process (LISTEN_PID, as sd_listen_fds() checks), else fd 0; -1
// when neither is a listening socket.
int passed_socket() {
    const char* fds = std::getenv("LISTEN_FDS");
    const char* pid = std::getenv("LISTEN_PID");
    if (fds != nullptr && pid != nullptr && std::string(fds) == "1" &&
        std::to_string(getpid()) == pid)
        return listening(3) ? 3 : -1;
    return listening(STDIN_FILENO) ? STDIN_FILENO : -1;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const int idle_ms = static_cast<int>(args.number("--idle", 10, 0.01, 86400) * 1000);

        const int s = passed_socket();
        if (s < 0) {
            std::cerr << wb::program_name()
                      << ": no listening socket on fd 0, and no LISTEN_FDS for this process"
                         " (run me from a superserver in wait mode)\n";
            return 2;
        }

        for (;;) {
            // Wait for a client, but not for ever: idle for --idle seconds
            // means the superserver may have its socket back.
            (void)idle_ms;  // accept() below waits as long as it takes

            sockaddr_storage peer = {};
            socklen_t peerlen = sizeof peer;
            wb::Fd client(accept(s, reinterpret_cast<sockaddr*>(&peer), &peerlen));
            if (!client.valid()) {
                // A client that gave up before we got to it, or a signal: go on.
                if (errno == ECONNABORTED || errno == EINTR) continue;
                throw wb::SystemError("accept", errno);
            }
            try {
                wb::send_all(client.get(), "Hello, " + wb::format_address(peer, peerlen) + "\n");
            } catch (const wb::SystemError&) {
                // The client hung up (EPIPE, ECONNRESET): its loss, not ours.
            }
            // `client` closes here, at the end of the loop: the client sees the end.
        }
    });
}
