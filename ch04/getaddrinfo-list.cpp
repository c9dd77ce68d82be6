// ch04/getaddrinfo-list.cpp: print every address of a host once.
// Book: section 4.2.1 Performing Basic Lookups (执行基本查询), getaddrinfo-list.py
//
// The fix for getaddrinfo-list-broken: ask getaddrinfo() for one socket type
// only (SOCK_STREAM, the book's fourth argument), and each address appears
// once, IPv4 and IPv6 alike.
//
// Usage:   getaddrinfo-list HOST
// Partner: the system's resolver; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/getaddrinfo-list localhost
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
        // socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM): family 0
        // (AF_UNSPEC, any family), one socket type.
        addrinfo hints = {};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
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
