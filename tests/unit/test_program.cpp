// Unit tests for common/program: command lines, ports, numbers, run().
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include <stdexcept>

#include "errors.hpp"
#include "interrupt.hpp"
#include "program.hpp"

namespace {

const wb::Spec spec{.synopsis = "[--port PORT] [--quiet] HOST [PATH]",
                    .min_args = 1,
                    .max_args = 2,
                    .options = {"--port"},
                    .flags = {"--quiet"}};

wb::Args parse(std::vector<std::string> words) { return wb::Args(spec, words); }

// Runs wb::run() with these words and body; returns {exit status, stdout, stderr}.
struct Outcome {
    int status;
    std::string out, err;
};
Outcome run(std::vector<std::string> words, const std::function<int(const wb::Args&)>& body) {
    std::vector<char*> argv;
    std::string name = "/some/dir/prog";
    argv.push_back(name.data());
    for (auto& w : words) argv.push_back(w.data());
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    int status = wb::run(static_cast<int>(argv.size()), argv.data(), spec, body);
    std::string out = testing::internal::GetCapturedStdout();
    return {status, out, testing::internal::GetCapturedStderr()};
}

}  // namespace

TEST(Args, PositionalAndOptions) {
    auto a = parse({"--port", "80", "example.test", "--quiet", "/x"});
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0], "example.test");
    EXPECT_EQ(a[1], "/x");
    EXPECT_TRUE(a.has("--quiet"));
    EXPECT_EQ(a.get("--port", "1"), "80");
    EXPECT_EQ(a.port("--port", 70), 80u);
}

TEST(Args, OptionWithEqualsAndDefaults) {
    auto a = parse({"--port=0", "h"});
    EXPECT_EQ(a.port("--port", 70), 0u);
    auto b = parse({"h"});
    EXPECT_FALSE(b.has("--port"));
    EXPECT_EQ(b.port("--port", 70), 70u);
    EXPECT_EQ(b.get("--port", "dflt"), "dflt");
}

TEST(Args, DoubleDashEndsOptions) {
    auto a = parse({"--", "--quiet"});
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0], "--quiet");
    EXPECT_FALSE(a.has("--quiet"));
}

TEST(Args, LoneDashIsPositional) { EXPECT_EQ(parse({"-"})[0], "-"); }

TEST(Args, RejectsBadCommandLines) {
    EXPECT_THROW(parse({}), wb::UsageError);
    EXPECT_THROW(parse({"a", "b", "c"}), wb::UsageError);
    EXPECT_THROW(parse({"--bogus", "h"}), wb::UsageError);
    EXPECT_THROW(parse({"h", "--port"}), wb::UsageError);
    EXPECT_THROW(parse({"--quiet=1", "h"}), wb::UsageError);
}

TEST(Args, CountMessage) {
    try {
        parse({});
        FAIL();
    } catch (const wb::UsageError& e) {
        EXPECT_STREQ(e.what(), "expected 1 to 2 arguments, got 0");
    }
}

TEST(Args, BadPortIsNamed) {
    try {
        parse({"--port", "nosuchservice", "h"}).port("--port", 70);
        FAIL();
    } catch (const wb::UsageError& e) {
        EXPECT_STREQ(e.what(), "bad --port 'nosuchservice': service/proto not found");
    }
}

TEST(Args, Numbers) {
    EXPECT_DOUBLE_EQ(
        wb::Args(wb::Spec{.options = {"--sleep"}}, {"--sleep", "0.5"}).number("--sleep", 10, 0, 60),
        0.5);
    EXPECT_DOUBLE_EQ(wb::Args(wb::Spec{.options = {"--sleep"}}, {}).number("--sleep", 10, 0, 60),
                     10);
    for (const char* bad : {"", "x", "1x", "-1", "61", "nan"}) {
        wb::Args a(wb::Spec{.options = {"--sleep"}}, {"--sleep", bad});
        EXPECT_THROW(a.number("--sleep", 10, 0, 60), wb::UsageError) << bad;
    }
}

TEST(ParsePort, NumbersAndServices) {
    EXPECT_EQ(wb::parse_port("0"), 0u);
    EXPECT_EQ(wb::parse_port("51423"), 51423u);
    EXPECT_EQ(wb::parse_port("65535"), 65535u);
    EXPECT_EQ(wb::parse_port("http"), 80u);
    EXPECT_EQ(wb::parse_port("gopher"), 70u);
    EXPECT_EQ(wb::parse_port("time", "udp"), 37u);
}

TEST(ParsePort, Errors) {
    EXPECT_THROW(wb::parse_port("65536"), std::invalid_argument);
    EXPECT_THROW(wb::parse_port("999999999"), std::invalid_argument);
    EXPECT_THROW(wb::parse_port("9999999999999999999999"), std::invalid_argument);
    EXPECT_THROW(wb::parse_port(""), std::invalid_argument);
    EXPECT_THROW(wb::parse_port("-1"), std::invalid_argument);
    EXPECT_THROW(wb::parse_port("nosuchservice"), std::invalid_argument);
    try {
        wb::parse_port("nosuchservice");
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "service/proto not found");
    }
}

TEST(Run, HelpGoesToStdoutExit0) {
    auto o = run({"--help"}, [](const wb::Args&) { return 9; });
    EXPECT_EQ(o.status, 0);
    EXPECT_EQ(o.out, "usage: prog [--port PORT] [--quiet] HOST [PATH]\n");
    EXPECT_EQ(o.err, "");
    EXPECT_EQ(wb::program_name(), "prog");
}

TEST(Run, UsageErrorExit2) {
    auto o = run({}, [](const wb::Args&) { return 0; });
    EXPECT_EQ(o.status, 2);
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.err,
              "usage: prog [--port PORT] [--quiet] HOST [PATH]\nprog: error: expected 1 to 2 "
              "arguments, got 0\n");
}

TEST(Run, BodyResultIsTheStatus) {
    EXPECT_EQ(run({"h"}, [](const wb::Args& a) { return a[0] == "h" ? 3 : 4; }).status, 3);
}

// Into a file (not a terminal), write_stdout_buffered() writes nothing
// until flush_stdout(); run() writes the rest at the end, and before the
// error when the body fails.
off_t stdout_size() {
    struct stat st = {};
    fstat(STDOUT_FILENO, &st);
    return st.st_size;
}

TEST(Run, BufferedOutputIsGatheredThenWritten) {
    auto ok = run({"h"}, [](const wb::Args&) {
        EXPECT_TRUE(wb::write_stdout_buffered("one\n", 4));
        EXPECT_EQ(stdout_size(), 0);
        EXPECT_TRUE(wb::flush_stdout());
        EXPECT_EQ(stdout_size(), 4);
        wb::write_stdout_buffered("two\n", 4);
        return 0;
    });
    EXPECT_EQ(ok.status, 0);
    EXPECT_EQ(ok.out, "one\ntwo\n");
    auto failed = run({"h"}, [](const wb::Args&) -> int {
        wb::write_stdout_buffered("half", 4);
        throw std::runtime_error("boom");
    });
    EXPECT_EQ(failed.status, 1);
    EXPECT_EQ(failed.out, "half");
    EXPECT_EQ(failed.err, "prog: boom\n");
}

TEST(Run, EscapedErrorsBecomeOneLine) {
    auto sys = run({"h"}, [](const wb::Args&) -> int { throw wb::SystemError("connect", 111); });
    EXPECT_EQ(sys.status, 1);
    EXPECT_EQ(sys.err, "prog: connect: [Errno 111] Connection refused\n");
    auto gai =
        run({"h"}, [](const wb::Args&) -> int { throw wb::ResolverError("getaddrinfo", -2); });
    EXPECT_EQ(gai.status, 1);
    EXPECT_EQ(gai.err, "prog: getaddrinfo: [Errno -2] Name or service not known\n");
    auto other = run({"h"}, [](const wb::Args&) -> int { throw std::runtime_error("boom"); });
    EXPECT_EQ(other.status, 1);
    EXPECT_EQ(other.err, "prog: boom\n");
}

TEST(WaitReadable, ReadyDataAndEndOfFile) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    ASSERT_EQ(write(fds[1], "x", 1), 1);
    EXPECT_TRUE(wb::wait_readable(fds[0]));
    close(fds[1]);
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    EXPECT_TRUE(wb::wait_readable(fds[0]));  // end of file is readable too
    close(fds[0]);
}

TEST(WaitReadable, BadDescriptorDoesNotWait) { EXPECT_TRUE(wb::wait_readable(-1)); }

// Runs in a child process (a "death test"): the interrupt flag, once set,
// stays set for the whole process.
TEST(WaitReadableDeathTest, InterruptEndsTheWait) {
    EXPECT_EXIT(
        {
            int fds[2];
            if (pipe(fds) != 0) std::_Exit(3);
            alarm(10);  // a wait that never ends fails (SIGALRM) instead of hanging
            wb::stop_on_interrupt();
            // SIGTERM arrives while the wait blocks (or just before it
            // starts; either way it must not be lost).
            std::thread sender = interrupt_from_another_thread();
            bool readable = wb::wait_readable(fds[0]);
            sender.join();
            std::_Exit(!readable && wb::interrupted() ? 0 : 1);
        },
        testing::ExitedWithCode(0), "");
}

TEST(CommandLinePort, NamesTheArgument) {
    EXPECT_EQ(wb::command_line_port("PORT", "http"), 80u);
    EXPECT_EQ(wb::command_line_port("PORT", "echo", "udp"), 7u);
    try {
        wb::command_line_port("PORT", "nosuch");
        FAIL();
    } catch (const wb::UsageError& e) {
        EXPECT_STREQ(e.what(), "bad PORT 'nosuch': service/proto not found");
    }
}

TEST(Describe, CallErrorsNameTheCall) {
    EXPECT_EQ(wb::describe(wb::SystemError("recv", ECONNRESET)),
              "recv: [Errno 104] Connection reset by peer");
    EXPECT_EQ(wb::describe(wb::ResolverError("getaddrinfo", -2)),
              "getaddrinfo: [Errno -2] Name or service not known");
    EXPECT_EQ(wb::describe(std::runtime_error("plain")), "plain");
}
