// ch04/getaddrinfo-basic.cpp: look a host name up with getaddrinfo().
// Book: chapter 4, section "Using getaddrinfo() for Basic Lookups" (getaddrinfo-basic.py)
//
// The operating system's resolver turns a name into addresses: getaddrinfo()
// reads /etc/hosts, asks the DNS servers named in /etc/resolv.conf (in the
// order /etc/nsswitch.conf gives), and returns a linked list of results,
// each one a ready-made socket address. The book prints the first result's
// address the way Python shows it: ('192.0.2.10', 0), or for IPv6
// ('2001:db8::10', 0, 0, 0). The port is 0 because no service was asked for.
//
// A name that cannot be resolved ends the program with getaddrinfo's error,
// "[Errno -2] Name or service not known", and exit status 1 (the book's
// program stops with a traceback).
//
// Usage:   getaddrinfo-basic HOST
// Partner: the system's resolver; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/getaddrinfo-basic localhost
#include <netdb.h>
#include <sys/socket.h>

#include <iostream>
#include <memory>

#include "address.hpp"
#include "errors.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "HOST", .min_args = 1, .max_args = 1};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // Python's socket.getaddrinfo(host, None): no hints at all, so every
        // address family and every socket type comes back.
        addrinfo* result = nullptr;
        wb::check_gai("getaddrinfo", getaddrinfo(args[0].c_str(), nullptr, nullptr, &result));
        std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(result, freeaddrinfo);

        // result[0][4] in the book: the first entry's socket address.
        std::cout << wb::format_address(result->ai_addr, result->ai_addrlen) << '\n';
        return 0;
    });
}
