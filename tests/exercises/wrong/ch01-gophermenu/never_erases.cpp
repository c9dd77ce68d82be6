// tests/exercises/wrong/ch01-gophermenu/never_erases.cpp: a known-wrong gophermenu: keeps every byte received in its own buffer.
// expect: stage 7: peak memory grew
// (A copy of ch01/exercises/solutions/gophermenu.cpp with that one mistake.)
//
// gopherclient copies a menu to stdout as the server wrote it: tabs,
// selectors, hosts and ports. A Gopher menu (RFC 1436) is one item a line,
// a type character and a display string, then the selector, host and port,
// separated by tabs; a line holding only "." ends it. This program reads the
// menu a line at a time as it arrives and prints what a person wants to see:
// info lines (type i) as indented text, every other item numbered with its
// kind. It never holds more than one line, so any menu takes the same memory.
//
// Usage:   gophermenu [--port PORT] HOST [SELECTOR]
// Partner: any Gopher server; the exercise's README runs gophernicus.
// Try:     ./build/ch01/exercises/solutions/gophermenu --port 7070 127.0.0.1
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST [SELECTOR]",
                    .min_args = 1,
                    .max_args = 2,
                    .options = {"--port"},
                    .help =
                        "  --port PORT  the server's port (default 70)\n"
                        "  SELECTOR     the menu to fetch (default: the root menu)"};

// What a person calls an item of this type.
std::string kind(char type) {
    switch (type) {
        case '0':
            return "text";
        case '1':
            return "menu";
        case '7':
            return "search";
        case '9':
            return "binary";
        case 'h':
            return "html";
        default:
            return std::string("type ") + type;
    }
}

void print(const std::string& text) {
    if (!wb::write_stdout(text.data(), text.size())) throw wb::SystemError("write", errno);
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = wb::connect_to(args[0], args.port("--port", 70));
        wb::send_all(s.get(), (args.size() > 1 ? args[1] : "") + "\r\n");

        // Lines are cut out of `reply`, which holds what recv() gave.
        // MISTAKE: nothing is ever erased from it, so it holds the whole menu.
        std::string reply;
        std::size_t start = 0;  // where the next line begins
        auto readline = [&]() {
            std::size_t nl = reply.find('\n', start);
            while (nl == std::string::npos &&
                   reply.size() - start < wb::SocketFile::default_max_line) {
                char buf[4096];
                ssize_t got = wb::check("recv", recv(s.get(), buf, sizeof buf, 0));
                if (got == 0) break;
                reply.append(buf, static_cast<std::size_t>(got));
                nl = reply.find('\n', start);
            }
            std::size_t end = nl == std::string::npos ? reply.size() : nl + 1;
            end = std::min(end, start + wb::SocketFile::default_max_line);
            std::string line = reply.substr(start, end - start);
            start = end;
            return line;
        };

        int items = 0;  // the number of the last item printed (info lines have none)
        for (int number = 1;; ++number) {
            std::string line = readline();  // at most 64 KiB: memory stays bounded
            if (line.empty()) break;  // the server closed after a whole line: no "." line, fine
            std::string where = "line " + std::to_string(number) + ": ";
            if (line.back() != '\n') {  // a piece: the line was cut off, or is too long
                if (line.size() == wb::SocketFile::default_max_line)
                    throw std::runtime_error(where + "longer than 64 KiB");
                throw std::runtime_error(
                    where + "the server closed the connection in the middle of the line");
            }
            line.pop_back();
            if (!line.empty() && line.back() == '\r') line.pop_back();  // CR LF, or a bare LF
            if (line == ".") break;  // the end of the menu: stop here, even if the server stays

            // The first field is the type character and the display string;
            // gophermenu needs nothing from the selector, host and port.
            std::size_t tab = line.find('\t');
            if (tab == std::string::npos)
                throw std::runtime_error(where + "not a menu item (no tab)");
            if (tab == 0) throw std::runtime_error(where + "not a menu item (no item type)");
            std::string display = line.substr(1, tab - 1);
            if (line[0] == 'i')
                print("    " + display + "\n");
            else
                print(std::to_string(++items) + ". [" + kind(line[0]) + "] " + display + "\n");
        }
        return 0;
    });
}
