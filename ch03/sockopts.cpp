// ch03/sockopts.cpp: list the socket options this platform defines.
// Book: section 3.1.2 Setting and Getting Socket Options (设置和得到socket选项), sockopts.py
//
// Python lists the names in its socket module that start with SO_. In C++
// those names are macros of <sys/socket.h>, gone once the program is
// compiled, so the build asks the preprocessor which SO_ macros the header
// defines and writes them into socket_options.h (ch03/meson.build shows
// how). The program prints that table, one name per line, sorted. With
// --values each name is followed by the option's value on a fresh TCP
// socket, read with getsockopt() at the SOL_SOCKET level; an option that
// cannot be read there shows the error.
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

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[--values]",
                    .flags = {"--values"},
                    .help = "  --values  also show each option's value on a new TCP socket"};

struct Option {
    const char* name;
    int value;
};

// Every SO_ macro <sys/socket.h> defines, sorted by name: written by the
// build, one {"SO_NAME", SO_NAME}, line each. Some names are aliases
// (SO_GET_FILTER is SO_ATTACH_FILTER): they show the same value.
const Option options[] = {
#include "socket_options.h"
};

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
