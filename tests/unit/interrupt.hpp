// tests/unit/interrupt.hpp: Ctrl-C (SIGTERM here) from another thread, for
// the death tests of the waits (wait_readable(), send_all()).
#pragma once

#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <thread>

// A thread that sends SIGTERM to this process. kill() names the process, so
// the kernel hands the signal to any thread that does not block it: were it
// this thread, the handler would run here while the main thread slept on in
// ppoll(), and the wait would never end. This thread blocks SIGTERM first,
// so it can only reach the main thread (at once if it waits in ppoll(), or
// when its wait unblocks it).
inline std::thread interrupt_from_another_thread() {
    return std::thread([] {
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &term, nullptr);
        kill(getpid(), SIGTERM);
    });
}
