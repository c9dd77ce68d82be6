// ch03/sockopts.cpp: list the socket options this platform defines.
// Book: chapter 3, section "Preparing to Connect" (sockopts.py)
//
// Python finds the options by listing the names in its socket module that
// start with SO_. C++ has no such list at run time: the names are macros in
// <sys/socket.h>. So the table below holds every SO_ option Linux defines,
// each entry guarded by #ifdef, which keeps exactly the ones this system's
// headers define. They print sorted, one per line, as in the book.
//
// With --values, each name is followed by the option's value on a fresh
// TCP socket, read with getsockopt() at the SOL_SOCKET level (an option
// that cannot be read there, such as SO_ATTACH_FILTER, shows the error).
// Integer options show a number; SO_LINGER and the timeouts show their
// structures.
//
// Usage:   sockopts [--values]
// Partner: none.
// Try:     ./build/ch03/sockopts --values | grep -E 'SO_(RCV|SND)BUF'
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[--values]", .flags = {"--values"},
                    .help = "  --values  also show each option's value on a new TCP socket"};

struct Option {
    std::string name;
    int value;
};

#define OPTION(name) Option{#name, name}

// Every SO_ name in Linux's <asm-generic/socket.h>; #ifdef keeps the ones
// this system defines. Left out are the aliases: SO_GET_FILTER and
// SO_DETACH_BPF (other names for SO_ATTACH_FILTER and SO_DETACH_FILTER)
// and the *_OLD / *_NEW variants behind SO_TIMESTAMP* and SO_*TIMEO,
// which the plain names already stand for.
std::vector<Option> socket_options() {
    return {
#ifdef SO_ACCEPTCONN
        OPTION(SO_ACCEPTCONN),
#endif
#ifdef SO_ATTACH_BPF
        OPTION(SO_ATTACH_BPF),
#endif
#ifdef SO_ATTACH_FILTER
        OPTION(SO_ATTACH_FILTER),
#endif
#ifdef SO_ATTACH_REUSEPORT_CBPF
        OPTION(SO_ATTACH_REUSEPORT_CBPF),
#endif
#ifdef SO_ATTACH_REUSEPORT_EBPF
        OPTION(SO_ATTACH_REUSEPORT_EBPF),
#endif
#ifdef SO_BINDTODEVICE
        OPTION(SO_BINDTODEVICE),
#endif
#ifdef SO_BINDTOIFINDEX
        OPTION(SO_BINDTOIFINDEX),
#endif
#ifdef SO_BPF_EXTENSIONS
        OPTION(SO_BPF_EXTENSIONS),
#endif
#ifdef SO_BROADCAST
        OPTION(SO_BROADCAST),
#endif
#ifdef SO_BSDCOMPAT
        OPTION(SO_BSDCOMPAT),
#endif
#ifdef SO_BUF_LOCK
        OPTION(SO_BUF_LOCK),
#endif
#ifdef SO_BUSY_POLL
        OPTION(SO_BUSY_POLL),
#endif
#ifdef SO_BUSY_POLL_BUDGET
        OPTION(SO_BUSY_POLL_BUDGET),
#endif
#ifdef SO_CNX_ADVICE
        OPTION(SO_CNX_ADVICE),
#endif
#ifdef SO_COOKIE
        OPTION(SO_COOKIE),
#endif
#ifdef SO_DEBUG
        OPTION(SO_DEBUG),
#endif
#ifdef SO_DETACH_FILTER
        OPTION(SO_DETACH_FILTER),
#endif
#ifdef SO_DETACH_REUSEPORT_BPF
        OPTION(SO_DETACH_REUSEPORT_BPF),
#endif
#ifdef SO_DOMAIN
        OPTION(SO_DOMAIN),
#endif
#ifdef SO_DONTROUTE
        OPTION(SO_DONTROUTE),
#endif
#ifdef SO_ERROR
        OPTION(SO_ERROR),
#endif
#ifdef SO_INCOMING_CPU
        OPTION(SO_INCOMING_CPU),
#endif
#ifdef SO_INCOMING_NAPI_ID
        OPTION(SO_INCOMING_NAPI_ID),
#endif
#ifdef SO_KEEPALIVE
        OPTION(SO_KEEPALIVE),
#endif
#ifdef SO_LINGER
        OPTION(SO_LINGER),
#endif
#ifdef SO_LOCK_FILTER
        OPTION(SO_LOCK_FILTER),
#endif
#ifdef SO_MARK
        OPTION(SO_MARK),
#endif
#ifdef SO_MAX_PACING_RATE
        OPTION(SO_MAX_PACING_RATE),
#endif
#ifdef SO_MEMINFO
        OPTION(SO_MEMINFO),
#endif
#ifdef SO_NETNS_COOKIE
        OPTION(SO_NETNS_COOKIE),
#endif
#ifdef SO_NOFCS
        OPTION(SO_NOFCS),
#endif
#ifdef SO_NO_CHECK
        OPTION(SO_NO_CHECK),
#endif
#ifdef SO_OOBINLINE
        OPTION(SO_OOBINLINE),
#endif
#ifdef SO_PASSCRED
        OPTION(SO_PASSCRED),
#endif
#ifdef SO_PASSPIDFD
        OPTION(SO_PASSPIDFD),
#endif
#ifdef SO_PASSSEC
        OPTION(SO_PASSSEC),
#endif
#ifdef SO_PEEK_OFF
        OPTION(SO_PEEK_OFF),
#endif
#ifdef SO_PEERCRED
        OPTION(SO_PEERCRED),
#endif
#ifdef SO_PEERGROUPS
        OPTION(SO_PEERGROUPS),
#endif
#ifdef SO_PEERNAME
        OPTION(SO_PEERNAME),
#endif
#ifdef SO_PEERPIDFD
        OPTION(SO_PEERPIDFD),
#endif
#ifdef SO_PEERSEC
        OPTION(SO_PEERSEC),
#endif
#ifdef SO_PREFER_BUSY_POLL
        OPTION(SO_PREFER_BUSY_POLL),
#endif
#ifdef SO_PRIORITY
        OPTION(SO_PRIORITY),
#endif
#ifdef SO_PROTOCOL
        OPTION(SO_PROTOCOL),
#endif
#ifdef SO_RCVBUF
        OPTION(SO_RCVBUF),
#endif
#ifdef SO_RCVBUFFORCE
        OPTION(SO_RCVBUFFORCE),
#endif
#ifdef SO_RCVLOWAT
        OPTION(SO_RCVLOWAT),
#endif
#ifdef SO_RCVMARK
        OPTION(SO_RCVMARK),
#endif
#ifdef SO_RCVTIMEO
        OPTION(SO_RCVTIMEO),
#endif
#ifdef SO_RESERVE_MEM
        OPTION(SO_RESERVE_MEM),
#endif
#ifdef SO_REUSEADDR
        OPTION(SO_REUSEADDR),
#endif
#ifdef SO_REUSEPORT
        OPTION(SO_REUSEPORT),
#endif
#ifdef SO_RXQ_OVFL
        OPTION(SO_RXQ_OVFL),
#endif
#ifdef SO_SECURITY_AUTHENTICATION
        OPTION(SO_SECURITY_AUTHENTICATION),
#endif
#ifdef SO_SECURITY_ENCRYPTION_NETWORK
        OPTION(SO_SECURITY_ENCRYPTION_NETWORK),
#endif
#ifdef SO_SECURITY_ENCRYPTION_TRANSPORT
        OPTION(SO_SECURITY_ENCRYPTION_TRANSPORT),
#endif
#ifdef SO_SELECT_ERR_QUEUE
        OPTION(SO_SELECT_ERR_QUEUE),
#endif
#ifdef SO_SNDBUF
        OPTION(SO_SNDBUF),
#endif
#ifdef SO_SNDBUFFORCE
        OPTION(SO_SNDBUFFORCE),
#endif
#ifdef SO_SNDLOWAT
        OPTION(SO_SNDLOWAT),
#endif
#ifdef SO_SNDTIMEO
        OPTION(SO_SNDTIMEO),
#endif
#ifdef SO_TIMESTAMP
        OPTION(SO_TIMESTAMP),
#endif
#ifdef SO_TIMESTAMPING
        OPTION(SO_TIMESTAMPING),
#endif
#ifdef SO_TIMESTAMPNS
        OPTION(SO_TIMESTAMPNS),
#endif
#ifdef SO_TXREHASH
        OPTION(SO_TXREHASH),
#endif
#ifdef SO_TXTIME
        OPTION(SO_TXTIME),
#endif
#ifdef SO_TYPE
        OPTION(SO_TYPE),
#endif
#ifdef SO_WIFI_STATUS
        OPTION(SO_WIFI_STATUS),
#endif
#ifdef SO_ZEROCOPY
        OPTION(SO_ZEROCOPY),
#endif
    };
}

// The option's value on socket `fd`, as text.
std::string value_of(int fd, const Option& option) {
    unsigned char buf[256] = {};
    socklen_t len = sizeof buf;
    if (getsockopt(fd, SOL_SOCKET, option.value, buf, &len) < 0) return wb::errno_text(errno);
    if (option.value == SO_LINGER && len == sizeof(linger)) {
        linger l;
        std::copy(buf, buf + sizeof l, reinterpret_cast<unsigned char*>(&l));
        return "l_onoff=" + std::to_string(l.l_onoff) + " l_linger=" + std::to_string(l.l_linger);
    }
    if ((option.value == SO_RCVTIMEO || option.value == SO_SNDTIMEO) && len == sizeof(timeval)) {
        timeval t;
        std::copy(buf, buf + sizeof t, reinterpret_cast<unsigned char*>(&t));
        return "tv_sec=" + std::to_string(t.tv_sec) + " tv_usec=" + std::to_string(t.tv_usec);
    }
    if (len == sizeof(int)) {
        int i;
        std::copy(buf, buf + sizeof i, reinterpret_cast<unsigned char*>(&i));
        return std::to_string(i);
    }
    if (len == 0) return "(empty)";
    return "(" + std::to_string(len) + " bytes)";
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        std::vector<Option> options = socket_options();
        std::sort(options.begin(), options.end(),
                  [](const Option& a, const Option& b) { return a.name < b.name; });
        wb::Fd s;
        if (args.has("--values")) s.reset(wb::check("socket", socket(AF_INET, SOCK_STREAM, 0)));
        for (const Option& option : options) {
            std::cout << option.name;
            if (s.valid()) std::cout << " = " << value_of(s.get(), option);
            std::cout << '\n';
        }
        return 0;
    });
}
