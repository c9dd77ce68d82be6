// Unit tests for common/errors: Python-style error text and checked calls.
#include <netdb.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "errors.hpp"

TEST(Errors, ErrnoTextLooksLikePython) {
    EXPECT_EQ(wb::errno_text(ECONNREFUSED), "[Errno 111] Connection refused");
    EXPECT_EQ(wb::errno_text(EPIPE), "[Errno 32] Broken pipe");
}

TEST(Errors, GaiTextLooksLikePython) {
    EXPECT_EQ(wb::gai_text(EAI_NONAME), "[Errno -2] Name or service not known");
    EXPECT_EQ(wb::gai_text(EAI_AGAIN), "[Errno -3] Temporary failure in name resolution");
}

TEST(Errors, GaiSystemErrorUsesErrno) {
    errno = ECONNRESET;
    EXPECT_EQ(wb::gai_text(EAI_SYSTEM), "[Errno 104] Connection reset by peer");
}

TEST(Errors, CheckPassesResultsThrough) {
    EXPECT_EQ(wb::check("socket", 7), 7);
    EXPECT_EQ(wb::check("recv", 0L), 0L);
}

TEST(Errors, CheckThrowsNamingTheCall) {
    errno = ECONNREFUSED;
    try {
        wb::check("connect", -1);
        FAIL() << "check did not throw";
    } catch (const wb::SystemError& e) {
        EXPECT_EQ(e.call(), "connect");
        EXPECT_EQ(e.code(), ECONNREFUSED);
        EXPECT_STREQ(e.what(), "[Errno 111] Connection refused");
    }
}

TEST(Errors, CheckGai) {
    EXPECT_NO_THROW(wb::check_gai("getaddrinfo", 0));
    try {
        wb::check_gai("getaddrinfo", EAI_NONAME);
        FAIL() << "check_gai did not throw";
    } catch (const wb::ResolverError& e) {
        EXPECT_EQ(e.call(), "getaddrinfo");
        EXPECT_EQ(e.code(), EAI_NONAME);
        EXPECT_STREQ(e.what(), "[Errno -2] Name or service not known");
    }
}
