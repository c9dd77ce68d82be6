// common/socketfile.cpp: see socketfile.hpp.
#include "socketfile.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "errors.hpp"
#include "program.hpp"
#include "sockets.hpp"

namespace wb {

namespace {
// A recv() of up to 64 KiB: Python's makefile() reads 8 KiB; fewer calls are cheaper.
constexpr std::size_t chunk = std::size_t{64} * 1024;
}  // namespace

SocketFile::SocketFile(int fd, std::size_t max_line, std::size_t write_buffer)
    : fd_(fd), max_line_(max_line), write_buffer_(write_buffer) {}

bool SocketFile::fill() {
    in_.erase(0, start_);  // what was taken already: keep only the unread rest
    start_ = 0;
    std::size_t before = in_.size();
    in_.resize(before + chunk);
    for (;;) {
        // Data waiting: recv() takes it at once (MSG_DONTWAIT: never block
        // here). None yet: wait for it, or for Ctrl-C, with wait_readable().
        // So the wait costs system calls only when there is a wait.
        if (interrupted()) break;
        ssize_t got = ::recv(fd_, in_.data() + before, chunk, MSG_DONTWAIT);
        if (got >= 0) {
            in_.resize(before + static_cast<std::size_t>(got));
            return got > 0;  // 0: the peer closed its side, end of file
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // Before we wait, what the program printed goes out (as gathered
            // by write_stdout_buffered()): a reader sees all that came first.
            flush_stdout();  // (a failure shows again when the program ends)
            if (!wait_readable(fd_)) break;
            continue;
        }
        // A signal without a handler that stops us: just try again.
        if (errno == EINTR) continue;  // a signal; wait_readable() sees Ctrl-C
        int err = errno;
        in_.resize(before);
        throw SystemError("recv", err);
    }
    in_.resize(before);
    throw SystemError("recv", EINTR);  // Ctrl-C
}

std::string SocketFile::readline() {
    std::size_t searched = start_;  // bytes already known to hold no newline
    for (;;) {
        std::size_t nl = in_.find('\n', searched);
        if (nl != std::string::npos && nl - start_ < max_line_) return take(nl + 1 - start_);
        if (in_.size() - start_ >= max_line_) return take(max_line_);  // too long: one piece
        searched = in_.size() - start_;
        if (!fill()) return take(in_.size() - start_);  // end of file: whatever is left
        // fill() moved the unread rest to the front of in_.
    }
}

std::string SocketFile::read(std::size_t n) {
    if (in_.size() == start_ && !fill()) return "";
    return take(std::min(n, in_.size() - start_));
}

std::string strip(std::string_view text) {
    const char* space = " \t\n\r\v\f";
    std::size_t first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(space) - first + 1));
}

std::string SocketFile::take(std::size_t n) {
    std::string piece = in_.substr(start_, n);
    start_ += n;
    return piece;
}

void SocketFile::write(std::string_view data) {
    out_.append(data);
    if (out_.size() >= write_buffer_) flush();  // always, when unbuffered (0)
}

void SocketFile::flush() {
    std::string out = std::move(out_);
    out_.clear();
    send_all(fd_, out);  // waits for room, or for Ctrl-C (see send_all)
}

}  // namespace wb
