// ch02/command_line.hpp: the command lines chapter 2's clients share.
//
// connect, connect2 and connect3 take an optional HOST and PORT (the book's
// www.google.com port 80 without them); shutdown and shutdownfile take the
// book's three arguments and `--sleep SECONDS` to shorten the book's 10 s.
#pragma once

#include "program.hpp"

namespace ch02 {

const wb::Spec connect_spec{
    .synopsis = "[HOST [PORT]]",
    .max_args = 2,
    .help =
        "  HOST  the server (default www.google.com)\n"
        "  PORT  its port, a number or a service name (default 80, http's)"};

const wb::Spec sleep_spec{.synopsis = "[--sleep SECONDS] HOST PORT PATH",
                          .min_args = 3,
                          .max_args = 3,
                          .options = {"--sleep"},
                          .help =
                              "  PORT             a number, or a service name such as http\n"
                              "  --sleep SECONDS  how long to wait before sending (default 10)"};

// The --sleep of sleep_spec: 0 to 3600 seconds, 10 when not given.
inline double sleep_seconds(const wb::Args& args) { return args.number("--sleep", 10, 0, 3600); }

}  // namespace ch02
