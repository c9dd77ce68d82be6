// tests/lab/ladder/ladder.hpp: read a capture file and draw it as a ladder.
//
// A capture (pcap, as `tcpdump -w` writes it; Linux cooked headers from
// `tcpdump -i any`) becomes a list of Packets: who sent to whom, the TCP
// flags, the payload, an ICMP error. draw_text() lays them out as a ladder
// (sequence) diagram, one column per endpoint and one arrow per packet;
// draw_svg() draws the same ladder as an SVG picture.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ladder {

struct Packet {
    double time = 0;       // seconds since the epoch, as captured
    std::string from, to;  // endpoints: "127.0.0.1:45678", "[::1]:70", "127.0.0.1" (ICMP)
    enum Protocol { tcp, udp, icmp } protocol = tcp;
    bool syn = false, ack = false, fin = false, rst = false;  // TCP flags
    std::uint32_t window = 1;  // TCP's advertised window (as sent, unscaled)
    std::string payload;       // TCP or UDP payload bytes as captured; an ICMP echo's data
    std::size_t size = 0;      // the payload's length on the wire (a capture may keep less)
    std::string icmp_message;  // an ICMP message's meaning: "port unreachable", ...
    bool icmp_error = false;   // from and to are then the failed datagram's ends, swapped
};

// The packets of a pcap file's bytes, in capture order; throws
// std::runtime_error when they are not a pcap file of a link type it knows
// (Linux cooked v1 or v2, raw IP, Ethernet). Packets other than IPv4/IPv6
// with TCP, UDP or ICMP are left out.
std::vector<Packet> read_pcap(std::span<const unsigned char> file);

// One packet from its IP header on (IPv4 or IPv6); false when it is not one
// of the kinds above.
bool parse_ip(std::span<const unsigned char> bytes, Packet& packet);

// The arrow's label: "SYN", "SYN ACK", "ACK", "3 bytes \"/\\r\\n\"", "FIN",
// "RST", "ICMP port unreachable"..., at most `room` characters (the
// payload's first bytes are cut to fit).
std::string label(const Packet& packet, std::size_t room);

// Bytes as a C string literal would write them, without the quotes.
std::string escape(std::string_view bytes);

// The ladder as lines of text, at most `width` columns wide. Runs of more
// than `fold` packets of one conversation with nothing but data and ACKs
// are folded into one line.
std::vector<std::string> draw_text(const std::vector<Packet>& packets, int width = 80,
                                   int fold = 8);

// The same ladder as a standalone SVG document.
std::string draw_svg(const std::vector<Packet>& packets, const std::string& title, int fold = 8);

}  // namespace ladder
