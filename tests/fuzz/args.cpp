// tests/fuzz/args.cpp: the command line: wb::run(), wb::Args, ports and numbers.
//
// The input is a command line, its words separated by NUL bytes, given to
// wb::run() with a spec that has options, a flag and a range of arguments;
// the body asks for a TCP and a UDP port and a number, as the programs do.
// Whatever the words, the result is 0, 1 (an error) or 2 (a usage error).
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz.hpp"
#include "program.hpp"

const wb::Spec spec{.synopsis = "[--port PORT] [--udp PORT] [--count N] [--values] HOST [ARG]",
                    .min_args = 1,
                    .max_args = 2,
                    .options = {"--port", "--udp", "--count"},
                    .flags = {"--values"},
                    .help = "  --port PORT  a port"};

int body(const wb::Args& args) {
    args.port("--port", 51423);
    args.port("--udp", 53, "udp");
    args.number("--count", 1, 0, 1e6);
    if (args.has("--values")) return static_cast<int>(args.get("--port", "").size() % 2);
    if (args[0] == "fail") throw std::runtime_error("asked to fail");
    return 0;
}

int program(int argc, char* argv[]) { return wb::run(argc, argv, spec, body); }

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> words = {"args"};
    std::string word;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == '\0') {
            words.push_back(word);
            word.clear();
        } else {
            word += static_cast<char>(data[i]);
        }
    }
    words.push_back(word);
    int status = fuzz::run_main(program, words);
    if (status != 0 && status != 1 && status != 2) std::abort();
    return 0;
}
