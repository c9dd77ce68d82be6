// ch01/gopherclient2.cpp: the Gopher client, now catching a failed lookup.
// Book: section 1.5.1.2 Errors and Exceptions (错误和异常), gopherclient2.py
//
// The same request as gopherclient.cpp, but the connection step is guarded:
// when the server's name cannot be resolved, the program says so in one line
// instead of crashing. Python raises socket.gaierror; here wb::connect_to()
// (the getaddrinfo(), socket() and connect() that gopherclient.cpp spells
// out) throws wb::ResolverError, and we catch exactly that error. Any other
// failure (a refused connection, say) still ends the program the plain way.
//
// Usage:   gopherclient2 [--port PORT] HOST SELECTOR
// Partner: any Gopher server; `./workbook tour ch01` runs gophernicus.
// Try:     ./build/ch01/gopherclient2 nonexistent.invalid /
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST SELECTOR",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--port"},
                    .help = "  --port PORT  the server's port (default 70)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 70);
        const std::string& host = args[0];
        const std::string& filename = args[1];

        wb::Fd s;
        try {
            s = wb::connect_to(host, port);
        } catch (const wb::ResolverError& e) {
            std::cerr << "Error connecting to server: " << e.what() << '\n';
            return 1;
        }

        wb::send_all(s.get(), filename + "\r\n");

        char buf[2048];
        for (;;) {
            ssize_t got = wb::check("recv", recv(s.get(), buf, sizeof buf, 0));
            if (got == 0) break;  // the server closed the connection: done
            if (!wb::write_stdout_buffered(buf, static_cast<size_t>(got)))
                throw wb::SystemError("write", errno);
        }
        return 0;
    });
}
