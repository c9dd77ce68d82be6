// tests/exercises/wrong/ch03-pollecho/blocking.cpp: leaves the client sockets blocking and sends the whole echo at once, so one client that does not read stops everyone.
// expect: stage 4: another client
// (the reference solution with that one mistake)
// Book: chapter 3, section "Avoiding Deadlock" (extends echoserver.py; an exercise, not in the book)
//
// One thread serves every client: poll() watches the listening socket and
// each connection, and the program only makes a call that poll() said can
// go on (the sockets are non-blocking, so a mistake returns EAGAIN instead
// of stopping everyone). Each client has its own buffer of bytes read but
// not yet echoed. Back-pressure keeps memory bounded: while a client's
// buffer holds 64 KiB we stop reading from it (no POLLIN) until its echo
// drains, so a client that sends and never reads only fills the kernel's
// buffers, and then its own send() blocks. At the descriptor limit accept()
// fails with EMFILE: we say so once and stop watching the listening socket
// until a client leaves (else poll() would wake us for ever). Ctrl-C ends it.
//
// Usage:   pollecho [--port PORT]      (default port 51423; 0 = any free port)
// Partner: nc, echoclient-nodeadlock, or many at once.
// Try:     ./build/ch03/exercises/solutions/pollecho --port 0 &  then  nc localhost PORT
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

constexpr std::size_t max_pending =
    std::size_t{64} * 1024;  // stop reading a client whose echo waits past this

struct Client {
    wb::Fd sock;
    std::string pending = {};  // read, not yet sent back
    bool eof = false;          // the client has shut down its sending side
};

void set_nonblocking(int fd) {
    int flags = wb::check("fcntl", fcntl(fd, F_GETFL));
    wb::check("fcntl", fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

void report(const char* call, int err) {
    std::cerr << wb::program_name() << ": " << call << ": " << wb::errno_text(err) << std::endl;
}

// One step for a client poll() found ready: read what fits, send what
// waits. Returns false when the connection is over (EOF and all echoed);
// an error (a reset, say) throws wb::SystemError.
bool serve(Client& c, short revents) {
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !c.eof && c.pending.size() < max_pending) {
        char data[16384];
        ssize_t got = recv(c.sock.get(), data, sizeof data, 0);
        if (got > 0) c.pending.append(data, static_cast<std::size_t>(got));
        if (got == 0) c.eof = true;  // the client shut down its side: echo the rest, then close
        if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            throw wb::SystemError("recv", errno);
    }
    if (!c.pending.empty()) {                   // try at once: there is usually room
        wb::send_all(c.sock.get(), c.pending);  // MISTAKE: blocks until the client reads
        c.pending.clear();
    }
    return !(c.eof && c.pending.empty());
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // A long listen queue: 200 clients may knock at once.
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM, SOMAXCONN);
        set_nonblocking(s.get());
        wb::stop_on_interrupt();
        if (args.has("--port"))
            std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;

        // Ctrl-C is blocked except inside ppoll(): see wb::wait_readable().
        sigset_t interrupts, before;
        sigemptyset(&interrupts);
        sigaddset(&interrupts, SIGINT);
        sigaddset(&interrupts, SIGTERM);
        sigprocmask(SIG_BLOCK, &interrupts, &before);

        std::vector<Client> clients;
        bool accepting = true;  // false while we are out of descriptors
        while (!wb::interrupted()) {
            // fds[0] is the listening socket, fds[i + 1] is clients[i].
            std::vector<pollfd> fds{{s.get(), static_cast<short>(accepting ? POLLIN : 0), 0}};
            for (const Client& c : clients) {
                short events = 0;
                if (!c.eof && c.pending.size() < max_pending) events |= POLLIN;  // back-pressure
                if (!c.pending.empty()) events |= POLLOUT;
                fds.push_back({c.sock.get(), events, 0});
            }
            if (ppoll(fds.data(), fds.size(), nullptr, &before) < 0) {
                if (errno == EINTR) continue;  // a signal: the loop checks for Ctrl-C
                throw wb::SystemError("ppoll", errno);
            }

            std::vector<bool> done(clients.size(), false);
            for (std::size_t i = 0; i < clients.size(); ++i) {
                if (fds[i + 1].revents == 0) continue;
                try {
                    done[i] = !serve(clients[i], fds[i + 1].revents);
                } catch (const wb::SystemError& e) {
                    report(e.call().c_str(), e.code());  // a reset, for one: drop this client only
                    done[i] = true;
                }
            }
            for (std::size_t i = clients.size(); i-- > 0;) {  // from the end: indexes stay valid
                if (!done[i]) continue;
                clients.erase(clients.begin() +
                              static_cast<std::ptrdiff_t>(i));  // closes its socket
                accepting = true;                               // a descriptor is free again
            }

            // New clients: accept all that wait.
            while (accepting && (fds[0].revents & POLLIN)) {
                sockaddr_storage addr = {};
                socklen_t len = sizeof addr;
                wb::Fd c(accept(s.get(), reinterpret_cast<sockaddr*>(&addr), &len));
                if (!c.valid()) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK) break;  // no one else waits
                    report("accept", errno);
                    // Out of descriptors (or memory): the client stays in the queue,
                    // and the socket stays readable. Stop watching it until one leaves.
                    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                        accepting = false;
                    break;  // ECONNABORTED and the like: try again at the next wake
                }
                std::cout << "Got connection from " << wb::format_address(addr, len) << std::endl;
                clients.push_back({std::move(c)});
            }
        }
        return 0;  // Ctrl-C: the Fds close every socket
    });
}
