// ch04/environment.cpp: what this host knows about its own name and addresses.
// Book: section 4.2 Using the Operating System Lookup Service (使用操作系统查询服务), environment.py
//
// gethostname() gives the machine's own name (the kernel's, set by
// `hostname`). Python's socket.getfqdn() makes it fully qualified: it asks
// for the names of the name's address (gethostbyaddr) and takes the first
// one with a dot. Last, the book's getipaddrs() lists the name's addresses.
// When there are none the program prints the book's line, typo included:
// "Couldn't not get IP addresses: E".
//
// Usage:   environment
// Partner: the system's resolver: /etc/hostname, /etc/hosts, DNS.
// Try:     ./build/ch04/environment
#include <unistd.h>

#include <climits>
#include <iostream>

#include "errors.hpp"
#include "hostlookup.hpp"
#include "program.hpp"

const wb::Spec spec{};

// Python's socket.getfqdn(name), step by step.
std::string getfqdn(const std::string& name) {
    try {
        ch04::HostEntry host = ch04::host_by_addr(name);
        if (host.name.find('.') != std::string::npos) return host.name;
        for (const std::string& alias : host.aliases)
            if (alias.find('.') != std::string::npos) return alias;
        return host.name;
    } catch (const std::runtime_error&) {  // HostError or ResolverError:
        return name;                       // Python gives the name back
    }
}

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args&) {
        // gethostname() returns the name of the local machine.
        char name[HOST_NAME_MAX + 1] = "";
        wb::check("gethostname", gethostname(name, sizeof name));
        std::string hostname = name;
        std::cout << "Host name: " << hostname << '\n';

        // Try to get the fully-qualified name.
        std::cout << "Fully-qualified name: " << getfqdn(hostname) << '\n';
        try {
            std::vector<std::string> addresses = ch04::getipaddrs(hostname);
            std::string joined;
            for (const std::string& address : addresses)
                joined += (joined.empty() ? "" : ", ") + address;
            std::cout << "IP addresses: " << joined << '\n';
        } catch (const wb::ResolverError& e) {
            std::cout << "Couldn't not get IP addresses: " << e.what() << '\n';
            return 1;
        }
        return 0;
    });
}
