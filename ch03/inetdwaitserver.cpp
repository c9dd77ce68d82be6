// ch03/inetdwaitserver.cpp: a "wait" UDP service that frees its port at once.
// Book: section 3.5.5 Using UDP with inetd (通过inetd使用UDP), inetdwaitserver.py
//
// inetdudpserver.cpp keeps the superserver's socket for as long as it sends
// replies, so every other client waits. This one reads the first datagram,
// notes the socket's local address (getsockname()), gives the socket back
// and forks. The parent exits at once, so the superserver listens again. The
// child binds a socket of its own to the same address (SO_REUSEADDR lets two
// sockets share it), connect()s it to the sender and sends the replies:
// datagrams from that sender reach the child, anyone else's the superserver.
// So a second client is served while the first is still receiving.
//
// Usage:   inetdwaitserver [--pause SECONDS]   (fd 0 is the service's UDP socket)
// Partner: a superserver (ch03/README.md configures them), any UDP client (nc -u).
// Try:     see ch03/README.md: xinetd, then two `nc -u` clients at once.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "replies.hpp"

const wb::Spec spec{.synopsis = "[--pause SECONDS]", .options = {"--pause"}, .help = pause_help};

// Is `fd` the same open socket as `sock` (the superserver's copies on 1, 2)?
bool same_file(int fd, const struct stat& sock) {
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == sock.st_dev && st.st_ino == sock.st_ino;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        double pause = pause_seconds(args);

        char message[8192];
        sockaddr_storage address = {};
        socklen_t addrlen = sizeof address;
        ssize_t got =
            wb::check("recvfrom", recvfrom(STDIN_FILENO, message, sizeof message, 0,
                                           reinterpret_cast<sockaddr*>(&address), &addrlen));
        sockaddr_storage local = {};
        socklen_t locallen = sizeof local;
        wb::check("getsockname",
                  getsockname(STDIN_FILENO, reinterpret_cast<sockaddr*>(&local), &locallen));

        // Give the socket back: close fd 0, and point the other copies of
        // it (xinetd puts it on fds 1 and 2 too) at /dev/null, so that only
        // the superserver keeps it.
        struct stat sock;
        wb::check("fstat", fstat(STDIN_FILENO, &sock));
        int null = wb::check("open /dev/null", open("/dev/null", O_RDWR));
        for (int fd : {STDOUT_FILENO, STDERR_FILENO})
            if (same_file(fd, sock)) wb::check("dup2", dup2(null, fd));
        wb::check("dup2", dup2(null, STDIN_FILENO));  // closes the socket on fd 0
        close(null);

        pid_t pid = wb::check("fork", fork());
        if (pid > 0) return 0;  // the parent: done, the superserver takes over

        // The child: a socket of its own on the same address (IPv4 or IPv6,
        // as fd 0's), for this client.
        wb::Fd s(wb::check("socket", socket(local.ss_family, SOCK_DGRAM, 0)));
        int on = 1;
        wb::check("setsockopt", setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
        wb::check("bind", bind(s.get(), reinterpret_cast<sockaddr*>(&local), locallen));
        wb::check("connect", connect(s.get(), reinterpret_cast<sockaddr*>(&address), addrlen));

        send_replies(s.get(), std::string_view(message, static_cast<size_t>(got)), pause);
        return 0;
    });
}
