// ch03/syslogserver.cpp: the error-handling server, logging through syslog.
// Book: section 3.6.1 Using syslog in Python (在Python中使用syslog), added by this workbook
//
// errorserver.cpp reports on its terminal; a server started at boot has none.
// This one runs the same loop (serve_forever() in serverloop.hpp) as a line
// echo service, and what it would have printed goes to syslog instead:
// facility LOG_DAEMON; LOG_NOTICE for start and stop, LOG_INFO for each
// client and each line, LOG_ERR for errors. openlog()'s LOG_PID option adds
// the process id to the tag ("syslogserver[4242]:"). What a peer sends is
// logged escaped (\n, \r, \xNN), so it cannot forge a log line of its own.
//
// Usage:   syslogserver [--port PORT]      (default port 51423)
// Partner: any TCP client (nc), and the system's syslog daemon.
// Try:     ./build/ch03/syslogserver &  then  echo hi | nc -q1 localhost 51423;
//          grep syslogserver /var/log/syslog
#include <syslog.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "program.hpp"
#include "serverloop.hpp"
#include "socketfile.hpp"

const wb::Spec spec{
    .synopsis = "[--port PORT]",
    .options = {"--port"},
    .help = "  --port PORT  the port to listen on (default 51423; 0 = any free port)"};

// Text a peer sent, made safe for one log line: printable ASCII stays, the
// rest becomes \n, \r, \t, \xNN; a backslash becomes \\ so that escapes
// cannot be forged either.
std::string escape(std::string_view text) {
    std::string safe;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '\\')
            safe += "\\\\";
        else if (c == '\n')
            safe += "\\n";
        else if (c == '\r')
            safe += "\\r";
        else if (c == '\t')
            safe += "\\t";
        else if (byte < 0x20 || byte >= 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            safe += hex;
        } else {
            safe += c;
        }
    }
    return safe;
}

// Echo each line back, logging it (without its line ending), until EOF.
void serve(int clientsock) {
    std::string peer = peername(clientsock);
    syslog(LOG_INFO, "Got connection from %s", peer.c_str());
    try {
        wb::SocketFile file(clientsock, 1024);  // a longer line comes in 1024-byte pieces
        for (std::string line = file.readline(); !line.empty(); line = file.readline()) {
            file.write(line);
            file.flush();
            std::string_view text = line;
            if (text.ends_with('\n')) text.remove_suffix(1);
            if (text.ends_with('\r')) text.remove_suffix(1);
            syslog(LOG_INFO, "%s sent: %s", peer.c_str(), escape(text).c_str());
        }
        syslog(LOG_INFO, "Connection from %s closed", peer.c_str());
    } catch (const std::exception& e) {
        if (!wb::interrupted())
            syslog(LOG_ERR, "Error serving %s: %s", peer.c_str(), wb::describe(e).c_str());
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        openlog(wb::program_name().c_str(), LOG_PID, LOG_DAEMON);
        wb::Fd s = open_server(args, SOCK_STREAM);
        syslog(LOG_NOTICE, "Started on port %u.", wb::bound_port(s.get()));
        serve_forever(s.get(), serve, [](const std::exception& e) {
            syslog(LOG_ERR, "Error: %s", wb::describe(e).c_str());
        });
        syslog(LOG_NOTICE, "%s", "Terminating.");
        closelog();
        return 0;
    });
}
