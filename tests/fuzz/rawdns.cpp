// tests/fuzz/rawdns.cpp: rawdns's reply parser (ch04/exercises/solutions/rawdns.cpp).
//
// The solution's own main() asks for "www.example.test A" from a peer on
// 127.0.0.1:53 that answers with the input (the query's ID put in its first
// two bytes), over UDP and, when that reply has the TC bit, over TCP: the
// header checks, names with compression pointers, each record's data.
#include "fuzz.hpp"

int rawdns_main(int argc, char* argv[]);  // the solution's main() (see meson.build)

extern "C" int LLVMFuzzerInitialize(int*, char***) { return fuzz::start_client(); }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::run_client(data, size, rawdns_main,
                            {"rawdns", "--server", "127.0.0.1", "www.example.test", "A"},
                            fuzz::dns_peer());
}
