// ch03/echoclient-nodeadlock.cpp: echoclient's transfer, without the deadlock.
// Book: section 3.7 Avoiding Deadlock (避免死锁), added by this workbook
//
// echoclient.cpp hangs because it reads only after it has sent everything.
// This one reads while it writes: poll() on a non-blocking socket says when
// the echo can be read (POLLIN) and when the next 1024 bytes can be sent
// (POLLOUT). All 10 MiB must come back, every byte an x, else it is an error.
//
// Usage:   echoclient-nodeadlock [--port PORT] [HOST]   (default localhost, 51423)
// Partner: echoserver.
// Try:     ./build/ch03/echoserver &  then  ./build/ch03/echoclient-nodeadlock
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] [HOST]",
                    .max_args = 1,
                    .options = {"--port"},
                    .help =
                        "  --port PORT  the server's port (default 51423)\n"
                        "  HOST         the server (default localhost)"};

// A call on a non-blocking socket that cannot go on now fails with EAGAIN
// (or is interrupted by a signal): not an error, poll() will tell us when
// to try again. Returns the number of bytes moved, 0 for "not now".
size_t moved(const char* call, ssize_t result) {
    if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    return static_cast<size_t>(wb::check(call, result));
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string data(10485760, 'x');  // 10 MiB of data
        wb::Fd s =
            wb::connect_to(args.size() > 0 ? args[0] : "localhost", args.port("--port", 51423));
        int flags = wb::check("fcntl", fcntl(s.get(), F_GETFL));
        wb::check("fcntl", fcntl(s.get(), F_SETFL, flags | O_NONBLOCK));

        // The counter is for a person watching: on a terminal only, and at
        // most ten times a second (not once per 1024 bytes).
        const bool terminal = isatty(STDOUT_FILENO) != 0;
        auto shown = std::chrono::steady_clock::time_point();
        size_t byteswritten = 0, bytesread = 0;
        bool eof = false;
        char buf[8192];
        while (!eof) {
            pollfd watch = {.fd = s.get(), .events = POLLIN, .revents = 0};
            if (byteswritten < data.size()) watch.events |= POLLOUT;  // still sending
            if (poll(&watch, 1, -1) < 0) {
                if (errno == EINTR && !wb::interrupted()) continue;
                throw wb::SystemError("poll", errno);
            }

            if (watch.revents & (POLLIN | POLLERR | POLLHUP)) {  // the echo: read it
                ssize_t got = recv(s.get(), buf, sizeof buf, 0);
                if (got == 0) eof = true;  // the server closed: the whole echo is here
                auto piece = std::string_view(buf, moved("recv", got));
                if (piece.find_first_not_of('x') != std::string_view::npos)
                    throw std::runtime_error("the echo differs from what was sent, near byte " +
                                             std::to_string(bytesread));
                bytesread += piece.size();
            }

            if ((watch.revents & POLLOUT) && byteswritten < data.size()) {  // room: send
                size_t length = std::min<size_t>(1024, data.size() - byteswritten);
                byteswritten +=
                    moved("send", send(s.get(), data.data() + byteswritten, length, MSG_NOSIGNAL));
                if (byteswritten == data.size()) {
                    wb::check("shutdown", shutdown(s.get(), SHUT_WR));
                    std::printf("Wrote %zu bytes, received %zu bytes\nAll data sent.\n",
                                byteswritten, bytesread);
                    continue;
                }
            }
            auto now = std::chrono::steady_clock::now();
            if (terminal && byteswritten < data.size() &&
                now - shown >= std::chrono::milliseconds(100)) {
                std::printf("Wrote %zu bytes, received %zu bytes\r", byteswritten, bytesread);
                std::fflush(stdout);
                shown = now;
            }
        }

        if (bytesread != data.size())
            throw std::runtime_error("the server closed after " + std::to_string(bytesread) +
                                     " of " + std::to_string(data.size()) + " bytes");
        std::printf("Received %zu bytes back.\n", bytesread);
        return 0;
    });
}
