// tests/exercises/wrong/ch02-httphead/crlf.cpp: known wrong: takes the last two bytes of every line for CR LF
// expect: stage 4: first difference at byte 13
// Book: chapter 2, section "Handling Errors" (socketerrors.py), extended
//
// socketerrors sends `GET PATH HTTP/1.0` and copies the reply to stdout as
// bytes. This client reads the reply the way HTTP defines it: a status line,
// header lines up to an empty line (lines end in CR LF, or a bare LF from
// a sloppy server), then the body: Content-Length bytes when the server
// says how many, else everything up to the close. It prints the status and
// each header, and counts the body without keeping it. A reply that breaks
// the rules (a bad status line, a close in the middle of the header section,
// a header section over 64 KiB, a body cut short) is one line on stderr and
// exit 1. (An exercise this workbook adds to the book.)
//
// Usage:   httphead [--port PORT] HOST PATH
// Partner: any web server; the grader uses nginx and misbehaving servers.
// Try:     ./build/ch02/exercises/solutions/httphead --port 8080 127.0.0.1 /
#include <strings.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <optional>
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

// The most a header section (status line included) may take: a server that
// sends more is broken or hostile, and we stop reading.
constexpr std::size_t max_head = std::size_t{64} * 1024;

// A reply that breaks HTTP's rules: wb::run() prints it and exits 1.
class BadReply : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A line from the peer, fit for a one-line error message: quoted, at most
// 60 bytes, control characters shown as '?'.
static std::string quoted(std::string line) {
    if (line.size() > 60) line = line.substr(0, 60) + "...";
    std::replace_if(
        line.begin(), line.end(), [](unsigned char c) { return c < 0x20; }, '?');
    return "'" + line + "'";
}

static bool all_digits(const std::string& text) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return !text.empty() && std::all_of(text.begin(), text.end(), digit);
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 80);
        // socketerrors' steps: connect (to the first address of HOST that
        // accepts, IPv6 or IPv4), then the request, whole.
        wb::Fd s = wb::connect_to(args[0], port);
        wb::send_all(s.get(), "GET " + args[1] + " HTTP/1.0\r\n\r\n");

        // The header section, one line at a time, never more than max_head
        // bytes in all (readline() returns an over-long line in pieces).
        wb::SocketFile reply(s.get(), max_head + 1);
        std::size_t head_size = 0;
        auto next_line = [&]() {
            std::string line = reply.readline();
            head_size += line.size();
            if (head_size > max_head) throw BadReply("header section longer than 65536 bytes");
            if (line.empty() || line.back() != '\n')  // the server closed
                throw BadReply("connection closed in the middle of the header section");
            // Mistake: every line is taken to end in CR LF.
            line.resize(line.size() >= 2 ? line.size() - 2 : 0);
            return line;
        };

        // "HTTP/1.1 200 OK": a version, a three-digit code, a reason (maybe empty).
        std::string status = next_line();
        std::size_t space = status.find(' ');
        std::string code = space == std::string::npos ? "" : status.substr(space + 1, 3);
        if (status.rfind("HTTP/", 0) != 0 || !all_digits(code) || code.size() != 3 ||
            (status.size() > space + 4 && status[space + 4] != ' '))
            throw BadReply("malformed status line: " + quoted(status));
        std::string reason = status.size() > space + 5 ? status.substr(space + 5) : "";
        std::cout << "Status: " << code << (reason.empty() ? "" : " ") << reason << '\n';

        // "Name: value" lines up to an empty one. Names keep their case;
        // values lose the white space around them.
        std::optional<std::uint64_t> length;
        for (std::string line = next_line(); !line.empty(); line = next_line()) {
            std::size_t colon = line.find(':');
            std::string name = line.substr(0, colon);
            bool bad_name = name.empty() || name.find_first_of(" \t") != std::string::npos;
            if (colon == std::string::npos || bad_name)
                throw BadReply("malformed header line: " + quoted(line));
            std::string value = wb::strip(line.substr(colon + 1));
            std::cout << name << ": " << value << '\n';
            if (strcasecmp(name.c_str(), "Content-Length") == 0) {
                if (!all_digits(value) || value.size() > 15)
                    throw BadReply("bad Content-Length: " + quoted(value));
                length = std::stoull(value);
            }
        }

        // The body, counted and dropped: Content-Length bytes, or (without
        // one) everything until the server closes, which HTTP/1.0 allows.
        std::uint64_t body = 0;
        while (!length || body < *length) {
            std::uint64_t want = length ? std::min<std::uint64_t>(*length - body, 65536) : 65536;
            std::string piece = reply.read(static_cast<std::size_t>(want));
            if (piece.empty()) break;  // the server closed: the end of the body
            body += piece.size();
        }
        if (length && body < *length)
            throw BadReply("connection closed after " + std::to_string(body) + " of " +
                           std::to_string(*length) + " body bytes");
        std::cout << "Body: " << body << " bytes\n";
        return 0;
    });
}
