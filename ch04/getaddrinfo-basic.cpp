// ch04/getaddrinfo-basic.cpp: look a host name up with getaddrinfo().
// Book: section 4.2.1 Performing Basic Lookups (执行基本查询), getaddrinfo-basic.py
//
// getaddrinfo() asks the operating system's resolver (/etc/hosts, then the
// DNS servers of /etc/resolv.conf) for a host's addresses and returns a
// linked list of ready-made socket addresses. The book prints the first
// one as Python shows it: ('192.0.2.10', 0), or ('2001:db8::10', 0, 0, 0)
// for IPv6; the port is 0 because no service was asked for. A name that
// does not resolve prints getaddrinfo's error and exits 1.
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

struct AddrinfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // Python's socket.getaddrinfo(host, None): any family, any socket
        // type, flags 0. (NULL hints would mean AI_V4MAPPED | AI_ADDRCONFIG.)
        addrinfo hints = {};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = 0;
        hints.ai_flags = 0;
        addrinfo* result = nullptr;
        wb::check_gai("getaddrinfo", getaddrinfo(args[0].c_str(), nullptr, &hints, &result));
        std::unique_ptr<addrinfo, AddrinfoFree> owner(result);

        // result[0][4] in the book: the first entry's socket address.
        std::cout << wb::format_address(result->ai_addr, result->ai_addrlen) << '\n';
        return 0;
    });
}
