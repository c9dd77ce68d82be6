// ch03/echoserver.cpp: send every byte a client sends straight back.
// Book: section 3.7 Avoiding Deadlock (避免死锁), echoserver.py
//
// errorserver.cpp's loop (serve_forever() in serverloop.hpp), with a
// processing step that reads up to 4096 bytes with recv() and sends them
// back with sendall() until the client shuts its side down (recv() returns
// 0). The server never reads more until it has written what it read: if
// the client does not read its echo, the server's send() blocks, it stops
// reading, and the client's send() blocks in turn. echoclient.cpp runs
// into exactly that deadlock; echoclient-nodeadlock.cpp avoids it.
//
// Usage:   echoserver [--port PORT]      (default port 51423)
// Partner: echoclient, echoclient-nodeadlock, or nc.
// Try:     ./build/ch03/echoserver &  then  ./build/ch03/echoclient-nodeadlock
#include <sys/socket.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "errors.hpp"
#include "program.hpp"
#include "serverloop.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

void echo(int clientsock) {
    std::string peer = peername(clientsock);  // fails if the client reset
    std::cout << "Got connection from " << peer << std::endl;
    char data[4096];
    for (;;) {
        // Data, or Ctrl-C: a silent client must not hold up Ctrl-C.
        if (!wb::wait_readable(clientsock)) return;  // Ctrl-C: stop quietly
        ssize_t got = recv(clientsock, data, sizeof data, 0);
        if (got < 0 && errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
        wb::check("recv", got);
        if (got == 0) break;  // the client shut down its side: done
        wb::send_all(clientsock, {data, static_cast<size_t>(got)});
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = open_server(args, SOCK_STREAM);
        serve_forever(s.get(), echo);
        return 0;
    });
}
