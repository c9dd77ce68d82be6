// common/errors.cpp: see errors.hpp.
#include "errors.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>

namespace wb {

std::string errno_text(int err) {
    return "[Errno " + std::to_string(err) + "] " + std::strerror(err);
}

std::string gai_text(int code) {
    if (code == EAI_SYSTEM) return errno_text(errno);
    return "[Errno " + std::to_string(code) + "] " + gai_strerror(code);
}

void check_gai(const char* call, int code) {
    if (code != 0) throw ResolverError(call, code);
}

}  // namespace wb
