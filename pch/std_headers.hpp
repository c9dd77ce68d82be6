// pch/std_headers.hpp: the standard library and system headers most of the
// programs include, compiled once per build directory into
// build/pch/workbook_pch.hpp.gch (see pch/meson.build), so that each
// program's compile starts from them instead of parsing them again (about
// 0.4 s of a program's 1 s compile).
//
// Only headers that change with the system, never our own: a change to
// common/ rebuilds the programs that include it, not every program. The
// programs still include everything they use themselves; this file adds no
// name a program may rely on (lint compiles them without it).
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
