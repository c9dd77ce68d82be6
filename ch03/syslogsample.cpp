// ch03/syslogsample.cpp: log start-up, two errors and shut-down to syslog.
// Book: chapter 3, section "Using syslog" (syslogsample.py)
//
// A server that runs in the background has no terminal to print on; it
// tells the system logger instead. openlog() names the program and picks
// the facility (LOG_DAEMON: "a system daemon"); each syslog() call then
// sends one message with a priority. glibc sends it to the socket /dev/log,
// where rsyslogd or syslogd stores it, e.g. in /var/log/daemon.log:
//   Nov 26 01:49:30 host syslogsample[4242]: Started.
//
// As in the book, the ident is "PROG[PID]" built by hand. (openlog's
// LOG_PID option makes the same tag; syslogserver.cpp uses that.) glibc
// keeps the pointer openlog() gets, so the string must outlive every call.
//
// The program logs:
//   Started.                                      at LOG_INFO
//   std::runtime_error: Exception 1               at LOG_ERR, one line
//   the full description of a second error        at LOG_ERR, one call a line
//   I'm terminating.                              at LOG_INFO
// The book logs the second error's traceback. C++ has no traceback, so the
// second error records where it was thrown (std::source_location) and
// nests the error that caused it (std::nested_exception); we log that
// chain, outermost first, in the traceback's shape:
//   Traceback (innermost last):
//     File "syslogsample.cpp", line N, in void start_service()
//   TracedError: Could not start the service
//     File "syslogsample.cpp", line M, in void open_database()
//   TracedError: Exception 2
// where N and M are the lines of this file that hold the two `throw
// TracedError(...)` statements below: the compiler fills them in.
// The type names come from typeid(), demangled with the Itanium C++ ABI's
// abi::__cxa_demangle (g++ and clang on Linux).
//
// Usage:   syslogsample
// Partner: the system's syslog daemon (rsyslogd, busybox syslogd).
// Try:     ./build/ch03/syslogsample; grep syslogsample /var/log/syslog
#include <cxxabi.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <typeinfo>

#include "program.hpp"

const wb::Spec spec{};

// An error that remembers where it was thrown, and (std::nested_exception)
// the error being handled when it was made, if any: its cause.
class TracedError : public std::runtime_error, public std::nested_exception {
public:
    explicit TracedError(const std::string& what,
                         std::source_location where = std::source_location::current())
        : std::runtime_error(what), where_(where) {}
    const std::source_location& where() const { return where_; }

private:
    std::source_location where_;
};

// The readable name of an object's type: "std::runtime_error".
std::string type_name(const std::exception& e) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &status), std::free);
    return status == 0 ? name.get() : typeid(e).name();
}

// The book's logexception(0): the error's type and text, one line.
void log_exception(const std::exception& e) {
    syslog(LOG_ERR, "%s: %s", type_name(e).c_str(), e.what());
}

// The book's logexception(1): the whole story, one syslog() call per line.
void log_traceback(const std::exception& e) {
    const auto* traced = dynamic_cast<const TracedError*>(&e);
    if (traced != nullptr) {
        std::string file = traced->where().file_name();
        file.erase(0, file.rfind('/') + 1);  // the file's name, not its path
        syslog(LOG_ERR, "  File \"%s\", line %u, in %s", file.c_str(),
               static_cast<unsigned>(traced->where().line()), traced->where().function_name());
    }
    syslog(LOG_ERR, "%s: %s", type_name(e).c_str(), e.what());
    if (traced != nullptr && traced->nested_ptr()) {  // go on with its cause
        try {
            traced->rethrow_nested();
        } catch (const std::exception& cause) {
            log_traceback(cause);
        }
    }
}

void log_exception_chain(const std::exception& e) {
    syslog(LOG_ERR, "%s", "Traceback (innermost last):");
    log_traceback(e);
}

// Where the second error happens: a failure two calls deep.
void open_database() { throw TracedError("Exception 2"); }

void start_service() {
    try {
        open_database();
    } catch (...) {
        throw TracedError("Could not start the service");  // nests the error above
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args&) {
        // The book's initsyslog(). openlog() keeps this pointer: static.
        static const std::string ident = wb::program_name() + "[" + std::to_string(getpid()) + "]";
        openlog(ident.c_str(), 0, LOG_DAEMON);
        syslog(LOG_INFO, "%s", "Started.");

        try {
            throw std::runtime_error("Exception 1");
        } catch (const std::exception& e) {
            log_exception(e);
        }

        try {
            start_service();
        } catch (const std::exception& e) {
            log_exception_chain(e);
        }

        syslog(LOG_INFO, "%s", "I'm terminating.");
        closelog();
        return 0;
    });
}
