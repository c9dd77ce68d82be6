// common/program.cpp: see program.hpp.
#include "program.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "errors.hpp"

namespace wb {

namespace {

std::string prog_name = "program";
std::string gathered;  // write_stdout_buffered()'s output, not yet written
constexpr std::size_t gather_size = std::size_t{64} * 1024;
volatile std::sig_atomic_t interrupt_flag = 0;

bool contains(const std::vector<std::string>& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

void on_interrupt(int) { interrupt_flag = 1; }

}  // namespace

const std::string& program_name() { return prog_name; }

Args::Args(const Spec& spec, const std::vector<std::string>& words) {
    bool only_positional = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (only_positional || word.size() < 2 || word[0] != '-') {
            positional_.push_back(word);
            continue;
        }
        if (word == "--") {
            only_positional = true;
            continue;
        }
        std::size_t eq = word.find('=');
        std::string name = word.substr(0, eq);
        if (contains(spec.flags, name) && eq == std::string::npos) {
            options_[name] = "";
        } else if (contains(spec.options, name)) {
            if (eq != std::string::npos)
                options_[name] = word.substr(eq + 1);
            else if (i + 1 < words.size())
                options_[name] = words[++i];
            else
                throw UsageError("option " + name + " needs a value");
        } else {
            throw UsageError("unknown option " + word);
        }
    }
    if (positional_.size() < spec.min_args || positional_.size() > spec.max_args) {
        std::string want = std::to_string(spec.min_args);
        if (spec.max_args != spec.min_args) want += " to " + std::to_string(spec.max_args);
        throw UsageError("expected " + want + " argument" + (spec.max_args == 1 ? "" : "s") +
                         ", got " + std::to_string(positional_.size()));
    }
}

bool Args::has(std::string_view option) const { return options_.find(option) != options_.end(); }

std::string Args::get(std::string_view option, const std::string& fallback) const {
    auto it = options_.find(option);
    return it == options_.end() ? fallback : it->second;
}

unsigned Args::port(std::string_view option, unsigned fallback, const char* proto) const {
    return has(option) ? command_line_port(option, get(option, ""), proto) : fallback;
}

unsigned command_line_port(std::string_view name, const std::string& text, const char* proto) {
    try {
        return parse_port(text, proto);
    } catch (const std::invalid_argument& e) {
        throw UsageError("bad " + std::string(name) + " '" + text + "': " + e.what());
    }
}

std::string describe(const std::exception& e) {
    if (const auto* call = dynamic_cast<const CallError*>(&e))
        return call->call() + ": " + call->what();
    return e.what();
}

bool write_stdout(const char* data, std::size_t n) {
    return std::fwrite(data, 1, n, stdout) == n && std::fflush(stdout) == 0;
}

bool write_stdout_buffered(const char* data, std::size_t n) {
    // Python's sys.stdout: on a terminal each piece shows at once; into a
    // pipe or a file it is gathered into 64 KiB writes, not one per line.
    static const bool terminal = isatty(STDOUT_FILENO) != 0;
    if (terminal) return write_stdout(data, n);
    gathered.append(data, n);
    return gathered.size() < gather_size || flush_stdout();
}

bool flush_stdout() {
    if (std::fflush(stdout) != 0) return false;
    std::size_t done = 0;
    while (done < gathered.size()) {
        ssize_t n = ::write(STDOUT_FILENO, gathered.data() + done, gathered.size() - done);
        if (n < 0 && errno == EINTR) continue;  // a signal: go on writing
        if (n < 0) {
            gathered.erase(0, done);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    gathered.clear();
    return true;
}

double Args::number(std::string_view option, double fallback, double lo, double hi) const {
    if (!has(option)) return fallback;
    std::string text = get(option, "");
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= lo && value <= hi)) {
        char range[64];
        std::snprintf(range, sizeof range, "%g to %g", lo, hi);
        throw UsageError("bad " + std::string(option) + " '" + text + "': expected a number from " +
                         range);
    }
    return value;
}

unsigned parse_port(std::string_view text, const char* proto) {
    bool numeric =
        !text.empty() && text.size() <= 9 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric) {
        unsigned long value = std::stoul(std::string(text));
        if (value > 65535)
            throw std::invalid_argument("port number out of range: " + std::string(text));
        return static_cast<unsigned>(value);
    }
    std::string name(text);
    const servent* service = getservbyname(name.c_str(), proto);
    if (service == nullptr) throw std::invalid_argument("service/proto not found");
    return ntohs(static_cast<uint16_t>(service->s_port));
}

void stop_on_interrupt() {
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocking call returns EINTR
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return interrupt_flag != 0; }

namespace {

// wait_readable() (POLLIN) and wait_writable() (POLLOUT).
bool wait_for(int fd, short events) {
    if (fd < 0) return true;  // poll() would ignore it: let the real call fail (EBADF)
    sigset_t interrupts, before;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigprocmask(SIG_BLOCK, &interrupts, &before);
    int ready = 0;
    while (!interrupted() && ready == 0) {
        pollfd want = {fd, events, 0};
        ready = ppoll(&want, 1, nullptr, &before);  // -1 with EINTR: a signal came
        if (ready < 0 && errno == EINTR) ready = 0;
    }
    int err = errno;
    sigprocmask(SIG_SETMASK, &before, nullptr);
    if (ready < 0) throw SystemError("ppoll", err);
    return ready > 0;
}

}  // namespace

bool wait_readable(int fd) { return wait_for(fd, POLLIN); }

bool wait_writable(int fd) { return wait_for(fd, POLLOUT); }

int run(int argc, char* argv[], const Spec& spec, const std::function<int(const Args&)>& body) {
    if (argc > 0 && argv[0] != nullptr) {
        prog_name = argv[0];
        std::size_t slash = prog_name.rfind('/');
        if (slash != std::string::npos) prog_name.erase(0, slash + 1);
    }
    std::string usage = "usage: " + prog_name + (spec.synopsis.empty() ? "" : " ") + spec.synopsis;

    // Line-buffered output, so a partner program (or a test) reading our
    // stdout through a pipe sees each line as soon as it is printed.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    // Like Python, report writing to a closed connection as an error (EPIPE)
    // instead of being killed by SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);

    std::vector<std::string> words(argv + (argc > 0 ? 1 : 0), argv + argc);
    for (const std::string& word : words) {
        if (word == "--") break;
        if (word == "-h" || word == "--help") {
            std::cout << usage << '\n';
            if (!spec.help.empty())
                std::cout << spec.help << (spec.help.back() == '\n' ? "" : "\n");
            return 0;
        }
    }

    try {
        Args args(spec, words);
        int status = body(args);
        // What write_stdout_buffered() gathered: failing to write it is an error too.
        if (!flush_stdout()) throw SystemError("write", errno);
        return status;
    } catch (const UsageError& e) {
        std::cerr << usage << '\n' << prog_name << ": error: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        flush_stdout();  // what came before the error, then the error
        std::cerr << prog_name << ": " << describe(e) << '\n';
    }
    return 1;
}

}  // namespace wb
