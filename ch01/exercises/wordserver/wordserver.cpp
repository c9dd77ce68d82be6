// ch01/exercises/wordserver/wordserver.cpp: count the characters and words of each line a client sends.
// Book: chapter 1, section "Basic Server Operation" (extends server.py; an exercise, not in the book)
//
// Your starting point. The listening side is done (the steps of
// ch01/server.cpp, through wb::bind_any): it accepts clients one at a time
// and calls serve_client() for each. serve_client() is yours: answer each
// line with `N characters, M words` (LF after each reply), `quit` with
// `Bye.`, a line over 64 KiB with `Line too long.`, as README.md says.
//
// Usage:   wordserver [--port PORT]      (default port 51423; 0 = any free port)
// Partner: any line-oriented client: nc, telnet, or a test's raw socket.
// Try:     ./build/ch01/exercises/wordserver --port 0 &  then  nc localhost PORT
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

void serve_client(int clientsock) {
    wb::SocketFile clientfile(clientsock);  // the book's makefile(): readline(), write(), flush()
    // TODO: read lines until the client hangs up (readline() returns "").
    // TODO: remove the line end (LF or CR LF), then answer
    //       "N characters, M words\n"; flush() sends what write() buffered.
    // TODO: `quit` gets "Bye.\n" and the end of the conversation (return).
    // TODO: a line over 64 KiB gets "Line too long.\n" and the end; never
    //       hold more than about 64 KiB (see SocketFile's max_line).
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // socket, SO_REUSEADDR, bind and listen, as ch01/server.cpp spells them out.
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM);

        wb::stop_on_interrupt();  // Ctrl-C: see wb::wait_readable
        std::cout << "Server is running on port " << wb::bound_port(s.get())
                  << "; press Ctrl-C to terminate." << std::endl;

        while (wb::wait_readable(s.get())) {
            wb::Fd clientsock(accept(s.get(), nullptr, nullptr));
            if (!clientsock.valid()) {
                std::cerr << "Error accepting a client: " << wb::errno_text(errno) << '\n';
                continue;
            }
            // TODO: a client that resets the connection makes serve_client()
            //       throw wb::SystemError: report it and serve the next client.
            serve_client(clientsock.get());
        }
        return 0;
    });
}
