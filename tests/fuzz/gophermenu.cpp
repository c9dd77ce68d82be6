// tests/fuzz/gophermenu.cpp: gophermenu's menu parser (ch01/exercises/solutions/gophermenu.cpp).
//
// The solution's own main() fetches the root menu from a peer on
// 127.0.0.1:70 that answers the selector line with the input and closes.
#include "fuzz.hpp"

int gophermenu_main(int argc, char* argv[]);  // the solution's main() (see meson.build)

extern "C" int LLVMFuzzerInitialize(int*, char***) { return fuzz::start_client(); }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fuzz::run_client(data, size, gophermenu_main, {"gophermenu", "127.0.0.1"},
                            fuzz::gopher_peer());
}
