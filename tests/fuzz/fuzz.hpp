// tests/fuzz/fuzz.hpp: what the fuzz targets share (README.md, "Hostile input: fuzz and stress").
//
// A target is a LLVMFuzzerTestOneInput() (libFuzzer's entry point). The
// targets for the exercises' clients run the reference solution's own main()
// (compiled with main renamed, see meson.build) against a Peer: a server on
// loopback, in a thread, that answers every request with the fuzzer's bytes.
// Those clients connect where a reply tells them to (gopherwalk follows a
// menu's host and port), so a target first moves the process into a private
// network namespace with only `lo`: nothing it does leaves the machine, and
// the peers own the book's ports there (70 for Gopher, 53 for DNS).
#pragma once

#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fuzz {

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "fuzz: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

// The process, from now on, in a private network namespace (and, with
// `resolv_conf`, a private mount namespace where /etc/resolv.conf holds it).
// A normal user gets there through a user namespace of its own. Call it
// before any thread starts.
inline void isolate(const char* resolv_conf = nullptr) {
    int flags = CLONE_NEWNET | (resolv_conf != nullptr ? CLONE_NEWNS : 0);
    if (geteuid() != 0) flags |= CLONE_NEWUSER;
    if (unshare(flags) != 0) fail("unshare (a private network namespace)");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ifreq lo = {};
    std::strcpy(lo.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &lo) != 0) fail("SIOCGIFFLAGS lo");
    lo.ifr_flags = static_cast<short>(lo.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &lo) != 0) fail("SIOCSIFFLAGS lo up");
    close(s);
    if (resolv_conf == nullptr) return;
    std::string file = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
    file += "/fuzz-resolv.XXXXXX";
    int fd = mkstemp(file.data());
    if (fd < 0 || write(fd, resolv_conf, std::strlen(resolv_conf)) < 0) fail("a resolv.conf");
    close(fd);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount(file.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
        fail("bind-mounting /etc/resolv.conf");
    unlink(file.c_str());  // the mount keeps it
}

// What the programs print goes to /dev/null (their errors still show).
inline void quiet() {
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDOUT_FILENO) < 0) fail("/dev/null");
    close(null);
}

// Runs a program's main() with these arguments.
inline int run_main(int (*main_function)(int, char**), std::vector<std::string> words) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    return main_function(static_cast<int>(words.size()), argv.data());
}

// A server on 127.0.0.1:PORT (SOCK_STREAM or SOCK_DGRAM). While a Session
// lives, a thread answers each request with answer(request): over TCP
// once complete(request) is true, then it closes; over UDP, one datagram.
class Peer {
public:
    using Complete = std::function<bool(const std::string&)>;
    using Answer = std::function<std::string(const std::string&)>;

    Peer(int type, unsigned port, Complete complete, Answer answer)
        : type_(type), complete_(std::move(complete)), answer_(std::move(answer)) {
        fd_ = socket(AF_INET, type | SOCK_CLOEXEC, 0);
        int on = 1;
        setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in addr = {};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            (type == SOCK_STREAM && listen(fd_, 64) != 0))
            fail("a peer's socket");
    }

    // The peer answers while a Session lives (one per input).
    class Session {
    public:
        explicit Session(Peer& peer) : peer_(peer) {
            if (pipe2(stop_, O_CLOEXEC) != 0) fail("pipe");
            thread_ = std::thread([this] { peer_.serve(stop_[0]); });
        }
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;
        ~Session() {
            close(stop_[1]);  // the thread sees the end of the pipe and returns
            thread_.join();
            close(stop_[0]);
        }

    private:
        Peer& peer_;
        int stop_[2] = {-1, -1};
        std::thread thread_;
    };

private:
    // Waits for a request, or for `stop` to become readable (false).
    static bool wait(int fd, int stop) {
        for (;;) {
            pollfd want[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
            if (poll(want, 2, -1) < 0) continue;  // EINTR
            if (want[1].revents != 0) return false;
            if (want[0].revents != 0) return true;
        }
    }

    void serve(int stop) {
        char buf[65536];
        while (wait(fd_, stop)) {
            if (type_ == SOCK_DGRAM) {
                sockaddr_storage from = {};
                socklen_t len = sizeof from;
                ssize_t n =
                    recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
                if (n < 0) continue;
                std::string reply = answer_(std::string(buf, static_cast<std::size_t>(n)));
                sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
                continue;
            }
            int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            std::string request;
            bool whole = false, stopped = false;
            while (!whole && !(stopped = !wait(c, stop))) {
                ssize_t n = recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;  // the client hung up (or failed) first
                request.append(buf, static_cast<std::size_t>(n));
                whole = complete_(request);
            }
            if (whole) {
                std::string reply = answer_(request);
                for (std::size_t sent = 0; sent < reply.size();) {
                    ssize_t n = send(c, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
                    if (n <= 0) break;  // the client stopped reading and closed
                    sent += static_cast<std::size_t>(n);
                }
            }
            close(c);
            if (stopped) return;  // told to stop while a client was half-way
        }
    }

    int type_;
    int fd_ = -1;
    Complete complete_;
    Answer answer_;
};

// A DNS reply made of the fuzzer's bytes, with the query's ID in place so
// the client reads on (over TCP, each message after its 2-byte length).
inline std::string dns_reply(std::string data, const std::string& query, bool tcp) {
    std::size_t at = tcp ? 2 : 0;
    if (data.size() >= 2 && query.size() >= at + 2) data.replace(0, 2, query, at, 2);
    if (!tcp) return data;
    return std::string{static_cast<char>(data.size() >> 8), static_cast<char>(data.size() & 0xFF)} +
           data;
}

inline bool dns_tcp_complete(const std::string& r) {
    if (r.size() < 2) return false;
    std::size_t length = static_cast<unsigned char>(r[0]) * 256u + static_cast<unsigned char>(r[1]);
    return r.size() >= 2 + length;
}

inline bool line_complete(const std::string& r) { return r.find('\n') != std::string::npos; }

// The input being tried: what the peers below answer with.
inline std::string input;

// A Gopher server on 127.0.0.1:70: each selector line gets the input.
inline std::vector<Peer*> gopher_peer() {
    static Peer tcp(SOCK_STREAM, 70, line_complete, [](const std::string&) { return input; });
    return {&tcp};
}

// A DNS server on 127.0.0.1:53, UDP and TCP: each query gets the input as
// its reply (the query's ID in place).
inline std::vector<Peer*> dns_peer() {
    static Peer udp(SOCK_DGRAM, 53, nullptr,
                    [](const std::string& query) { return dns_reply(input, query, false); });
    static Peer tcp(SOCK_STREAM, 53, dns_tcp_complete,
                    [](const std::string& query) { return dns_reply(input, query, true); });
    return {&udp, &tcp};
}

// A target's LLVMFuzzerInitialize() for a client: a private network (and,
// with `resolv_conf`, that /etc/resolv.conf), its stdout to /dev/null.
inline int start_client(const char* resolv_conf = nullptr) {
    isolate(resolv_conf);
    quiet();
    return 0;
}

// A target's LLVMFuzzerTestOneInput() for a client: runs its main() with
// `words` while `peers` answer every request with the input.
inline int run_client(const std::uint8_t* data, std::size_t size, int (*main_function)(int, char**),
                      const std::vector<std::string>& words, const std::vector<Peer*>& peers) {
    if (size > 65535) return 0;  // (a DNS message's limit; plenty for a menu)
    input.assign(reinterpret_cast<const char*>(data), size);
    std::vector<std::unique_ptr<Peer::Session>> sessions;
    for (Peer* peer : peers) sessions.push_back(std::make_unique<Peer::Session>(*peer));
    run_main(main_function, words);
    return 0;
}

}  // namespace fuzz
