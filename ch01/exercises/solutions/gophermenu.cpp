// ch01/exercises/solutions/gophermenu.cpp: a Gopher menu, printed for a person.
// Book: chapter 1, section "Basic Client Operation" (exercise; extends gopherclient.py)
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
        wb::SocketFile menu(s.get());
        menu.write((args.size() > 1 ? args[1] : "") + "\r\n");  // "" asks for the root menu
        menu.flush();

        int items = 0;  // the number of the last item printed (info lines have none)
        for (int number = 1;; ++number) {
            std::string line = menu.readline();  // at most 64 KiB: memory stays bounded
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
