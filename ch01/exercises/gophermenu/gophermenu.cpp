// ch01/exercises/gophermenu/gophermenu.cpp: a Gopher menu, printed for a person.
// Book: chapter 1, section "Basic Client Operation" (exercise; extends gopherclient.py)
//
// gopherclient copies a menu to stdout as the server wrote it: tabs,
// selectors, hosts and ports. This program reads the menu a line at a time
// as it arrives and prints what a person wants to see: info lines (type i)
// as indented text, every other item numbered with its kind. README.md says
// exactly what to print, and what to do with a bad menu.
//
// Usage:   gophermenu [--port PORT] HOST [SELECTOR]
// Partner: any Gopher server; README.md runs gophernicus.
// Try:     ./workbook ex check ch01-gophermenu
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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        wb::Fd s = wb::connect_to(args[0], args.port("--port", 70));
        wb::SocketFile menu(s.get());  // readline(), write(), flush(): see gopherclient3.cpp

        // TODO: send the selector (args[1], or "" when there is none) and CR LF.

        // TODO: read the reply a line at a time with menu.readline(), and
        // print each line as soon as it is read:
        //   an info line (type i)   four spaces, then its display string
        //   any other item          "N. [KIND] DISPLAY", N counting from 1
        // and stop at the "." line, or when the server closes.

        // TODO: a bad line, or one cut off by the server, is an error naming
        // it: throw std::runtime_error("line 4: not a menu item (no tab)").
        return 0;
    });
}
