// tests/fuzz/socketfile.cpp: common/'s line reader, wb::SocketFile.
//
// The input's first byte picks max_line (1 to 256) and the mix of readline()
// and read(n) calls; the rest arrives through a socket pair and must come
// back whole and in order: lines no longer than max_line, each ending at
// its first newline, and reads of at most the n asked for.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "fd.hpp"
#include "socketfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 65536) return 0;  // (more would not fit the socket's buffer)
    std::size_t max_line = data[0] % 256 + 1;
    std::string sent(reinterpret_cast<const char*>(data) + 1, size - 1);

    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) std::abort();
    wb::Fd ours(pair[0]), theirs(pair[1]);
    wb::SocketFile out(theirs.get(), max_line, data[0] % 3 == 0 ? 0 : 16);
    out.write(sent);
    out.flush();
    shutdown(theirs.get(), SHUT_WR);  // the end of the input: end of file

    wb::SocketFile in(ours.get(), max_line);
    std::string got;
    for (unsigned i = data[0];; i = i * 5 + 1) {
        bool line = i % 4 != 0;
        std::size_t n = line ? max_line : i % 7 + 1;  // at most max_line, or n for read(n)
        std::string piece = line ? in.readline() : in.read(n);
        if (piece.empty()) break;
        if (piece.size() > n) std::abort();
        std::size_t nl = piece.find('\n');
        if (line && nl != std::string::npos && nl + 1 != piece.size()) std::abort();
        got += piece;
    }
    if (got != sent) std::abort();
    return 0;
}
