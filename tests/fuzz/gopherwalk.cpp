// tests/fuzz/gopherwalk.cpp: gopherwalk's menu parser (ch01/exercises/solutions/gopherwalk.cpp).
//
// The solution's own main() walks items 1 then 2 from a peer on
// 127.0.0.1:70 that answers every selector with the input: a menu whose
// items may point anywhere (port 70 of 127.0.0.1 leads back to the peer;
// anything else fails to connect inside the private network namespace).
#include "fuzz.hpp"

int gopherwalk_main(int argc, char* argv[]);  // the solution's main() (see meson.build)

extern "C" int LLVMFuzzerInitialize(int*, char***) { return fuzz::start_client(); }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::run_client(data, size, gopherwalk_main, {"gopherwalk", "127.0.0.1", "1", "2"},
                            fuzz::gopher_peer());
}
