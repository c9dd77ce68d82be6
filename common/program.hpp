// common/program.hpp: the parts of a program that no book section is about.
//
// Every workbook program has the same outline:
//
//   int main(int argc, char* argv[]) {
//       return wb::run(argc, argv, spec, [](const wb::Args& args) { ...; return 0; });
//   }
//
// wb::run() handles -h/--help, checks the command line against `spec`
// (printing `usage: ...` and exiting 2 when it does not fit), and turns an
// error that escapes the program into one line on stderr and exit status 1,
// the C++ analog of the traceback a Python program would print:
//
//   gopherclient: connect: [Errno 111] Connection refused
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wb {

// What a program accepts on its command line.
struct Spec {
    std::string synopsis = {};              // e.g. "[--port PORT] HOST SELECTOR"
    std::size_t min_args = 0;               // positional arguments, at least
    std::size_t max_args = 0;               // and at most
    std::vector<std::string> options = {};  // options that take a value ("--port")
    std::vector<std::string> flags = {};    // options that take none ("--values")
    std::string help = {};                  // more lines for --help
};

// Bad command-line input: run() prints the usage line, this, and exits 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command line, checked against a Spec.
class Args {
public:
    Args(const Spec& spec, const std::vector<std::string>& words);

    std::size_t size() const { return positional_.size(); }
    const std::string& operator[](std::size_t i) const { return positional_.at(i); }

    bool has(std::string_view option) const;  // given on the command line?
    std::string get(std::string_view option, const std::string& fallback) const;

    // A port option: a number 0-65535 or a service name for `proto`.
    unsigned port(std::string_view option, unsigned fallback, const char* proto = "tcp") const;

    // A number option within [lo, hi]; a bad one is a UsageError naming it.
    double number(std::string_view option, double fallback, double lo, double hi) const;

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string, std::less<>> options_;
};

// Runs `body` as described above; returns the exit status for main().
int run(int argc, char* argv[], const Spec& spec, const std::function<int(const Args&)>& body);

// The program's name as it was invoked (argv[0] without its directory).
const std::string& program_name();

// A port given on the command line as `name` (an option such as "--port",
// or an argument such as "PORT"): as parse_port(), but a bad one is a
// UsageError naming it: "bad PORT 'nosuch': service/proto not found".
unsigned command_line_port(std::string_view name, const std::string& text,
                           const char* proto = "tcp");

// An error's one-line text, as run() prints it after the program's name:
// "connect: [Errno 111] Connection refused" (the call, for a SystemError or
// ResolverError), else what() alone. For servers that report and go on.
std::string describe(const std::exception& e);

// Copies data to stdout at once; false (errno set) when stdout fails, such
// as a pipe whose reader has gone (EPIPE: run() ignores SIGPIPE).
bool write_stdout(const char* data, std::size_t n);

// The same as Python's sys.stdout.write() does it, for programs that copy a
// whole document: at once on a terminal; into a pipe or a file gathered
// into 64 KiB writes, the rest written by flush_stdout(): before a
// SocketFile waits for input, and when the program ends (run() reports a
// failure then).
bool write_stdout_buffered(const char* data, std::size_t n);

// Writes what stdout and write_stdout_buffered() hold; false (errno set)
// when that fails.
bool flush_stdout();

// A port: a decimal number 0-65535, or a service name looked up with
// getservbyname(name, proto). Throws std::invalid_argument with Python's
// text ("service/proto not found") or "port number out of range: N".
unsigned parse_port(std::string_view text, const char* proto = "tcp");

// Ctrl-C (SIGINT) and SIGTERM set a flag instead of killing the program,
// and make the blocking call in progress (accept, recv, ...) fail with
// EINTR, so a loop can notice interrupted() and end cleanly.
void stop_on_interrupt();
bool interrupted();

// Waits until `fd` has something to read (a connection to accept, data, end
// of file or an error); returns false once Ctrl-C or SIGTERM has come.
// Checking interrupted() and then calling accept() would leave a gap: a
// Ctrl-C landing between the two finds accept() not yet started, and it
// waits for the next client. So the signals are blocked while we check, and
// ppoll() unblocks them only while it waits, in one step.
bool wait_readable(int fd);

// The same for writing: waits until `fd` has room for more (or an error);
// false once Ctrl-C or SIGTERM has come. A send() that blocks would miss a
// Ctrl-C that came just before it, and after a partial write it returns
// the count, not EINTR: send_all() and SocketFile wait here instead.
bool wait_writable(int fd);

}  // namespace wb
