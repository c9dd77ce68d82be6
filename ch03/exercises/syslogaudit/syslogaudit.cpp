// ch03/exercises/syslogaudit/syslogaudit.cpp: a TCP server that records every client's lines in syslog, safely.
// Book: chapter 3, section "Using syslog" (extends syslogsample.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you, and the server
// listens, announces its port and accepts clients one at a time. Record
// each client in syslog (ident "syslogaudit", facility --facility): its
// connection, every line it sends (escaped, cut at 1024 bytes), its
// closing, and errors at LOG_WARNING. README.md has the exact entries.
//
// Usage:   syslogaudit [--port PORT] [--facility NAME]   (default 51423, daemon)
// Partner: any TCP client (nc), and the system's syslog daemon (/dev/log).
// Try:     ./build/ch03/exercises/syslogaudit --port 0 &  then
//          printf 'hi\n\033[2Jx\n' | nc -q1 localhost PORT; grep syslogaudit /var/log/syslog
#include <sys/socket.h>
#include <syslog.h>

#include <cerrno>
#include <iostream>
#include <string>
#include <string_view>

#include "address.hpp"
#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT] [--facility NAME]",
    .options = {"--port", "--facility"},
    .help =
        "  --port PORT      the port to listen on (default 51423; 0 = any free port)\n"
        "  --facility NAME  daemon (default), user, or local0 to local7"};

// TODO: daemon, user, local0..local7 -> LOG_DAEMON, ...; anything else:
//       throw wb::UsageError("bad --facility ...").
int facility(const std::string& name) {
    (void)name;
    return LOG_DAEMON;
}

// TODO: printable ASCII stays; a backslash becomes \\; CR, LF, TAB become
//       \r, \n, \t; every other byte \xHH (two lower-case hex digits).
std::string escape(std::string_view text) { return std::string(text); }

// TODO: read the client's lines (wb::SocketFile, with a limit) until it
//       hangs up; log each without its LF or CR LF, escaped, cut at 1024
//       bytes with " [cut]"; drop the rest of a cut line.
void serve(int client, const std::string& peer) {
    (void)client;
    (void)peer;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        int where = facility(args.get("--facility", "daemon"));
        (void)where;
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM);
        // TODO: openlog() with the ident "syslogaudit" and the facility.
        wb::stop_on_interrupt();
        std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;

        while (wb::wait_readable(s.get())) {  // one client at a time, until Ctrl-C
            sockaddr_storage addr = {};
            socklen_t addrlen = sizeof addr;
            wb::Fd client(accept(s.get(), reinterpret_cast<sockaddr*>(&addr), &addrlen));
            if (!client.valid()) continue;  // TODO: log the error (not EINTR)
            std::string peer = wb::format_address(addr, addrlen);
            // TODO: log the connection, serve(), log its closing; an error
            //       while serving is logged at LOG_WARNING, and the next
            //       client is served.
            serve(client.get(), peer);
        }
        return 0;
    });
}
