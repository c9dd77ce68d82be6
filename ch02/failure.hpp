// ch02/failure.hpp: a client step that failed, reported in the book's words.
//
// socketerrors.py wraps each step in its own try/except and prints one line,
// `Connection error: [Errno 111] Connection refused`, then exits 1. Here a
// step throws ch02::Failure with that line, and the program catches it once:
//
//   throw ch02::Failure("Connection error", wb::errno_text(errno));
//   ...
//   } catch (const ch02::Failure& e) { std::cerr << e.what() << '\n'; return 1; }
#pragma once

#include <stdexcept>
#include <string>

namespace ch02 {

// what() is the whole line: what failed, ": ", why (Python's error text).
class Failure : public std::runtime_error {
public:
    Failure(const std::string& what_failed, const std::string& why)
        : std::runtime_error(what_failed + ": " + why) {}
};

}  // namespace ch02
