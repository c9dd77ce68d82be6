// Unit tests for common/socketfile: makefile()-style reading and writing,
// over a real connected pair of sockets.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "errors.hpp"
#include "fd.hpp"
#include "socketfile.hpp"
#include "sockets.hpp"

namespace {

struct Pair {
    wb::Fd a, b;
    Pair() {
        int fds[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
            throw wb::SystemError("socketpair", errno);
        a.reset(fds[0]);
        b.reset(fds[1]);
    }
};

}  // namespace

TEST(SocketFile, ReadsLinesThenEof) {
    Pair p;
    wb::send_all(p.a.get(), "one\ntwo\r\nthree");
    shutdown(p.a.get(), SHUT_WR);
    wb::SocketFile f(p.b.get());
    EXPECT_EQ(f.readline(), "one\n");
    EXPECT_EQ(f.readline(), "two\r\n");
    EXPECT_EQ(f.readline(), "three");
    EXPECT_EQ(f.readline(), "");
    EXPECT_EQ(f.readline(), "");
}

TEST(SocketFile, BinaryBytesPassThrough) {
    Pair p;
    std::string data("a\0b\r\xff\n", 6);
    wb::send_all(p.a.get(), data);
    wb::SocketFile f(p.b.get());
    EXPECT_EQ(f.readline(), data);
}

TEST(SocketFile, LongLinesComeInBoundedPieces) {
    Pair p;
    wb::SocketFile f(p.b.get(), 10);
    wb::send_all(p.a.get(), std::string(25, 'x') + "\nrest\n");
    shutdown(p.a.get(), SHUT_WR);
    EXPECT_EQ(f.readline(), std::string(10, 'x'));
    EXPECT_EQ(f.readline(), std::string(10, 'x'));
    EXPECT_EQ(f.readline(), "xxxxx\n");
    EXPECT_EQ(f.readline(), "rest\n");
    EXPECT_EQ(f.readline(), "");
}

TEST(SocketFile, LineOfExactlyMaxIncludingNewline) {
    Pair p;
    wb::SocketFile f(p.b.get(), 4);
    wb::send_all(p.a.get(), "abc\nabcd\n");
    shutdown(p.a.get(), SHUT_WR);
    EXPECT_EQ(f.readline(), "abc\n");
    EXPECT_EQ(f.readline(), "abcd");
    EXPECT_EQ(f.readline(), "\n");
}

TEST(SocketFile, ReadMixesWithReadline) {
    Pair p;
    wb::send_all(p.a.get(), "head\nbody-bytes");
    shutdown(p.a.get(), SHUT_WR);
    wb::SocketFile f(p.b.get());
    EXPECT_EQ(f.readline(), "head\n");
    EXPECT_EQ(f.read(4), "body");
    EXPECT_EQ(f.read(100), "-bytes");
    EXPECT_EQ(f.read(100), "");
}

TEST(SocketFile, WriteIsBufferedUntilFlush) {
    Pair p;
    wb::SocketFile f(p.a.get());
    f.write("hello ");
    f.write("world\n");
    char buf[64];
    EXPECT_EQ(recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT), -1);  // nothing sent yet
    f.flush();
    ssize_t n = recv(p.b.get(), buf, sizeof buf, 0);
    ASSERT_EQ(n, 12);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "hello world\n");
}

TEST(SocketFile, WriteSendsOnceTheBufferIsFull) {
    Pair p;
    wb::SocketFile f(p.a.get(), wb::SocketFile::default_max_line, 8);
    char buf[64];
    f.write("1234567");
    EXPECT_EQ(recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT), -1);  // 7 of 8: still waiting
    f.write("8");
    ssize_t n = recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_EQ(n, 8);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "12345678");
}

// Python's s.makefile('rw', 0): buffer size 0, every write() sends at once.
TEST(SocketFile, UnbufferedWriteSendsAtOnce) {
    Pair p;
    wb::SocketFile f(p.a.get(), wb::SocketFile::default_max_line, 0);
    f.write("GET / HTTP/1.0\r\n\r\n");
    char buf[64];
    ssize_t n = recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT);  // no flush() needed
    ASSERT_EQ(n, 18);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "GET / HTTP/1.0\r\n\r\n");
    f.flush();  // nothing left to send
    EXPECT_EQ(recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT), -1);
}

TEST(SocketFile, UnbufferedWriteToAClosedPeerThrowsSend) {
    Pair p;
    p.b.reset();
    wb::SocketFile f(p.a.get(), wb::SocketFile::default_max_line, 0);
    try {
        f.write("lost");
        FAIL() << "write did not throw";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "send");
        EXPECT_EQ(e.code(), EPIPE);
    }
}

TEST(SocketFile, LargeWritesAllArrive) {
    Pair p;
    std::string big(200000, 'z');
    std::string got;
    std::thread reader([&] {
        wb::SocketFile in(p.b.get());
        for (std::string piece = in.read(4096); !piece.empty(); piece = in.read(4096)) got += piece;
    });
    {
        wb::SocketFile out(p.a.get());
        out.write(big);
        out.flush();
        shutdown(p.a.get(), SHUT_WR);
    }
    reader.join();
    EXPECT_EQ(got, big);
}

TEST(SocketFile, FlushToAClosedPeerThrowsSend) {
    Pair p;
    p.b.reset();
    wb::SocketFile f(p.a.get());
    f.write("lost");
    try {
        f.flush();
        FAIL() << "flush did not throw";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "send");
        EXPECT_EQ(e.code(), EPIPE);
    }
}

TEST(SocketFile, RecvErrorThrowsRecv) {
    wb::SocketFile f(-1);
    try {
        f.readline();
        FAIL() << "readline did not throw";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "recv");
        EXPECT_EQ(e.code(), EBADF);
    }
}
