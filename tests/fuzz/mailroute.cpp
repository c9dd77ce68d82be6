// tests/fuzz/mailroute.cpp: mailroute's answer handling (ch04/exercises/solutions/mailroute.cpp).
//
// The solution's own main() routes mail for example.test through the
// resolver of /etc/resolv.conf, which here (in a private mount namespace)
// is a peer on 127.0.0.1:53 answering every query, the MX query and each
// host's A and AAAA, with the input (the query's ID in its first two bytes),
// over UDP and, after a reply with the TC bit, over TCP.
#include "fuzz.hpp"

int mailroute_main(int argc, char* argv[]);  // the solution's main() (see meson.build)

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    return fuzz::start_client("nameserver 127.0.0.1\n");
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::run_client(data, size, mailroute_main, {"mailroute", "example.test"},
                            fuzz::dns_peer());
}
