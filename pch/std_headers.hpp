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
//
// Not <algorithm> or <chrono>: in C++20 they are a quarter of the .gch
// (ranges, calendars, time zones), which every compile maps and reads, and
// only a dozen of the ~50 files use them (#17: a compile that does not
// took 0.55 s instead of 0.65, one that does 0.1 s more).
//
// But <functional> and <map>, with the rest of what common/program.hpp and
// common/errors.hpp include: every program includes program.hpp, and in
// C++20 <functional> brings most of <algorithm> with it (bits/stl_algo.h).
// With them here a clean build of the programs took 49 CPU-seconds instead
// of 57 (#17; the .gch grew from 47 to 60 MB).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
