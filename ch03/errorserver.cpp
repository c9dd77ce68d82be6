// ch03/errorserver.cpp: a server that survives whatever its clients do.
// Book: chapter 3, section "Handling Errors" (errorserver.py)
//
// basicserver.cpp stops at the first error. A real server must not: a
// client that resets its connection before we look at it, a full process
// table, a close() that fails, none of these may end the service. The
// book's answer is three guards: around accept(), around the processing of
// the client, and around close(); each reports the error (Python prints a
// traceback) and the loop goes on. Only Ctrl-C ends the server.
//
// That loop is serve_forever() in serverloop.hpp, shared with echoserver
// and syslogserver; here it is given the processing step of the book: print
// the client's address, asked with getpeername(). That call is where a
// client that connects and resets at once shows up, as a line on stderr:
//
//   errorserver: getpeername: [Errno 107] Transport endpoint is not connected
//
// Differences from the book: IPv4 and IPv6 on one socket; `--port` (0 = any
// free port, announced as `Listening on port N.`); one line per error
// instead of a traceback.
//
// Usage:   errorserver [--port PORT]      (default port 51423)
// Partner: any TCP client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch03/errorserver &  then  nc localhost 51423 < /dev/null
#include <iostream>
#include <string>

#include "program.hpp"
#include "serverloop.hpp"

const wb::Spec spec{.synopsis = "[--port PORT]", .options = {"--port"},
                    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_STREAM);
        serve_forever(s.get(), [](int clientsock) {
            std::string peer = peername(clientsock);  // fails if the client reset
            std::cout << "Got connection from " << peer << std::endl;
            // Process the request here.
        });
        return 0;
    });
}
