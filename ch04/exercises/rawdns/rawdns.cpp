// ch04/exercises/rawdns/rawdns.cpp: a DNS query made by hand, bytes on the wire, no library.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (extends DNS-basic.py; an exercise, not in the book)
//
// Your starting point: the command line is read for you. Build the query
// yourself (RFC 1035 section 4: a 12-byte header, then one question), send
// it over UDP to the server, check the reply and print its answer section
// one record a line, as `dig +noall +answer` does; ask again over TCP when
// the reply has the TC bit. No DNS library: ldns is what you replace here.
// README.md has the exact output, the errors and the limits (2 s, 127 jumps).
//
// Usage:   rawdns [--server ADDR] [--port PORT] NAME [TYPE]
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/rawdns --server 127.0.0.2 www.example.test AAAA
#include <sys/socket.h>

#include <iostream>
#include <string>

#include "errors.hpp"
#include "fd.hpp"
#include "program.hpp"
#include "sockets.hpp"

const wb::Spec spec{
    .synopsis = "[--server ADDR] [--port PORT] NAME [TYPE]",
    .min_args = 1,
    .max_args = 2,
    .options = {"--server", "--port"},
    .help =
        "  TYPE           A (default), AAAA, CNAME, MX, NS, PTR, TXT, SOA, SRV, ANY, TYPEn or a "
        "number\n"
        "  --server ADDR  the server to ask (default: the first nameserver of /etc/resolv.conf)\n"
        "  --port PORT    its port (default 53)"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 53, "udp");
        std::string type = args.size() > 1 ? args[1] : "A";

        // TODO: the server: --server, else the first `nameserver` line of /etc/resolv.conf.
        // TODO: the query: header (a random ID, flags with RD, QDCOUNT 1, the
        //       other counts 0), then the question: NAME as length-prefixed
        //       labels ending in a zero byte, TYPE's number, class IN (1).
        // TODO: send it over UDP (a connected socket: wb::connect_to with
        //       SOCK_DGRAM) and wait at most 2 s for the reply (poll()).
        // TODO: check the reply: its size, ID, QR bit, RCODE, question; with
        //       TC set, ask again over TCP (a 2-byte length before each message).
        // TODO: print each answer record: NAME TTL CLASS TYPE DATA, following
        //       compression pointers, never reading past the reply's end.
        std::cerr << "rawdns: not written yet (" << args[0] << " " << type << ", port " << port
                  << ")\n";
        return 1;
    });
}
