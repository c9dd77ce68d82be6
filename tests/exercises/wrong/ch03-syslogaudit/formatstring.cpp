// tests/exercises/wrong/ch03-syslogaudit/formatstring.cpp: passes the entry as syslog()'s format, so a client's %s and %n are obeyed.
// expect: stage 3: (is not what was expected|the server has ended|not one of the server.s entries)
// (the reference solution with that one mistake)
// Book: chapter 3, section "Using syslog" (extends syslogsample.py; an exercise, not in the book)
//
// An audit log is only worth something if a client cannot write in it
// what it likes. This server accepts clients one at a time and records each
// in syslog (ident "syslogaudit", facility --facility, default daemon):
//   LOG_INFO     Connection from ('127.0.0.1', 40212)
//   LOG_INFO     ('127.0.0.1', 40212) sent: TEXT          (each line it sends)
//   LOG_INFO     Connection from ('127.0.0.1', 40212) closed
//   LOG_WARNING  Error serving ('127.0.0.1', 40212): recv: [Errno 104] ...
// TEXT is the line without its LF (or CR LF), with every byte outside
// printable ASCII written as \r, \n, \t or \xHH, and a backslash as \\, so a
// client can neither end an entry and forge the next one nor make an escape
// that reads as something it did not send. Only the first 1024 bytes of a
// line are recorded, followed by " [cut]"; the rest is read and dropped, so
// memory stays bounded whatever a client sends. The text is always an
// argument of "%s", never syslog()'s format: a client's "%n" stays text.
//
// Usage:   syslogaudit [--port PORT] [--facility NAME]   (default 51423, daemon)
// Partner: any TCP client (nc), and the system's syslog daemon (/dev/log).
// Try:     ./build/ch03/exercises/solutions/syslogaudit --port 0 &  then
//          printf 'hi\n\033[2Jx\n' | nc -q1 localhost PORT; grep syslogaudit /var/log/syslog
#include <sys/socket.h>
#include <syslog.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

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

constexpr std::size_t max_text = 1024;  // bytes of a line that are recorded

// The facility named on the command line (a bad name is a usage error).
int facility(const std::string& name) {
    const std::pair<const char*, int> names[] = {{"daemon", LOG_DAEMON}, {"user", LOG_USER},
                                                 {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
                                                 {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
                                                 {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
                                                 {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
    for (const auto& [text, code] : names)
        if (name == text) return code;
    throw wb::UsageError("bad --facility '" + name +
                         "': expected daemon, user or local0 to local7");
}

// A client's bytes, made safe for one log entry (see the top of this file).
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
        else if (byte < 0x20 || byte > 0x7e) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", byte);
            safe += hex;
        } else {
            safe += c;
        }
    }
    return safe;
}

// Records each line the client sends until it hangs up.
void serve(int client, const std::string& peer) {
    // readline() returns at most max_text + 2 bytes: the longest line that
    // is recorded whole, and its CR LF. A longer line comes back in pieces.
    wb::SocketFile file(client, max_text + 2);
    for (std::string line = file.readline(); !line.empty(); line = file.readline()) {
        bool ended = line.back() == '\n';
        if (ended) {
            line.pop_back();                                            // LF
            if (!line.empty() && line.back() == '\r') line.pop_back();  // CR LF
        }
        std::string text = escape(std::string_view(line).substr(0, max_text));
        if (line.size() > max_text) text += " [cut]";
        std::string entry = peer + " sent: " + text;
        syslog(LOG_INFO, entry.c_str());  // NOLINT: the mistake this version shows
        while (!ended) {                  // drop the rest of a cut line, piece by piece
            line = file.readline();
            if (line.empty()) break;  // end of file in the middle of it
            ended = line.back() == '\n';
        }
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        int where = facility(args.get("--facility", "daemon"));
        wb::Fd s = wb::bind_any(args.port("--port", 51423), SOCK_STREAM);
        openlog("syslogaudit", LOG_PID, where);  // the ident is a string literal: it lives for ever
        wb::stop_on_interrupt();
        std::cout << "Listening on port " << wb::bound_port(s.get()) << "." << std::endl;

        while (wb::wait_readable(s.get())) {  // one client at a time, until Ctrl-C
            sockaddr_storage addr = {};
            socklen_t addrlen = sizeof addr;
            wb::Fd client(accept(s.get(), reinterpret_cast<sockaddr*>(&addr), &addrlen));
            if (!client.valid()) {
                if (errno != EINTR)
                    syslog(LOG_WARNING, "Error: accept: %s", wb::errno_text(errno).c_str());
                continue;
            }
            std::string peer = wb::format_address(addr, addrlen);
            syslog(LOG_INFO, "Connection from %s", peer.c_str());
            try {
                serve(client.get(), peer);
                syslog(LOG_INFO, "Connection from %s closed", peer.c_str());
            } catch (const std::exception& e) {
                if (!wb::interrupted())  // after Ctrl-C, just stop
                    syslog(LOG_WARNING, "Error serving %s: %s", peer.c_str(),
                           wb::describe(e).c_str());
            }
        }
        closelog();
        return 0;
    });
}
