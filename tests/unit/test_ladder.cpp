// tests/unit/test_ladder.cpp: the lab's ladder (tests/lab/ladder): reading
// pcap files and drawing packets as a ladder.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ladder.hpp"

namespace {

using Bytes = std::vector<unsigned char>;

void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<unsigned char>(v >> 8U));
    b.push_back(static_cast<unsigned char>(v));
}

// An IPv4 packet on loopback, from 127.0.0.1 to 127.0.0.1, carrying `inner` (protocol proto)
Bytes ipv4(unsigned proto, const Bytes& inner) {
    Bytes b{0x45, 0};
    put16(b, 20 + inner.size());
    b.insert(b.end(), {0, 0, 0x40, 0, 64, static_cast<unsigned char>(proto), 0, 0});
    b.insert(b.end(), {127, 0, 0, 1, 127, 0, 0, 1});
    b.insert(b.end(), inner.begin(), inner.end());
    return b;
}

Bytes tcp(unsigned sport, unsigned dport, unsigned flags, const std::string& data,
          unsigned window = 512) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    b.insert(b.end(), {0, 0, 0, 1, 0, 0, 0, 1, 0x50, static_cast<unsigned char>(flags)});
    put16(b, window);
    b.insert(b.end(), {0, 0, 0, 0});
    b.insert(b.end(), data.begin(), data.end());
    return ipv4(6, b);
}

Bytes udp(unsigned sport, unsigned dport, const std::string& data) {
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    put16(b, 8 + data.size());
    put16(b, 0);
    b.insert(b.end(), data.begin(), data.end());
    return ipv4(17, b);
}

constexpr unsigned kSyn = 0x02, kAck = 0x10, kFin = 0x01, kRst = 0x04, kPsh = 0x08;

// A little-endian pcap file of Linux cooked v2 frames, one a millisecond
Bytes pcap(const std::vector<Bytes>& packets) {
    Bytes f{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0x14, 1, 0, 0};
    auto le32 = [&f](std::uint32_t v) {
        for (int i = 0; i < 4; i++) f.push_back(static_cast<unsigned char>(v >> (8 * i)));
    };
    std::uint32_t usec = 0;
    for (const Bytes& p : packets) {
        le32(1000);
        le32(usec += 1000);
        le32(static_cast<std::uint32_t>(20 + p.size()));
        le32(static_cast<std::uint32_t>(20 + p.size()));
        Bytes sll2{0x08, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0};
        f.insert(f.end(), sll2.begin(), sll2.end());
        f.insert(f.end(), p.begin(), p.end());
    }
    return f;
}

}  // namespace

TEST(LadderPcap, ReadsLinuxCookedV2Frames) {
    auto packets = ladder::read_pcap(pcap({tcp(40000, 70, kSyn, ""), udp(5000, 53, "q")}));
    ASSERT_EQ(packets.size(), 2U);
    EXPECT_EQ(packets[0].from, "127.0.0.1:40000");
    EXPECT_EQ(packets[0].to, "127.0.0.1:70");
    EXPECT_TRUE(packets[0].syn);
    EXPECT_FALSE(packets[0].ack);
    EXPECT_EQ(packets[1].protocol, ladder::Packet::udp);
    EXPECT_EQ(packets[1].payload, "q");
    EXPECT_NEAR(packets[1].time - packets[0].time, 0.001, 1e-9);
}

TEST(LadderPcap, StopsAtAPacketCutShort) {
    Bytes file = pcap({tcp(1, 2, kSyn, ""), tcp(2, 1, kSyn | kAck, "")});
    file.resize(file.size() - 3);
    EXPECT_EQ(ladder::read_pcap(file).size(), 1U);
}

TEST(LadderPcap, RefusesWhatIsNotPcap) {
    Bytes pcapng{0x0a, 0x0d, 0x0d, 0x0a};
    pcapng.resize(64);
    EXPECT_THROW(ladder::read_pcap(pcapng), std::runtime_error);
    EXPECT_THROW(ladder::read_pcap(Bytes(10)), std::runtime_error);
}

TEST(LadderPacket, IcmpPortUnreachableIsDrawnBetweenTheFailedDatagramsEnds) {
    Bytes failed = udp(45678, 9, "anyone\n");
    Bytes icmp{3, 3, 0, 0, 0, 0, 0, 0};
    icmp.insert(icmp.end(), failed.begin(), failed.begin() + 28);
    ladder::Packet p;
    ASSERT_TRUE(ladder::parse_ip(ipv4(1, icmp), p));
    EXPECT_EQ(p.protocol, ladder::Packet::icmp);
    EXPECT_TRUE(p.icmp_error);
    EXPECT_EQ(p.from, "127.0.0.1:9");
    EXPECT_EQ(p.to, "127.0.0.1:45678");
    EXPECT_EQ(ladder::label(p, 40), "ICMP port unreachable");
}

TEST(LadderPacket, Ipv6AddressesAreShortAndBracketed) {
    Bytes b{0x60, 0, 0, 0, 0, 8, 17, 64};
    Bytes loopback(16, 0);
    loopback[15] = 1;
    Bytes doc{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    b.insert(b.end(), doc.begin(), doc.end());
    b.insert(b.end(), loopback.begin(), loopback.end());
    b.insert(b.end(), {0x13, 0x88, 0, 53, 0, 8, 0, 0});
    ladder::Packet p;
    ASSERT_TRUE(ladder::parse_ip(b, p));
    EXPECT_EQ(p.from, "[2001:db8::10]:5000");
    EXPECT_EQ(p.to, "[::1]:53");
}

TEST(LadderLabel, FlagsSizesAndTheFirstBytesEscaped) {
    auto label = [](const Bytes& ip, std::size_t room = 60) {
        ladder::Packet p;
        EXPECT_TRUE(ladder::parse_ip(ip, p));
        return ladder::label(p, room);
    };
    EXPECT_EQ(label(tcp(1, 2, kSyn, "")), "SYN");
    EXPECT_EQ(label(tcp(1, 2, kSyn | kAck, "")), "SYN ACK");
    EXPECT_EQ(label(tcp(1, 2, kAck, "")), "ACK");
    EXPECT_EQ(label(tcp(1, 2, kAck, "", 0)), "ACK win 0");
    EXPECT_EQ(label(tcp(1, 2, kFin | kAck, "")), "FIN");
    EXPECT_EQ(label(tcp(1, 2, kRst | kAck, "")), "RST");
    EXPECT_EQ(label(tcp(1, 2, kPsh | kAck, "/\r\n")), "3 bytes \"/\\r\\n\"");
    EXPECT_EQ(label(tcp(1, 2, kPsh | kAck | kFin, "x")), "FIN, 1 byte \"x\"");
    EXPECT_EQ(label(tcp(1, 2, kPsh | kAck, "0hello\tworld"), 20), "12 bytes \"0hello\"...");
    EXPECT_EQ(label(udp(1, 2, std::string("\x00\x01\"", 3))), "3 bytes \"\\x00\\x01\\\"\"");
    EXPECT_EQ(label(udp(1, 2, "")), "0 bytes");
}

TEST(LadderLabel, ACaptureCutShortStillGivesTheSizeOnTheWire) {
    ladder::Packet p;
    p.ack = true;
    p.payload = "xx";
    p.size = 1000;
    EXPECT_EQ(ladder::label(p, 60), "1,000 bytes \"xx\"...");
}

TEST(LadderText, AHandshakeRequestReplyAndClose) {
    auto packets = ladder::read_pcap(pcap({
        tcp(40000, 70, kSyn, ""),
        tcp(70, 40000, kSyn | kAck, ""),
        tcp(40000, 70, kAck, ""),
        tcp(40000, 70, kPsh | kAck, "/\r\n"),
        tcp(70, 40000, kFin | kAck, ""),
    }));
    std::vector<std::string> expected = {
        "               client                                              server",
        "           127.0.0.1:40000                                      127.0.0.1:70",
        "  0.000           |----------------------- SYN ---------------------->|",
        "  0.001           |<-------------------- SYN ACK ---------------------|",
        "  0.002           |----------------------- ACK ---------------------->|",
        "  0.003           |----------------- 3 bytes \"/\\r\\n\" ---------------->|",
        "  0.004           |<---------------------- FIN -----------------------|",
    };
    EXPECT_EQ(ladder::draw_text(packets), expected);
}

TEST(LadderText, ALongTransferIsFolded) {
    std::vector<Bytes> frames{tcp(1, 2, kSyn, "")};
    for (int i = 0; i < 20; i++) frames.push_back(tcp(1, 2, kAck, std::string(100, 'x')));
    frames.push_back(tcp(1, 2, kFin | kAck, ""));
    auto lines = ladder::draw_text(ladder::read_pcap(pcap(frames)));
    ASSERT_EQ(lines.size(), 2U + 1 + 3 + 1 + 2 + 1);
    EXPECT_NE(lines[6].find("... 15 segments, 1,500 bytes ..."), std::string::npos) << lines[6];
    EXPECT_NE(lines[9].find("FIN"), std::string::npos);
    for (const auto& line : lines) EXPECT_LE(line.size(), 80U) << line;
}

TEST(LadderText, AnEmptyCaptureSaysSo) {
    auto lines = ladder::draw_text(ladder::read_pcap(pcap({})));
    EXPECT_EQ(lines.back(), "         (no packets)");
}

TEST(LadderSvg, OneArrowPerPacketAndTextEscaped) {
    auto packets =
        ladder::read_pcap(pcap({udp(5000, 7, "<hello & bye>"), udp(7, 5000, "<hello & bye>")}));
    std::string svg = ladder::draw_svg(packets, "udp <echo>");
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0U);
    EXPECT_NE(svg.find("udp &lt;echo&gt;"), std::string::npos);
    EXPECT_NE(svg.find("13 bytes \"&lt;hello &amp; bye&gt;\""), std::string::npos);
    std::size_t arrows = 0;
    for (std::size_t at = 0; (at = svg.find("marker-end", at)) != std::string::npos; at++) arrows++;
    EXPECT_EQ(arrows, 2U);
    EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}
