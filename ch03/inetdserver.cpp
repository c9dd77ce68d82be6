// ch03/inetdserver.cpp: a server that knows nothing about sockets.
// Book: section 3.5 Using inetd or xinetd (使用inetd或xinetd), inetdserver.py
//
// A superserver (inetd, xinetd, systemd-socket-activate) listens on the
// port, accepts each connection, and starts this program with the
// connection as its stdin and stdout. So the program just prints and reads:
// a greeting, a prompt, one line, its length. The flush matters: stdout to
// a socket is not a terminal, so it would otherwise wait in the buffer while
// we wait for the client's line. Run it in a terminal, and it talks to you.
//
// Usage:   inetdserver            (stdin and stdout are the connection)
// Partner: a superserver (ch03/README.md configures them), any TCP client.
// Try:     systemd-socket-activate -l 127.0.0.1:51423 -a --inetd ./build/ch03/inetdserver
#include <cctype>
#include <cstdio>

#include "program.hpp"

const wb::Spec spec{
    .help = "  stdin and stdout are the client's connection (run it from a superserver)"};

// len(sys.stdin.readline().strip()), counted on the fly: the characters
// of the line, less the white space before the first other character and
// after the last one.
std::size_t stripped_line_length(std::FILE* in) {
    std::size_t length = 0, leading = 0, trailing = 0;
    bool seen_text = false;
    for (int c = std::getc(in); c != EOF && c != '\n'; c = std::getc(in)) {
        ++length;
        if (!std::isspace(c)) {
            seen_text = true;
            trailing = 0;
        } else if (seen_text) {
            ++trailing;
        } else {
            ++leading;
        }
    }
    return seen_text ? length - leading - trailing : 0;
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args&) {
        std::printf("Welcome.\n");
        std::printf("Please enter a string:\n");
        std::fflush(stdout);

        std::size_t length = stripped_line_length(stdin);
        std::printf("You entered %zu characters.\n", length);
        return 0;
    });
}
