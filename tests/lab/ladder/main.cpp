// tests/lab/ladder/main.cpp: ladder, a capture file drawn as a ladder diagram.
// Added by this workbook, for the lab's wire (wire --ladder, run --wire --ladder).
//
// Reads a pcap file (tcpdump -w; wire --pcap FILE keeps one) and draws who
// sent what to whom: one column per endpoint (address:port), one arrow per
// packet in time order, labelled with its TCP flags, its payload's size and
// first bytes, or its ICMP error; the elapsed time on the left. Long
// transfers are folded into one line. --svg FILE also writes it as a picture.
//
// Usage:   ladder [--svg FILE] [--title TEXT] [--width COLUMNS] CAPTURE.pcap
// Partner: tcpdump (tests/lab/bin/wire runs both).
// Try:     ./workbook lab ch01 -- wire --ladder gopherclient quux.org /
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ladder.hpp"

namespace {

void usage(std::FILE* to) {
    std::fputs("usage: ladder [--svg FILE] [--title TEXT] [--width COLUMNS] CAPTURE.pcap\n", to);
}

}  // namespace

int main(int argc, char* argv[]) {
    std::string svg, title, capture;
    int width = 80;
    for (int i = 1; i < argc; i++) {
        std::string_view arg = argv[i];
        bool has_value = i + 1 < argc;
        if (arg == "-h" || arg == "--help") {
            usage(stdout);
            return 0;
        }
        if ((arg == "--svg" || arg == "--title" || arg == "--width") && !has_value) {
            usage(stderr);
            std::fprintf(stderr, "ladder: %s needs a value\n", argv[i]);
            return 2;
        }
        if (arg == "--svg") {
            svg = argv[++i];
        } else if (arg == "--title") {
            title = argv[++i];
        } else if (arg == "--width") {
            const std::string value = argv[++i];
            // (up to 3 digits, so stoi() cannot throw: not even for "")
            const bool digits = !value.empty() && value.size() <= 3 &&
                                value.find_first_not_of("0123456789") == std::string::npos;
            if (digits) width = std::stoi(value);
            if (!digits || width < 40) {
                usage(stderr);
                std::fprintf(stderr, "ladder: the width must be 40 columns or more, not '%s'\n",
                             value.c_str());
                return 2;
            }
        } else if (capture.empty() && !arg.starts_with("-")) {
            capture = arg;
        } else {
            usage(stderr);
            std::fprintf(stderr, "ladder: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (capture.empty()) {
        usage(stderr);
        std::fputs("ladder: which capture file?\n", stderr);
        return 2;
    }
    std::ifstream in(capture, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "ladder: cannot read %s\n", capture.c_str());
        return 1;
    }
    std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
    try {
        std::vector<ladder::Packet> packets = ladder::read_pcap(bytes);
        for (const std::string& line : ladder::draw_text(packets, width)) std::cout << line << '\n';
        if (!svg.empty()) {
            std::ofstream out(svg);
            out << ladder::draw_svg(packets, title.empty() ? capture : title);
            if (!out.flush()) throw std::runtime_error("cannot write " + svg);
        }
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "ladder: %s: %s\n", capture.c_str(), e.what());
        return 1;
    }
    return 0;
}
