// tests/exercises/wrong/ch03-timeserver/ipv4only.cpp: binds AF_INET sockets, as the book does, so nothing answers on ::1.
// expect: stage 3: (refused|could not connect)
// (the reference solution with that one mistake)
// Book: chapter 3, section "Using UDP" (extends udptimeserver.py; an exercise, not in the book)
//
// RFC 868 offers the time both ways on the same port number: over UDP, any
// datagram gets a 4-byte answer; over TCP, the server sends the 4 bytes as
// soon as a client connects, then closes. Both are seconds since 1900,
// big-endian, and true (the book's server is a day late on purpose). One
// process serves both: poll() watches the listening TCP socket and the UDP
// socket and says which one has work, so a TCP client can never hold up a
// UDP one. Each socket is IPv6 with IPV6_V6ONLY off (wb::bind_any), so it
// serves IPv4 too. With --port 0 the UDP socket takes the port the system
// gave TCP; if someone has that UDP port, we try a new TCP port (10 tries).
//
// Usage:   timeserver [--port PORT]      (default port 51423; 0 = any free port)
// Partner: ch02's udptime (UDP); nc -d HOST PORT | od -An -tu1 (TCP).
// Try:     ./build/ch03/exercises/solutions/timeserver --port 0 &  then  ./build/ch02/udptime localhost PORT
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <string>

#include <netinet/in.h>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the TCP and UDP port (default 51423; 0 = any free port)"};

// Now, in seconds since 1900-01-01, as 4 bytes big-endian. The 32-bit count
// wraps in 2036 (RFC 868's own limit): we keep the low 32 bits.
uint32_t rfc868_now() {
    long long secs = std::time(nullptr) + 2208988800LL;  // 70 years from 1900 to 1970
    return htonl(static_cast<uint32_t>(secs));
}

// MISTAKE: the book's IPv4-only socket, bound to 0.0.0.0.
wb::Fd bind_ipv4(unsigned port, int type) {
    wb::Fd sock(wb::check("socket", socket(AF_INET, type, 0)));
    int on = 1;
    wb::check("setsockopt", setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw wb::SystemError("bind to port " + std::to_string(port), errno);
    if (type == SOCK_STREAM) wb::check("listen", listen(sock.get(), SOMAXCONN));
    return sock;
}

void set_nonblocking(int fd) {
    int flags = wb::check("fcntl", fcntl(fd, F_GETFL));
    wb::check("fcntl", fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

// TCP: a client is waiting to be accepted. It gets the time, then the end.
void answer_tcp(int tcp) {
    wb::Fd client(accept(tcp, nullptr, nullptr));
    if (!client.valid()) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // it went away: nothing to do
        throw wb::SystemError("accept", errno);
    }
    uint32_t now = rfc868_now();  // 4 bytes always fit in a new socket's buffer
    wb::check("send", send(client.get(), &now, sizeof now, MSG_NOSIGNAL));
    wb::check("close", close(client.release()));
}

// UDP: a datagram has come. Whatever it says, its sender gets the time.
void answer_udp(int udp) {
    char message[8192];  // what the client sent: read, and ignored
    sockaddr_storage address = {};
    socklen_t addrlen = sizeof address;
    ssize_t got =
        recvfrom(udp, message, sizeof message, 0, reinterpret_cast<sockaddr*>(&address), &addrlen);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // a false alarm
    wb::check("recvfrom", got);
    uint32_t now = rfc868_now();
    wb::check("sendto",
              sendto(udp, &now, sizeof now, 0, reinterpret_cast<sockaddr*>(&address), addrlen));
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 51423);
        wb::Fd tcp, udp;
        for (int tries = 1;; ++tries) {
            tcp = bind_ipv4(port, SOCK_STREAM);
            try {
                udp = bind_ipv4(wb::bound_port(tcp.get()), SOCK_DGRAM);
                break;
            } catch (const wb::SystemError& e) {
                // With --port 0, the UDP port of that number may be taken: try another.
                if (port != 0 || e.code() != EADDRINUSE || tries == 10) throw;
            }
        }
        // poll() said "ready", but a client may reset before accept(): never block.
        set_nonblocking(tcp.get());
        set_nonblocking(udp.get());
        wb::stop_on_interrupt();
        if (args.has("--port"))
            std::cout << "Listening on port " << wb::bound_port(tcp.get()) << "." << std::endl;

        // Ctrl-C is blocked except inside ppoll(): see wb::wait_readable().
        sigset_t interrupts, before;
        sigemptyset(&interrupts);
        sigaddset(&interrupts, SIGINT);
        sigaddset(&interrupts, SIGTERM);
        sigprocmask(SIG_BLOCK, &interrupts, &before);

        while (!wb::interrupted()) {
            pollfd fds[2] = {{tcp.get(), POLLIN, 0}, {udp.get(), POLLIN, 0}};
            if (ppoll(fds, 2, nullptr, &before) < 0) {
                if (errno == EINTR) continue;  // a signal: the loop checks for Ctrl-C
                throw wb::SystemError("ppoll", errno);
            }
            try {
                if (fds[0].revents & POLLIN) answer_tcp(tcp.get());
                if (fds[1].revents & POLLIN) answer_udp(udp.get());
            } catch (const wb::SystemError& e) {
                // A client that reset before accept(), say: report it, go on.
                std::cerr << wb::program_name() << ": " << wb::describe(e) << std::endl;
            }
        }
        return 0;
    });
}
