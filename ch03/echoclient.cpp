// ch03/echoclient.cpp: a client that deadlocks with echoserver, on purpose.
// Book: section 3.7 Avoiding Deadlock (避免死锁), echoclient.py
//
// It sends 10 MiB of "x" in send() calls of 1024 bytes, printing its count
// after each (`Wrote N bytes` and a carriage return, so the count updates in
// place), then shuts down its sending side, prints `All data sent.` and only
// then starts to read the echo. Against echoserver.cpp the count stops below
// 10 MiB and stays there: both programs block in send(), each waiting for
// the other to read (ch03/README.md tells how). Press Ctrl-C to end it.
// echoclient-nodeadlock.cpp reads while it writes.
//
// Usage:   echoclient [--port PORT] [HOST]   (default localhost, port 51423)
// Partner: echoserver.
// Try:     ./build/ch03/echoserver &  then  ./build/ch03/echoclient > /dev/null
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <string>

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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        const std::string data(10485760, 'x');  // 10 MiB of data
        wb::Fd s =
            wb::connect_to(args.size() > 0 ? args[0] : "localhost", args.port("--port", 51423));

        size_t byteswritten = 0;
        while (byteswritten < data.size()) {
            size_t length = std::min<size_t>(1024, data.size() - byteswritten);
            byteswritten += static_cast<size_t>(
                wb::check("send", send(s.get(), data.data() + byteswritten, length, MSG_NOSIGNAL)));
            std::printf("Wrote %zu bytes\r", byteswritten);
            std::fflush(stdout);
        }

        wb::check("shutdown", shutdown(s.get(), SHUT_WR));  // the book's s.shutdown(1)

        std::printf("All data sent.\n");
        char buf[8192];
        for (;;) {
            ssize_t got = wb::check("recv", recv(s.get(), buf, sizeof buf, 0));
            if (got == 0) break;  // the server closed: the whole echo is here
            std::fwrite(buf, 1, static_cast<size_t>(got), stdout);
        }
        return 0;
    });
}
