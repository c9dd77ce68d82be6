// ch04/getaddrinfo-list-broken.cpp: print every getaddrinfo() result, duplicates and all.
// Book: section 4.2.1 Performing Basic Lookups (执行基本查询), getaddrinfo-list-broken.py
//
// getaddrinfo() returns one result per address *and per socket type*: asked
// for any socket type, glibc gives each address three times (SOCK_STREAM,
// SOCK_DGRAM, SOCK_RAW), so a list meant to show addresses repeats each one.
// The book numbers them as Python's "%-2d: %s" does; getaddrinfo-list, which
// asks for SOCK_STREAM only, is the fix.
//
// Usage:   getaddrinfo-list-broken HOST
// Partner: the system's resolver; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/getaddrinfo-list-broken localhost
#include <netdb.h>
#include <sys/socket.h>

#include <cstdio>
#include <memory>

#include "address.hpp"
#include "errors.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "HOST", .min_args = 1, .max_args = 1};

struct AddrinfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // socket.getaddrinfo(host, None): as getaddrinfo-basic, flags 0.
        addrinfo hints = {};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = 0;
        hints.ai_flags = 0;
        addrinfo* result = nullptr;
        wb::check_gai("getaddrinfo", getaddrinfo(args[0].c_str(), nullptr, &hints, &result));
        std::unique_ptr<addrinfo, AddrinfoFree> owner(result);

        int counter = 0;
        for (addrinfo* item = result; item != nullptr; item = item->ai_next) {
            std::printf("%-2d: %s\n", counter,
                        wb::format_address(item->ai_addr, item->ai_addrlen).c_str());
            ++counter;
        }
        return 0;
    });
}
