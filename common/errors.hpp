// common/errors.hpp: error text the way Python prints it, and checked calls.
//
// Python reports a failed system call as `[Errno 111] Connection refused` and
// a failed name lookup as `[Errno -2] Name or service not known`. The
// workbook's programs print the same text, so a student can put the C++ and
// the Python outputs side by side.
//
//   int fd = wb::check("socket", socket(AF_INET, SOCK_STREAM, 0));
//
// check() returns the call's result, or throws wb::SystemError (Python's
// socket.error / OSError) naming the call. check_gai() does the same for
// getaddrinfo()/getnameinfo() codes and throws wb::ResolverError (Python's
// socket.gaierror).
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>

namespace wb {

// "[Errno 111] Connection refused"
std::string errno_text(int err);

// "[Errno -2] Name or service not known" (EAI_SYSTEM gives errno's text)
std::string gai_text(int code);

// A failed call: what() is Python's text, call() names the call, code() is
// errno or getaddrinfo's EAI_* code (for EAI_SYSTEM the text shows errno).
// Catch this to handle both kinds below.
class CallError : public std::runtime_error {
public:
    CallError(std::string call, int code, const std::string& text)
        : std::runtime_error(text), call_(std::move(call)), code_(code) {}
    const std::string& call() const { return call_; }
    int code() const { return code_; }

private:
    std::string call_;
    int code_;
};

// A failed system call (Python's socket.error / OSError): code() is errno.
class SystemError : public CallError {
public:
    SystemError(std::string call, int err) : CallError(std::move(call), err, errno_text(err)) {}
};

// A failed name or address lookup (Python's socket.gaierror): code() is
// getaddrinfo's EAI_* code.
class ResolverError : public CallError {
public:
    ResolverError(std::string call, int code) : CallError(std::move(call), code, gai_text(code)) {}
};

// Returns `result` unless it is negative; then throws SystemError(call, errno).
template <typename T>
T check(const char* call, T result) {
    if (result < 0) throw SystemError(call, errno);
    return result;
}

// Throws ResolverError(call, code) unless `code` is 0 (getaddrinfo's success).
void check_gai(const char* call, int code);

}  // namespace wb
