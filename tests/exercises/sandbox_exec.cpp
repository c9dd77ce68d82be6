// tests/exercises/sandbox_exec.cpp: starts a student's program in the grading sandbox (bubblewrap).
// Not a book program: the grading's own tool (tests/exercises/sandbox.py says what the sandbox is).
//
// Every start of a graded program (hundreds in a class's grading) went through bash, setpriv,
// bwrap, env and prlimit; on a virtual machine each process costs milliseconds of CPU. This one
// small static program does the work of all but bwrap, in two steps:
//
// Outside, as sandbox.py's wrapper script runs it:
//   sandbox-exec --inside PATH [--drop UID] [--limit NAME=N]... [--keep VAR]...
//                -- BWRAP [ARG...] -- PROGRAM [ARG...]
// (BWRAP binds this program at PATH) ignores the signals a grader sends to the program's group
// (bwrap must outlive a Ctrl-C), keeps each limit unless a lower hard limit is in force already,
// keeps only PATH and the --keep variables (LISTEN_PID becomes 2, the program's PID in the
// sandbox), becomes UID (grading as root; what setpriv did), and runs
//   BWRAP [ARG...] -- PATH --inner [--limit NAME=N]... -- PROGRAM [ARG...]
// Inside (the first process of the sandbox):
//   sandbox-exec --inner [--limit NAME=N]... -- PROGRAM [ARG...]
// gives every signal its default handling back (what env --default-signal did), sets each limit,
// soft and hard (what prlimit did), and runs PROGRAM. NAME: nproc, as, fsize, cpu, core.
// The process limit is set inside: it counts the processes of the sandbox's own user namespace.
//
// Errors: one line on stderr, exit 126 (as env: could not run it), 127 when PROGRAM is missing.
#include <grp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* kPath = "PATH=/usr/local/bin:/usr/bin:/bin";
// The signals a grader sends to the program's process group (Ctrl-C and the like)
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};

[[noreturn]] void fail(const std::string& what, int status = 126) {
    std::fprintf(stderr, "sandbox-exec: %s\n", what.c_str());
    std::exit(status);
}

[[noreturn]] void fail_errno(const std::string& what) { fail(what + ": " + std::strerror(errno)); }

struct Limit {
    std::string text;  // NAME=N, as given
    int resource;
    rlim_t value;
};

Limit parse_limit(const std::string& text) {
    const auto eq = text.find('=');
    const std::string name = text.substr(0, eq);
    int resource = -1;
    if (name == "nproc") resource = RLIMIT_NPROC;
    if (name == "as") resource = RLIMIT_AS;
    if (name == "fsize") resource = RLIMIT_FSIZE;
    if (name == "cpu") resource = RLIMIT_CPU;
    if (name == "core") resource = RLIMIT_CORE;
    char* end = nullptr;
    errno = 0;
    const unsigned long long value =
        eq == std::string::npos ? 0 : std::strtoull(text.c_str() + eq + 1, &end, 10);
    if (resource < 0 || end == nullptr || *end != '\0' || end == text.c_str() + eq + 1 ||
        errno != 0) {
        fail("bad limit '" + text + "' (NAME=N, NAME one of nproc, as, fsize, cpu, core)");
    }
    return {text, resource, static_cast<rlim_t>(value)};
}

// exec_or_fail: runs argv (with environment env, or this process's own) or says why it cannot.
[[noreturn]] void exec_or_fail(std::vector<const char*> argv, const std::vector<std::string>* env) {
    argv.push_back(nullptr);
    std::vector<const char*> envp;
    if (env != nullptr) {
        for (const auto& e : *env) envp.push_back(e.c_str());
        envp.push_back(nullptr);
        execve(argv[0], const_cast<char* const*>(argv.data()),
               const_cast<char* const*>(envp.data()));
    } else {
        execv(argv[0], const_cast<char* const*>(argv.data()));
    }
    if (errno == ENOENT) fail(std::string(argv[0]) + ": " + std::strerror(errno), 127);
    fail_errno(std::string("cannot run ") + argv[0]);
}

[[noreturn]] void inside(const std::vector<Limit>& limits,
                         const std::vector<const char*>& program) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, nullptr);  // (some are invalid: no matter)
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    unsetenv("PWD");  // bwrap's own, for its --chdir: the program gets only what the outside kept
    for (const auto& l : limits) {
        const rlimit r{l.value, l.value};
        if (setrlimit(l.resource, &r) != 0) fail_errno("setrlimit " + l.text);
    }
    exec_or_fail(program, nullptr);
}

[[noreturn]] void outside(const char* inside_path, const char* drop,
                          const std::vector<Limit>& limits, const std::vector<std::string>& keep,
                          std::vector<const char*> bwrap, const std::vector<const char*>& program) {
    // each limit, unless a lower one is set already (a grader's prlimit --nofile=16 NAME)
    std::vector<std::string> kept;
    for (const auto& l : limits) {
        rlimit now{};
        if (getrlimit(l.resource, &now) != 0) fail_errno("getrlimit " + l.text);
        if (now.rlim_max == RLIM_INFINITY || now.rlim_max > l.value) kept.push_back(l.text);
    }
    std::vector<std::string> env{kPath};
    for (const auto& name : keep) {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) continue;
        env.push_back(name + "=" +
                      (name == "LISTEN_PID" ? "2" : value));  // the program is PID 2 inside
    }
    for (int sig : kForwarded) std::signal(sig, SIG_IGN);
    if (drop != nullptr) {  // root: the sandbox runs as this unprivileged uid (and gid)
        char* end = nullptr;
        const unsigned long id = std::strtoul(drop, &end, 10);
        if (*drop == '\0' || *end != '\0') fail(std::string("bad uid '") + drop + "'");
        const auto uid = static_cast<uid_t>(id);
        const auto gid = static_cast<gid_t>(id);
        if (setgroups(0, nullptr) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0) {
            fail_errno(std::string("cannot become uid ") + drop);
        }
        if (setuid(0) == 0) fail("still root after giving it up");  // (it must be gone for good)
    }
    for (const char* arg : {"--", inside_path, "--inner"}) bwrap.push_back(arg);
    for (const auto& l : kept) {
        bwrap.push_back("--limit");
        bwrap.push_back(l.c_str());
    }
    bwrap.push_back("--");
    bwrap.insert(bwrap.end(), program.begin(), program.end());
    exec_or_fail(bwrap, &env);
}

}  // namespace

int main(int argc, char* argv[]) {
    bool inner = false;
    const char* drop = nullptr;
    const char* inside_path = nullptr;
    std::vector<Limit> limits;
    std::vector<std::string> keep;
    int i = 1;
    for (; i < argc && std::string_view(argv[i]) != "--"; ++i) {
        const std::string_view opt = argv[i];
        if (opt == "--inner") {
            inner = true;
        } else if ((opt == "--inside" || opt == "--drop" || opt == "--limit" || opt == "--keep") &&
                   i + 1 < argc) {
            const char* value = argv[++i];
            if (opt == "--inside") inside_path = value;
            if (opt == "--drop") drop = value;
            if (opt == "--limit") limits.push_back(parse_limit(value));
            if (opt == "--keep") keep.emplace_back(value);
        } else {
            fail(
                "usage: sandbox-exec --inside PATH [--drop UID] [--limit NAME=N]... [--keep "
                "VAR]... -- BWRAP... "
                "-- PROGRAM...\n"
                "       sandbox-exec --inner [--limit NAME=N]... -- PROGRAM...",
                2);
        }
    }
    std::vector<const char*> first;  // inside: PROGRAM...; outside: BWRAP...
    for (++i; i < argc && (inner || std::string_view(argv[i]) != "--"); ++i)
        first.push_back(argv[i]);
    if (inner) {
        if (first.empty()) fail("no program to run", 2);
        inside(limits, first);
    }
    std::vector<const char*> program;
    for (++i; i < argc; ++i) program.push_back(argv[i]);
    if (inside_path == nullptr || first.empty() || program.empty()) {
        fail("no --inside PATH, no bwrap command or no program (see the usage in sandbox_exec.cpp)",
             2);
    }
    outside(inside_path, drop, limits, keep, first, program);
}
