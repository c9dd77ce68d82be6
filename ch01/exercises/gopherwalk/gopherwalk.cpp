// ch01/exercises/gopherwalk/gopherwalk.cpp: follow numbered items through Gopher menus.
// Book: chapter 1, section "Basic Client Operation" (exercise; extends gopherclient.py)
//
// Each Gopher menu item says where its document lives: a selector, a host
// and a port, which may be another server's. This program starts at a
// server's root menu, follows item N of each menu in turn (numbered as
// gophermenu numbers them) and copies the last item's document to stdout
// byte for byte. README.md says exactly what to print, and the errors.
//
// Usage:   gopherwalk [--port PORT] HOST N...
// Partner: any Gopher server; README.md runs gophernicus.
// Try:     ./workbook ex check ch01-gopherwalk
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>
#include <string>

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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // The walk starts at the root menu: the selector "" on HOST and PORT.
        const std::string& host = args[0];
        unsigned port = args.port("--port", 70);

        // TODO: check each N (args[1], args[2], ...): a number from 1, else
        // throw wb::UsageError("bad N '0': expected a number from 1").

        // TODO: for each N, fetch the menu (selector on host and port), find
        // its item N (info lines are not counted) and take that item's own
        // selector, host and port; every item but the last must be a menu.

        // TODO: fetch the last item and copy every byte to stdout until the
        // server closes (recv() and wb::write_stdout(), as gopherclient.cpp).
        (void)host, (void)port;
        return 0;
    });
}
