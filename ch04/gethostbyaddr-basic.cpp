// ch04/gethostbyaddr-basic.cpp: a reverse lookup, from an address to its name.
// Book: section 4.2.2 Performing Reverse Lookups (执行反向查询), gethostbyaddr-basic.py
//
// gethostbyaddr() asks the resolver which name belongs to an address:
// /etc/hosts first, then in DNS a PTR query for 10.2.0.192.in-addr.arpa
// (or the nibbles of an IPv6 address under ip6.arpa). It answers with the
// primary name, aliases and addresses in a struct hostent. An address
// without a reverse record prints Python's herror text: "Couldn't look up
// name: [Errno 1] Unknown host". (POSIX's modern call is getnameinfo(); the
// chapter README compares them.)
//
// Usage:   gethostbyaddr-basic IP
// Partner: the system's resolver; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/gethostbyaddr-basic 127.0.0.1
#include <arpa/inet.h>
#include <netdb.h>

#include <iostream>

#include "errors.hpp"
#include "hostlookup.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "IP", .min_args = 1, .max_args = 1};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        // The address in binary (inet_pton(); a host name is looked up first,
        // as Python does).
        ch04::BinaryAddress addr;
        try {
            addr = ch04::binary_address(args[0]);
        } catch (const wb::ResolverError& e) {
            std::cout << "Couldn't look up name: " << e.what() << '\n';
            return 1;
        }

        // result = socket.gethostbyaddr(sys.argv[1])
        const hostent* result = gethostbyaddr(addr.bytes, addr.length, addr.family);
        if (result == nullptr) {
            // h_errno says why: Python's herror, "[Errno 1] Unknown host".
            std::cout << "Couldn't look up name: "
                      << ch04::HostError(h_errno != 0 ? h_errno : HOST_NOT_FOUND).what() << '\n';
            return 1;
        }
        std::cout << "Primary hostname:\n";
        std::cout << "  " << result->h_name << '\n';
        // Display the list of available addresses that is also returned
        std::cout << "\nAddresses:\n";
        for (const std::string& item : ch04::address_list(*result))
            std::cout << "  " << item << '\n';
        return 0;
    });
}
