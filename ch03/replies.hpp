// ch03/replies.hpp: the replies both inetd UDP servers send.
//
// inetdudpserver and inetdwaitserver answer one datagram with ten replies,
// `Reply 1: MSG` to `Reply 10: MSG`, a pause after each (two seconds in the
// book, so a student can start a second client meanwhile), then
// `OK, I'm done sending replies.` and a newline. The socket is connected to
// the client, so plain send() finds it.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "errors.hpp"
#include "program.hpp"

// The --pause option both programs take (the book's time.sleep(2)).
const std::string pause_help = "  --pause SECONDS  the pause after each reply (default 2)";

inline double pause_seconds(const wb::Args& args) { return args.number("--pause", 2, 0, 60); }

inline void send_replies(int s, std::string_view message, double pause) {
    for (int i = 1; i <= 10; ++i) {
        std::string reply = "Reply " + std::to_string(i) + ": " + std::string(message);
        wb::check("send", send(s, reply.data(), reply.size(), 0));
        std::this_thread::sleep_for(std::chrono::duration<double>(pause));
    }
    std::string done = "OK, I'm done sending replies.\n";
    wb::check("send", send(s, done.data(), done.size(), 0));
}
