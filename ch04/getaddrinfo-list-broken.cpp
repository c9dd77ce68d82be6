// ch04/getaddrinfo-list-broken.cpp: print every getaddrinfo() result, duplicates and all.
// Book: chapter 4, section "Using getaddrinfo() for Basic Lookups" (getaddrinfo-list-broken.py)
//
// getaddrinfo() returns one result per address *and per socket type*: asked
// with no hints, glibc gives each address three times (SOCK_STREAM,
// SOCK_DGRAM and SOCK_RAW), so a list meant to show addresses repeats each
// one. The book prints them numbered as Python's "%-2d: %s" does; compare
// with getaddrinfo-list, which asks for SOCK_STREAM only.
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

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        addrinfo* result = nullptr;
        wb::check_gai("getaddrinfo", getaddrinfo(args[0].c_str(), nullptr, nullptr, &result));
        std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(result, freeaddrinfo);

        int counter = 0;
        for (addrinfo* item = result; item != nullptr; item = item->ai_next) {
            std::printf("%-2d: %s\n", counter, wb::format_address(item->ai_addr, item->ai_addrlen).c_str());
            ++counter;
        }
        return 0;
    });
}
