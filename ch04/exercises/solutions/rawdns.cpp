// ch04/exercises/solutions/rawdns.cpp: a DNS query made by hand, bytes on the wire, no library.
// Book: chapter 4, section "Using PyDNS for Advanced Lookups" (extends DNS-basic.py; an exercise, not in the book)
//
// dns-basic lets ldns build the query and read the reply. This program does
// both itself, as RFC 1035 section 4 lays them out: a 12-byte header (a
// random ID, the RD flag, one question), the question (the name as length-
// prefixed labels, the type, class IN), one UDP datagram to the server, then
// the reply read field by field: its ID, QR bit, RCODE and question checked,
// names followed through compression pointers, each answer record printed
// as `dig +noall +answer` prints it. A reply with the TC bit set is asked
// again over TCP. The reply is untrusted: every read is checked against its
// end, a name may make at most 127 pointer jumps, and each exchange has a
// 2 s deadline. Whatever comes back, the worst outcome is one line on stderr.
//
// Usage:   rawdns [--server ADDR] [--port PORT] NAME [TYPE]
// Partner: any DNS server; `./workbook tour ch04` runs a private DNS lab.
// Try:     ./build/ch04/exercises/solutions/rawdns --server 127.0.0.2 www.example.test AAAA
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
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

using Clock = std::chrono::steady_clock;
constexpr auto time_limit = std::chrono::seconds(2);  // for the UDP exchange, then again for TCP

const std::map<std::string, unsigned> type_numbers = {
    {"A", 1},   {"NS", 2},   {"CNAME", 5}, {"SOA", 6},  {"PTR", 12},
    {"MX", 15}, {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}, {"ANY", 255}};

std::string type_name(unsigned type) {
    for (const auto& [name, number] : type_numbers)
        if (number == type) return name;
    return "TYPE" + std::to_string(type);  // RFC 3597's name for any type
}

// A reply that breaks the rules of RFC 1035.
class BadReply : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Every read from the reply first checks that its bytes are there.
void need(const std::string& msg, std::size_t pos, std::size_t n, const std::string& what) {
    if (pos + n > msg.size()) throw BadReply(what + " past the end of the reply");
}
unsigned u8(const std::string& msg, std::size_t pos) {
    return static_cast<unsigned char>(msg.at(pos));
}
unsigned u16(const std::string& msg, std::size_t pos) {
    return u8(msg, pos) << 8 | u8(msg, pos + 1);
}

// One byte of a name or a TXT string as dig shows it: `special` characters
// after a backslash, bytes below `lowest` or above '~' as \DDD (decimal).
std::string escaped(unsigned char c, const std::string& special, unsigned char lowest) {
    if (c < lowest || c > '~') {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\%03u", c);
        return buf;
    }
    char ch = static_cast<char>(c);
    return (special.find(ch) != std::string::npos ? "\\" : "") + std::string(1, ch);
}

// The name at `pos` ("www.example.test."); `pos` moves past it. A length
// byte 0b11xxxxxx starts a 2-byte compression pointer: the rest of the name
// is at that offset of the reply (RFC 1035 4.1.4), and `pos` ends after the
// first pointer. A name has at most 127 labels, so more jumps mean a loop.
std::string read_name(const std::string& msg, std::size_t& pos) {
    std::string name;
    std::size_t at = pos, wire_length = 1;
    int jumps = 0;
    for (;;) {
        need(msg, at, 1, "a name");
        unsigned len = u8(msg, at);
        if (len == 0) break;
        if ((len & 0xC0) == 0xC0) {
            need(msg, at, 2, "a compression pointer");
            if (jumps == 0) pos = at + 2;
            if (++jumps > 127) throw BadReply("a compression pointer loop (more than 127 jumps)");
            at = u16(msg, at) & 0x3FFF;
            need(msg, at, 1, "a compression pointer pointing");
            continue;
        }
        if (len > 63)
            throw BadReply("a label of unknown type (length byte " + std::to_string(len) + ")");
        need(msg, at + 1, len, "a label");
        wire_length += len + 1;
        if (wire_length > 255) throw BadReply("a name longer than 255 bytes");
        for (std::size_t i = at + 1; i <= at + len; ++i) name += escaped(msg[i], ".\\\"();@$", '!');
        name += '.';
        at += len + 1;
    }
    if (jumps == 0) pos = at + 1;
    return name.empty() ? "." : name;
}

// The data of a record of `type`, `len` bytes at `pos`, in dig's words.
std::string rdata_text(const std::string& msg, unsigned type, std::size_t pos, std::size_t len) {
    const std::size_t end = pos + len;
    std::string text;
    if (type == 1 || type == 28) {  // A, AAAA: the address
        if (len != (type == 1 ? 4u : 16u))
            throw BadReply("an " + type_name(type) + " record of " + std::to_string(len) +
                           " bytes");
        char addr[INET6_ADDRSTRLEN];
        inet_ntop(type == 1 ? AF_INET : AF_INET6, msg.data() + pos, addr, sizeof addr);
        return addr;
    }
    if (type == 15) {  // MX: the preference, then a name
        if (len < 2) throw BadReply("an MX record of " + std::to_string(len) + " bytes");
        text = std::to_string(u16(msg, pos)) + " ";
        pos += 2;
    }
    if (type == 2 || type == 5 || type == 12 || type == 15) {  // NS, CNAME, PTR, MX: a name
        text += read_name(msg, pos);
        if (pos > end) throw BadReply("a name past the end of its record");
        return text;
    }
    if (type == 16) {  // TXT: character-strings, a length byte each
        for (; pos < end; pos += 1 + u8(msg, pos)) {
            if (pos + 1 + u8(msg, pos) > end)
                throw BadReply("a TXT string past the end of its record");
            text += text.empty() ? "\"" : " \"";
            for (std::size_t i = pos + 1; i <= pos + u8(msg, pos); ++i)
                text += escaped(msg[i], "\"\\", ' ');
            text += '"';
        }
        return text;
    }
    return "(" + std::to_string(len) + " bytes)";
}

// NAME as a question wants it: "www.example.test" -> "\3www\7example\4test\0".
std::string encode_name(const std::string& name) {
    std::string wire,
        rest = name.size() > 1 && name.back() == '.' ? name.substr(0, name.size() - 1) : name;
    for (std::size_t start = 0; rest != ".";) {
        std::size_t dot = rest.find('.', start);
        std::string label = rest.substr(start, dot == std::string::npos ? dot : dot - start);
        if (label.empty() || label.size() > 63)
            throw wb::UsageError("bad NAME '" + name + "': a label must have 1 to 63 characters");
        wire += static_cast<char>(label.size()) + label;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    wire += '\0';
    if (wire.size() > 255) throw wb::UsageError("bad NAME '" + name + "': longer than 255 bytes");
    return wire;
}

unsigned parse_type(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    if (auto known = type_numbers.find(text); known != type_numbers.end()) return known->second;
    std::string digits = text.rfind("TYPE", 0) == 0 ? text.substr(4) : text;
    if (!digits.empty() && digits.size() <= 5 &&
        std::all_of(digits.begin(), digits.end(), ::isdigit) && std::stoul(digits) >= 1 &&
        std::stoul(digits) <= 65535)
        return static_cast<unsigned>(std::stoul(digits));
    throw wb::UsageError("bad TYPE '" + text +
                         "': expected a type name (A, MX, ...), TYPEn or a number");
}

// DNS.DiscoverNameServers(), the first half: the first `nameserver` line.
std::string resolv_conf_server() {
    std::ifstream file("/etc/resolv.conf");
    std::string line, key, value;
    while (std::getline(file, line)) {
        std::istringstream words(line);
        if (words >> key >> value && key == "nameserver") return value;
    }
    throw std::runtime_error("no nameserver line in /etc/resolv.conf");
}

// Waits until `s` has something to read (true) or `deadline` passes (false).
bool wait_until(int s, Clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd want = {s, POLLIN, 0};
        int ready = poll(&want, 1, static_cast<int>(left.count()));
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) throw wb::SystemError("poll", errno);
    }
}

// Exactly n bytes from a TCP stream (as many recv() calls as it takes).
std::string recv_exactly(int s, std::size_t n, Clock::time_point deadline) {
    std::string data;
    char buf[4096];
    while (data.size() < n) {
        if (!wait_until(s, deadline))
            throw std::runtime_error("no complete reply over TCP within 2 s");
        ssize_t got = wb::check("recv", recv(s, buf, std::min(sizeof buf, n - data.size()), 0));
        if (got == 0)  // the server hung up early
            throw BadReply("the TCP connection closed after " + std::to_string(data.size()) +
                           " of " + std::to_string(n) + " bytes");
        data.append(buf, static_cast<std::size_t>(got));
    }
    return data;
}

// The TCP exchange (RFC 1035 4.2.2): each message after its 2-byte length.
std::string ask_over_tcp(const sockaddr_storage& server, socklen_t len, const std::string& query) {
    auto deadline = Clock::now() + time_limit;
    wb::Fd s(wb::check("socket", socket(server.ss_family, SOCK_STREAM, 0)));
    timeval limit = {2, 0};  // on Linux SO_SNDTIMEO bounds connect() too
    wb::check("setsockopt", setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit));
    wb::check("connect", connect(s.get(), reinterpret_cast<const sockaddr*>(&server), len));
    std::string prefix = {static_cast<char>(query.size() >> 8),
                          static_cast<char>(query.size() & 0xFF)};
    wb::send_all(s.get(), prefix + query);
    std::string size = recv_exactly(s.get(), 2, deadline);
    return recv_exactly(s.get(), u16(size, 0), deadline);
}

// The checks any reply must pass before we believe a word of it.
void check_header(const std::string& reply, const std::string& query) {
    if (reply.size() < 12)
        throw BadReply("a truncated header (" + std::to_string(reply.size()) +
                       " bytes; a header has 12)");
    if (u16(reply, 0) != u16(query, 0))
        throw BadReply("the reply's ID " + std::to_string(u16(reply, 0)) + " is not the query's " +
                       std::to_string(u16(query, 0)));
    if (!(u8(reply, 2) & 0x80)) throw BadReply("not a reply (the QR bit is clear)");
}

const char* const rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};

int main(int argc, char* argv[]) {
    return wb::run(argc, argv, spec, [](const wb::Args& args) {
        unsigned port = args.port("--port", 53, "udp");
        if (port == 0) throw wb::UsageError("bad --port '0': a server's port cannot be 0");
        unsigned type = parse_type(args.size() > 1 ? args[1] : "A");
        std::string server = args.has("--server") ? args.get("--server", "") : resolv_conf_server();
        std::string what =
            args[0] + " " + type_name(type) + " from " + server + " port " + std::to_string(port);

        // The query: header (ID, flags with RD, QDCOUNT 1, three zero
        // counts), then the question (name, type, class IN).
        unsigned id = std::random_device{}() & 0xFFFF;
        std::string query = {static_cast<char>(id >> 8),
                             static_cast<char>(id & 0xFF),
                             0x01,
                             0,
                             0,
                             1,
                             0,
                             0,
                             0,
                             0,
                             0,
                             0};
        query += encode_name(args[0]);
        query += {static_cast<char>(type >> 8), static_cast<char>(type & 0xFF), 0, 1};

        // A connected UDP socket: the kernel drops datagrams from any other
        // address or port, so a stray never reaches recv() below.
        wb::Fd s = wb::connect_to(server, port, SOCK_DGRAM);
        wb::check("send", send(s.get(), query.data(), query.size(), 0));
        if (!wait_until(s.get(), Clock::now() + time_limit))
            throw std::runtime_error(what + ": no reply within 2 s");
        std::string reply(65535, '\0');
        reply.resize(static_cast<std::size_t>(
            wb::check("recv", recv(s.get(), reply.data(), reply.size(), 0))));
        try {
            check_header(reply, query);
            if (u8(reply, 2) & 0x02) {  // TC: truncated, ask the same server over TCP
                sockaddr_storage peer = {};
                socklen_t len = sizeof peer;
                wb::check("getpeername",
                          getpeername(s.get(), reinterpret_cast<sockaddr*>(&peer), &len));
                reply = ask_over_tcp(peer, len, query);
                check_header(reply, query);
            }
            unsigned rcode = u8(reply, 3) & 0x0F;
            if (rcode != 0)
                throw std::runtime_error(
                    what + ": the server answered " +
                    (rcode < 6 ? rcodes[rcode] : "RCODE " + std::to_string(rcode)));
            if (u16(reply, 4) != 1 || reply.compare(12, query.size() - 12, query, 12) != 0)
                throw BadReply("its question section is not the query's");

            // The answer section: NAME TTL CLASS TYPE DATA, one line each.
            std::string out;
            std::size_t pos = query.size();
            for (unsigned i = 0, count = u16(reply, 6); i < count; ++i) {
                std::string owner = read_name(reply, pos);
                need(reply, pos, 10, "a record");
                unsigned rtype = u16(reply, pos), rclass = u16(reply, pos + 2);
                std::uint32_t ttl =
                    static_cast<std::uint32_t>(u16(reply, pos + 4)) << 16 | u16(reply, pos + 6);
                std::size_t length = u16(reply, pos + 8);
                need(reply, pos += 10, length, "a record's data");
                out += owner + " " + std::to_string(ttl) + " " +
                       (rclass == 1 ? "IN" : "CLASS" + std::to_string(rclass)) + " " +
                       type_name(rtype) + " " + rdata_text(reply, rtype, pos, length) + "\n";
                pos += length;
            }
            std::cout << out << std::flush;
            return 0;
        } catch (const BadReply& e) {
            throw std::runtime_error(what + ": bad reply: " + e.what());
        }
    });
}
