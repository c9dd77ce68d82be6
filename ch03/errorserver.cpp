// ch03/errorserver.cpp: a server that survives whatever its clients do.
// Book: section 3.3 Handling Errors (处理错误), errorserver.py
//
// basicserver.cpp stops at the first error; a real server must not. A client
// that resets its connection before we look at it, a full process table, a
// close() that fails: none of these may end the service. The book's answer
// is three guards, one around each step of serving a client: accept(), the
// processing, close(). Each reports the error (Python prints a traceback;
// here one line on stderr) and the loop goes on. Only Ctrl-C ends it.
//
// Usage:   errorserver [--port PORT]      (default port 51423)
// Partner: any TCP client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch03/errorserver &  then  nc localhost 51423 < /dev/null
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_STREAM);  // socket, SO_REUSEADDR, bind, listen

        while (wb::wait_readable(s.get())) {  // a client, or Ctrl-C: then we stop
            wb::Fd clientsock;
            try {
                clientsock.reset(wb::check("accept", accept(s.get(), nullptr, nullptr)));
            } catch (const wb::SystemError& e) {
                if (e.code() != EINTR) report(e);  // EINTR: a signal, not an error
                continue;
            }

            // Process the connection.
            try {
                std::string peer = peername(clientsock.get());  // fails if the client reset
                std::cout << "Got connection from " << peer << std::endl;
                // Process the request here.
            } catch (const std::exception& e) {
                report(e);
            }

            // Close the connection. close() can fail too (EIO, EINTR).
            try {
                wb::check("close", close(clientsock.release()));
            } catch (const wb::SystemError& e) {
                report(e);
            }
        }
        return 0;
    });
}
