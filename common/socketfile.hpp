// common/socketfile.hpp: Python's sock.makefile() for a C++ socket.
//
// Python lets a program wrap a socket in a file object and read it line by
// line. SocketFile plays that role: it keeps a read buffer and a write
// buffer over a socket it does not own.
//
//   wb::SocketFile file(sock.get());
//   file.write("GET / HTTP/1.0\r\n\r\n");
//   file.flush();                          // send() happens here
//   std::string line = file.readline();    // "" means end of file
//
// Reading takes what has arrived at once, and only when nothing has waits
// with wb::wait_readable() (after flushing stdout), so after
// wb::stop_on_interrupt() Ctrl-C ends a wait for a silent peer: the read
// throws SystemError with EINTR, and wb::interrupted() tells why.
//
// Writing is buffered: write() sends once `write_buffer` bytes are waiting,
// flush() sends the rest, with wb::send_all() (so Ctrl-C ends a wait for a
// peer that does not read, too). A write_buffer of 0 is Python's makefile('rw', 0):
// unbuffered, every write() sends at once.
//
// readline() never holds more than `max_line` bytes: a peer that sends an
// endless line gets it back in pieces of at most that size, as Python's
// readline(limit) does, so memory stays bounded whatever the peer sends.
// Failures throw wb::SystemError naming "recv" or "send".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wb {

class SocketFile {
public:
    static constexpr std::size_t default_max_line = std::size_t{64} * 1024;
    static constexpr std::size_t default_write_buffer = std::size_t{32} * 1024;

    explicit SocketFile(int fd, std::size_t max_line = default_max_line,
                        std::size_t write_buffer = default_write_buffer);

    // The next line, newline included; shorter (no newline) at end of file
    // or when the line is longer than max_line; "" at end of file.
    std::string readline();

    // At most `n` bytes: what is buffered, else what one recv() returns.
    // "" at end of file.
    std::string read(std::size_t n);

    // Buffers `data`; sends once write_buffer bytes are waiting (at once
    // when write_buffer is 0), or on flush().
    void write(std::string_view data);

    // Sends everything buffered.
    void flush();

private:
    bool fill();                      // one recv() into the buffer; false at EOF
    std::string take(std::size_t n);  // removes and returns n buffered bytes

    int fd_;
    std::size_t max_line_;
    std::size_t write_buffer_;
    std::string in_;         // received, not yet read: from in_[start_] on
    std::size_t start_ = 0;  // (taking a line moves start_, not the bytes)
    std::string out_;
};

// Python's str.strip(): `text` without white space at either end.
std::string strip(std::string_view text);

}  // namespace wb
