// Unit tests for common/sockets and common/fd, over loopback.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "errors.hpp"
#include "fd.hpp"
#include "interrupt.hpp"
#include "program.hpp"
#include "sockets.hpp"

TEST(Fd, ClosesWhenDestroyedOrReset) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    { wb::Fd r(fds[0]); }
    EXPECT_EQ(fcntl(fds[0], F_GETFD), -1);  // closed
    wb::Fd w(fds[1]);
    wb::Fd moved = std::move(w);
    EXPECT_FALSE(w.valid());
    EXPECT_EQ(moved.get(), fds[1]);
    moved.reset();
    EXPECT_EQ(fcntl(fds[1], F_GETFD), -1);
}

TEST(Fd, ReleaseGivesUpOwnership) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    wb::Fd r(fds[0]);
    {
        wb::Fd w(fds[1]);
        EXPECT_EQ(w.release(), fds[1]);
    }
    EXPECT_NE(fcntl(fds[1], F_GETFD), -1);  // still open
    close(fds[1]);
}

TEST(Sockets, BindAnyPortZeroThenConnectBothFamilies) {
    wb::Fd server = wb::bind_any(0);
    unsigned port = wb::bound_port(server.get());
    EXPECT_GT(port, 0u);
    for (const char* host : {"127.0.0.1", "::1", "localhost"}) {
        wb::Fd client = wb::connect_to(host, port);
        wb::Fd accepted(accept(server.get(), nullptr, nullptr));
        ASSERT_TRUE(accepted.valid()) << host;
        wb::send_all(client.get(), "ping");
        char buf[8];
        EXPECT_EQ(recv(accepted.get(), buf, sizeof buf, 0), 4) << host;
    }
}

TEST(Sockets, UdpBindAndConnect) {
    wb::Fd server = wb::bind_any(0, SOCK_DGRAM);
    wb::Fd client = wb::connect_to("127.0.0.1", wb::bound_port(server.get()), SOCK_DGRAM);
    wb::send_all(client.get(), "dgram");
    char buf[16];
    EXPECT_EQ(recv(server.get(), buf, sizeof buf, 0), 5);
}

TEST(Sockets, BindConflictNamesThePort) {
    wb::Fd first = wb::bind_any(0);
    unsigned port = wb::bound_port(first.get());
    // A second listener on the same port fails, even with SO_REUSEADDR.
    try {
        wb::bind_any(port);
        FAIL() << "second bind succeeded";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "bind to port " + std::to_string(port));
        EXPECT_EQ(e.code(), EADDRINUSE);
    }
}

TEST(Sockets, RefusedConnectionThrowsConnect) {
    wb::Fd probe = wb::bind_any(0, SOCK_STREAM);
    unsigned port = wb::bound_port(probe.get());
    probe.reset();  // nothing listens there now
    try {
        wb::connect_to("127.0.0.1", port);
        FAIL() << "connect succeeded";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "connect");
        EXPECT_EQ(e.code(), ECONNREFUSED);
    }
}

TEST(Sockets, SendAllToClosedPeerThrows) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    wb::Fd a(fds[0]);
    close(fds[1]);
    try {
        wb::send_all(a.get(), "x");
        FAIL() << "send_all did not throw";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "send");
        EXPECT_EQ(e.code(), EPIPE);
    }
}

TEST(Sockets, SendAllWaitsForAPeerThatReadsSlowly) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    wb::Fd a(fds[0]), b(fds[1]);
    std::string data(std::size_t{4} << 20, 'x');  // more than the socket's buffers hold
    std::size_t got = 0;
    std::thread reader([&] {
        char buf[65536];
        for (ssize_t n; (n = read(b.get(), buf, sizeof buf)) > 0;)
            got += static_cast<std::size_t>(n);
    });
    wb::send_all(a.get(), data);
    shutdown(a.get(), SHUT_WR);
    reader.join();
    EXPECT_EQ(got, data.size());
}

// Found by ./workbook stress: echoserver, blocked in send() to a client that
// never reads, did not stop on Ctrl-C (a send() that has written part of its
// data returns the count, not EINTR, and the next one waits again). Runs in
// a child process: the interrupt flag, once set, stays set.
TEST(SendAllDeathTest, InterruptEndsTheWaitForAPeerThatNeverReads) {
    EXPECT_EXIT(
        {
            int fds[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::_Exit(3);
            alarm(10);  // a wait that never ends fails (SIGALRM) instead of hanging
            wb::stop_on_interrupt();
            std::thread sender = interrupt_from_another_thread();
            int code = 0;
            try {
                wb::send_all(fds[0], std::string(std::size_t{8} << 20, 'x'));
            } catch (const wb::SystemError& e) {
                code = e.code();
            }
            sender.join();
            std::_Exit(code == EINTR && wb::interrupted() ? 0 : 1);
        },
        testing::ExitedWithCode(0), "");
}
