// ch02/exercises/httphead/httphead.cpp: read an HTTP reply as HTTP: status, headers, body size.
// Book: chapter 2, section "Handling Errors" (socketerrors.py), extended
//
// Your starter. socketerrors sends `GET PATH HTTP/1.0` and copies the reply
// to stdout as bytes. This program reads the reply the way HTTP defines it:
// a status line, header lines up to an empty line, then the body, which it
// counts but never keeps. The connection and the request are done for you;
// reading the reply is yours (the TODOs). README.md says what to print, and
// what to do when the server breaks the rules.
//
// Usage:   httphead [--port PORT] HOST PATH
// Partner: any web server, such as python3 -m http.server 8080 --bind 127.0.0.1
// Try:     ./workbook ex check ch02-httphead
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>

#include "fd.hpp"
#include "program.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] HOST PATH",
                    .min_args = 2,
                    .max_args = 2,
                    .options = {"--port"},
                    .help = "  --port PORT  a number or a service name (default 80, http's)"};

// The most a header section (status line included) may take.
[[maybe_unused]] constexpr std::size_t max_head = std::size_t{64} * 1024;

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) -> int {
        unsigned port = args.port("--port", 80);
        // socketerrors' steps: connect (to the first address of HOST that
        // accepts, IPv6 or IPv4), then the request, whole.
        wb::Fd s = wb::connect_to(args[0], port);
        wb::send_all(s.get(), "GET " + args[1] + " HTTP/1.0\r\n\r\n");

        // TODO: read the header section line by line (wb::SocketFile's
        // readline() buffers for you), at most max_head bytes in all. Lines
        // end in "\r\n", or a bare "\n".
        // TODO: the status line "HTTP/1.1 200 OK" -> "Status: 200 OK".
        // TODO: each header line "Name:  value " -> "Name: value", up to the
        // empty line; remember Content-Length.
        // TODO: count the body: Content-Length bytes, or up to the close
        // without one -> "Body: N bytes".
        // A reply that breaks the rules: throw std::runtime_error("why"):
        // wb::run() prints `httphead: why` and exits 1.
        throw std::runtime_error("reading the reply is not written yet");
    });
}
