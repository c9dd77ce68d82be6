// tests/exercises/wrong/ch01-gopherwalk/no_type_check.cpp: a known-wrong gopherwalk: follows any item as if it were a menu.
// expect: stage 5: .*naming 'menu 1' and 'item
// (A copy of ch01/exercises/solutions/gopherwalk.cpp with that one mistake.)
//
// Each Gopher menu item says where its document lives: a selector, a host
// and a port, which may be another server's. This program starts at a
// server's root menu, follows item N of each menu in turn (numbered as
// gophermenu numbers them: info lines have no number) to the next menu, and
// copies the last item's document to stdout byte for byte, as gopherclient
// copies a reply: text, a menu or binary data with CR, LF and NUL bytes.
//
// Usage:   gopherwalk [--port PORT] HOST N...
// Partner: any Gopher server; the exercise's README runs gophernicus.
// Try:     ./build/ch01/exercises/solutions/gopherwalk --port 7070 127.0.0.1 1 2
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST N...",
                    .min_args = 2,
                    .max_args = 100,
                    .options = {"--port"},
                    .help =
                        "  --port PORT  the first server's port (default 70)\n"
                        "  N...         the item to follow in each menu, counting from 1"};

// Where a document lives, and what it is.
struct Item {
    char type;
    std::string selector, host;
    unsigned port;
};

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

// How errors name a menu: menu 2 ("/docs/" on 127.0.0.1 port 70)
std::string menu_name(int m, const Item& menu) {
    return "menu " + std::to_string(m) + " (\"" + menu.selector + "\" on " + menu.host + " port " +
           std::to_string(menu.port) + ")";
}

// Connects to the item's own host and port and sends its selector.
wb::Fd request(const Item& item) {
    wb::Fd s = wb::connect_to(item.host, item.port);
    wb::send_all(s.get(), item.selector + "\r\n");
    return s;
}

// Reads `menu` (the m-th of the walk) line by line, as gophermenu does, up to
// its item number n.
Item find_item(int m, const Item& menu, int n) {
    std::string name = menu_name(m, menu) + ": ";
    wb::Fd s = request(menu);
    wb::SocketFile file(s.get());
    int items = 0;
    for (int number = 1;; ++number) {
        std::string line = file.readline();
        if (line.empty()) break;  // closed after a whole line: the menu is over
        std::string where = name + "line " + std::to_string(number) + ": ";
        if (line.back() != '\n') throw std::runtime_error(where + "cut off, or longer than 64 KiB");
        line.pop_back();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == ".") break;
        std::vector<std::string> field;  // type+display, selector, host, port, ...
        for (std::size_t start = 0, tab = 0; tab != std::string::npos; start = tab + 1) {
            tab = line.find('\t', start);
            field.push_back(line.substr(start, tab - start));
        }
        if (field.size() < 2 || field[0].empty())
            throw std::runtime_error(where + "not a menu item");
        if (line[0] == 'i' || ++items != n) continue;

        std::string item = "item " + std::to_string(n);
        if (field.size() < 4) throw std::runtime_error(name + item + " has no host and port");
        try {
            return Item{line[0], field[1], field[2], wb::parse_port(field[3])};
        } catch (const std::invalid_argument&) {
            throw std::runtime_error(name + item + " has a bad port '" + field[3] + "'");
        }
    }
    throw std::runtime_error(name + "no item " + std::to_string(n) + " (it has " +
                             std::to_string(items) + ")");
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::vector<int> path;
        for (std::size_t i = 1; i < args.size(); ++i) {
            const std::string& n = args[i];
            bool digits =
                !n.empty() && n.size() <= 9 &&
                std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (!digits || std::stoi(n) < 1)
                throw wb::UsageError("bad N '" + n + "': expected a number from 1");
            path.push_back(std::stoi(n));
        }

        // Menu 1 is the root menu: the empty selector on HOST and PORT.
        Item at{'1', "", args[0], args.port("--port", 70)};
        for (std::size_t k = 0; k < path.size(); ++k) {
            Item next = find_item(static_cast<int>(k) + 1, at, path[k]);
            // MISTAKE: no check that the item is a menu before following it
            at = next;
        }

        // The document: every byte the server sends until it closes, as is.
        wb::Fd s = request(at);
        char buf[4096];
        for (;;) {
            ssize_t got = wb::check("recv", recv(s.get(), buf, sizeof buf, 0));
            if (got == 0) break;  // the server closed: the document is complete
            if (!wb::write_stdout(buf, static_cast<std::size_t>(got)))
                throw wb::SystemError("write", errno);
        }
        return 0;
    });
}
