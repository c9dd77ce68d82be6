// common/socketfile.cpp: see socketfile.hpp.
#include "socketfile.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "errors.hpp"
#include "program.hpp"

namespace wb {

namespace {
constexpr std::size_t chunk = 4096;
}

SocketFile::SocketFile(int fd, std::size_t max_line, std::size_t write_buffer)
    : fd_(fd), max_line_(max_line), write_buffer_(write_buffer) {}

bool SocketFile::fill() {
    char buf[chunk];
    for (;;) {
        if (!wait_readable(fd_)) throw SystemError("recv", EINTR);  // Ctrl-C
        ssize_t got = ::recv(fd_, buf, sizeof buf, 0);
        if (got > 0) {
            in_.append(buf, static_cast<std::size_t>(got));
            return true;
        }
        if (got == 0) return false;  // the peer closed its side: end of file
        // A signal without a handler that stops us: just try again.
        if (errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
        throw SystemError("recv", errno);
    }
}

std::string SocketFile::readline() {
    std::size_t searched = 0;  // bytes already known to hold no newline
    for (;;) {
        std::size_t nl = in_.find('\n', searched);
        if (nl != std::string::npos && nl < max_line_) return take(nl + 1);
        if (in_.size() >= max_line_) return take(max_line_);  // too long: one piece
        searched = in_.size();
        if (!fill()) return take(in_.size());  // end of file: whatever is left
    }
}

std::string SocketFile::read(std::size_t n) {
    if (in_.empty() && !fill()) return "";
    return take(std::min(n, in_.size()));
}

std::string strip(std::string_view text) {
    const char* space = " \t\n\r\v\f";
    std::size_t first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(space) - first + 1));
}

std::string SocketFile::take(std::size_t n) {
    std::string piece = in_.substr(0, n);
    in_.erase(0, n);
    return piece;
}

void SocketFile::write(std::string_view data) {
    out_.append(data);
    if (out_.size() >= write_buffer_) flush();  // always, when unbuffered (0)
}

void SocketFile::flush() {
    std::size_t sent = 0;
    while (sent < out_.size()) {
        ssize_t n = ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR && !interrupted()) continue;
            out_.erase(0, sent);
            throw SystemError("send", errno);
        }
        sent += static_cast<std::size_t>(n);
    }
    out_.clear();
}

}  // namespace wb
