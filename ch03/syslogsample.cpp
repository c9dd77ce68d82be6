// ch03/syslogsample.cpp: log start-up, two errors and shut-down to syslog.
// Book: section 3.6.1 Using syslog in Python (在Python中使用syslog), syslogsample.py
//
// A server in the background has no terminal; it tells the system logger.
// openlog() names the program and picks the facility (LOG_DAEMON, "a system
// daemon"); each syslog() call then sends one message with a priority,
// LOG_INFO or LOG_ERR here. glibc sends it to /dev/log, where rsyslogd or
// syslogd stores it with the time, the host and the tag, in a file such as
// /var/log/daemon.log: `Nov 26 01:49:30 host syslogsample[4242]: Started.`
// An error is logged where it is caught: syslog(LOG_ERR, ...).
//
// Usage:   syslogsample
// Partner: the system's syslog daemon (rsyslogd, busybox syslogd).
// Try:     ./build/ch03/syslogsample; grep syslogsample /var/log/syslog
#include <syslog.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "program.hpp"

const wb::Spec spec{};

// The book's logexception(): the error's class and message at LOG_ERR. Its
// long form logs a traceback, one syslog() call per line (a log message is
// one line); C++ keeps no traceback, so ours logs what the program was
// doing, then the error.
void log_exception(const std::runtime_error& e, const char* doing = nullptr) {
    if (doing != nullptr) syslog(LOG_ERR, "%s:", doing);
    syslog(LOG_ERR, "std::runtime_error: %s", e.what());
}

void start_service() { throw std::runtime_error("Exception 2"); }

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args&) {
        // The book's initsyslog(): the tag "syslogsample[PID]", made by hand
        // as the book does. openlog() keeps the pointer, hence static.
        static const std::string ident = wb::program_name() + "[" + std::to_string(getpid()) + "]";
        openlog(ident.c_str(), 0, LOG_DAEMON);
        syslog(LOG_INFO, "Started.");

        try {
            throw std::runtime_error("Exception 1");
        } catch (const std::runtime_error& e) {
            log_exception(e);  // the short form: one line
        }

        try {
            start_service();
        } catch (const std::runtime_error& e) {
            log_exception(e, "Could not start the service");  // the long form
        }

        syslog(LOG_INFO, "I'm terminating.");
        closelog();
        return 0;
    });
}
