// ch03/exercises/pollecho/pollecho.cpp: echoserver for many clients at once, with poll().
// Book: chapter 3, section "Avoiding Deadlock" (extends echoserver.py; an exercise, not in the book)
//
// Your starting point. The listening socket, the announcement and a
// ppoll() loop that Ctrl-C ends are done; for now the loop accepts each
// client and hangs up on it. Make it serve every client at once, in this one
// thread: non-blocking sockets, poll() over the listening socket and every
// client, a buffer per client of bytes read and not yet echoed, no reading
// from a client whose buffer holds 64 KiB, and accept()'s EMFILE reported
// without a busy loop, as README.md says.
//
// Usage:   pollecho [--port PORT]      (default port 51423; 0 = any free port)
// Partner: nc, echoclient-nodeadlock, or many at once.
// Try:     ./build/ch03/exercises/pollecho --port 0 &  then  nc localhost PORT
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

// TODO: a struct for one client: its socket (wb::Fd), the bytes read but
//       not yet sent back, whether it has shut down its sending side.

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // A long listen queue: 200 clients may knock at once.
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM, SOMAXCONN);
        // TODO: make the listening socket non-blocking (fcntl, O_NONBLOCK).
        wb::stop_on_interrupt();
        if (args.has("--port"))
            std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;

        // Ctrl-C is blocked except inside ppoll(): see wb::wait_readable().
        sigset_t interrupts, before;
        sigemptyset(&interrupts);
        sigaddset(&interrupts, SIGINT);
        sigaddset(&interrupts, SIGTERM);
        sigprocmask(SIG_BLOCK, &interrupts, &before);

        while (!wb::interrupted()) {
            std::vector<pollfd> fds{{s.get(), POLLIN, 0}};
            // TODO: one pollfd per client: POLLIN while it may send more,
            //       POLLOUT while it has echo waiting.
            if (ppoll(fds.data(), fds.size(), nullptr, &before) < 0) {
                if (errno == EINTR) continue;  // a signal: the loop checks for Ctrl-C
                throw wb::SystemError("ppoll", errno);
            }
            // TODO: for each ready client: recv() what fits, send() what
            //       waits; drop it at end of file once all is echoed, or on
            //       an error (report it in one line, serve the others).
            if (fds[0].revents & POLLIN) {
                wb::Fd client(accept(s.get(), nullptr, nullptr));
                // TODO: keep the client (non-blocking) instead of hanging up;
                //       on EMFILE say so and stop watching the listening
                //       socket until a client leaves.
            }
        }
        return 0;
    });
}
