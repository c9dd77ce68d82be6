// common/fd.hpp: an owned file descriptor that closes itself.
//
// The programs create sockets with the raw socket() call, then hand the
// number to an Fd so that every return path (including an exception) closes
// it. This is the one RAII type the workbook needs; it hides only close().
#pragma once

#include <unistd.h>

#include <utility>

namespace wb {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept {
        reset(other.release());
        return *this;
    }
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

    // Gives up ownership: the caller now closes the descriptor.
    int release() { return std::exchange(fd_, -1); }

    // Closes the descriptor held now (if any) and holds `fd` instead.
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

}  // namespace wb
