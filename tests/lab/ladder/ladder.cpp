// tests/lab/ladder/ladder.cpp: read a capture file and draw it as a ladder.
#include "ladder.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace ladder {

namespace {

using Bytes = std::span<const unsigned char>;

unsigned be16(Bytes b, std::size_t at) { return b[at] << 8U | b[at + 1]; }
std::uint32_t be32(Bytes b, std::size_t at) {
    return std::uint32_t{b[at]} << 24U | std::uint32_t{b[at + 1]} << 16U |
           std::uint32_t{b[at + 2]} << 8U | b[at + 3];
}

std::string ipv4(Bytes b) {
    char text[16];
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    return text;
}

// An IPv6 address in its short form (RFC 5952: the longest run of two or
// more zero groups becomes ::)
std::string ipv6(Bytes b) {
    unsigned groups[8];
    for (std::size_t i = 0; i < 8; i++) groups[i] = be16(b, 2 * i);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[j] == 0) j++;
        if (j - i > best_len) best = i, best_len = j - i;
        i = j == i ? i + 1 : j;
    }
    std::string text;
    char group[8];
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            text += "::";
            i += best_len - 1;
            continue;
        }
        if (!text.empty() && text.back() != ':') text += ':';
        std::snprintf(group, sizeof group, "%x", groups[i]);
        text += group;
    }
    return text;
}

std::string endpoint(const std::string& address, unsigned port, bool v6) {
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

const char* icmp4_meaning(unsigned type, unsigned code) {
    if (type == 3) {
        static const char* const codes[] = {"net unreachable", "host unreachable",
                                            "protocol unreachable", "port unreachable",
                                            "fragmentation needed"};
        return code < 5 ? codes[code] : "destination unreachable";
    }
    if (type == 11) return "time exceeded";
    if (type == 8) return "echo request";
    if (type == 0) return "echo reply";
    return "message";
}

const char* icmp6_meaning(unsigned type, unsigned code) {
    if (type == 1) {
        static const char* const codes[] = {"no route", "prohibited", "beyond scope",
                                            "address unreachable", "port unreachable"};
        return code < 5 ? codes[code] : "destination unreachable";
    }
    if (type == 3) return "time exceeded";
    if (type == 128) return "echo request";
    if (type == 129) return "echo reply";
    return "message";
}

// An IP header's addresses, its protocol and where its payload starts;
// false when the bytes are too short for it
struct Ip {
    std::string src, dst;
    unsigned protocol = 0;
    bool v6 = false;
    Bytes payload;           // as much of it as was captured
    std::size_t length = 0;  // and its length on the wire
};

bool parse_header(Bytes b, Ip& ip) {
    if (b.empty()) return false;
    if (b[0] >> 4U == 4) {
        std::size_t header = std::size_t{b[0]} % 16 * 4;  // (the low 4 bits, in words)
        if (b.size() < 20 || header < 20 || b.size() < header) return false;
        ip.src = ipv4(b.subspan(12, 4));
        ip.dst = ipv4(b.subspan(16, 4));
        ip.protocol = b[9];
        std::size_t total = std::clamp<std::size_t>(be16(b, 2), header, b.size());
        ip.payload = b.subspan(header, total - header);
        ip.length = std::max<std::size_t>(be16(b, 2), header) - header;
        return true;
    }
    if (b[0] >> 4U == 6) {
        if (b.size() < 40) return false;
        ip.v6 = true;
        ip.src = ipv6(b.subspan(8, 16));
        ip.dst = ipv6(b.subspan(24, 16));
        ip.protocol = b[6];  // (extension headers are not followed)
        ip.payload = b.subspan(40, std::min<std::size_t>(be16(b, 4), b.size() - 40));
        ip.length = be16(b, 4);
        return true;
    }
    return false;
}

}  // namespace

bool parse_ip(Bytes bytes, Packet& packet) {
    Ip ip;
    if (!parse_header(bytes, ip)) return false;
    Bytes p = ip.payload;
    if (ip.protocol == 6 && p.size() >= 20) {
        std::size_t header = std::size_t{p[12]} / 16 * 4;  // (the high 4 bits, in words)
        if (header < 20 || header > p.size()) return false;
        packet.protocol = Packet::tcp;
        packet.from = endpoint(ip.src, be16(p, 0), ip.v6);
        packet.to = endpoint(ip.dst, be16(p, 2), ip.v6);
        unsigned flags = p[13];
        packet.fin = (flags & 0x01U) != 0;
        packet.syn = (flags & 0x02U) != 0;
        packet.rst = (flags & 0x04U) != 0;
        packet.ack = (flags & 0x10U) != 0;
        packet.window = be16(p, 14);
        packet.payload.assign(p.begin() + static_cast<std::ptrdiff_t>(header), p.end());
        packet.size = std::max(ip.length, header) - header;
        return true;
    }
    if (ip.protocol == 17 && p.size() >= 8) {
        packet.protocol = Packet::udp;
        packet.from = endpoint(ip.src, be16(p, 0), ip.v6);
        packet.to = endpoint(ip.dst, be16(p, 2), ip.v6);
        packet.payload.assign(p.begin() + 8, p.end());
        packet.size = std::max<std::size_t>(ip.length, 8) - 8;
        return true;
    }
    if ((ip.protocol == 1 || ip.protocol == 58) && p.size() >= 8) {
        packet.protocol = Packet::icmp;
        bool v6 = ip.protocol == 58;
        packet.icmp_message = v6 ? icmp6_meaning(p[0], p[1]) : icmp4_meaning(p[0], p[1]);
        packet.icmp_error = v6 ? p[0] < 128 : p[0] == 3 || p[0] == 11;
        packet.from = ip.src;
        packet.to = ip.dst;
        // An error quotes the head of the datagram that failed: drawn
        // between that datagram's two ends, back to its sender.
        Ip failed;
        if (packet.icmp_error && parse_header(p.subspan(8), failed) && failed.payload.size() >= 4 &&
            (failed.protocol == 6 || failed.protocol == 17)) {
            packet.from = endpoint(failed.dst, be16(failed.payload, 2), failed.v6);
            packet.to = endpoint(failed.src, be16(failed.payload, 0), failed.v6);
        } else if (!packet.icmp_error) {
            packet.payload.assign(p.begin() + 8, p.end());
            packet.size = std::max<std::size_t>(ip.length, 8) - 8;
        }
        return true;
    }
    return false;
}

std::vector<Packet> read_pcap(Bytes file) {
    if (file.size() < 24) throw std::runtime_error("not a pcap file (too short)");
    std::uint32_t magic = be32(file, 0);
    bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    bool nanoseconds = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (!swapped && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d)
        throw std::runtime_error("not a pcap file (pcapng? tcpdump -w writes pcap)");
    auto u32 = [&](std::size_t at) {
        std::uint32_t v = be32(file, at);
        return swapped ? (v >> 24U) | ((v >> 8U) & 0xff00U) | ((v << 8U) & 0xff0000U) | (v << 24U)
                       : v;
    };
    std::uint32_t link = u32(20);
    std::vector<Packet> packets;
    for (std::size_t at = 24; at + 16 <= file.size();) {
        std::size_t length = u32(at + 8);
        if (at + 16 + length > file.size()) break;  // cut short: tcpdump was stopped
        Bytes frame = file.subspan(at + 16, length);
        Packet packet;
        packet.time = u32(at) + u32(at + 4) / (nanoseconds ? 1e9 : 1e6);
        at += 16 + length;
        // Where the IP header starts, after the link layer's header
        std::size_t skip = 0;
        unsigned type = 0x0800;
        if (link == 276 && length >= 20) {  // Linux cooked v2 (tcpdump -i any)
            skip = 20, type = be16(frame, 0);
        } else if (link == 113 && length >= 16) {  // Linux cooked v1
            skip = 16, type = be16(frame, 14);
        } else if (link == 1 && length >= 14) {  // Ethernet
            skip = 14, type = be16(frame, 12);
        } else if (link == 101 || link == 12) {  // raw IP
            skip = 0;
        } else if (link != 113 && link != 276 && link != 1) {
            throw std::runtime_error("link type " + std::to_string(link) + " is not one I read");
        } else {
            continue;
        }
        if (type != 0x0800 && type != 0x86dd) continue;  // not IP (ARP, ...)
        if (parse_ip(frame.subspan(skip), packet)) packets.push_back(packet);
    }
    return packets;
}

std::string escape(std::string_view bytes) {
    std::string text;
    for (unsigned char c : bytes) {
        if (c == '\r') {
            text += "\\r";
        } else if (c == '\n') {
            text += "\\n";
        } else if (c == '\t') {
            text += "\\t";
        } else if (c == '"' || c == '\\') {
            text += '\\';
            text += static_cast<char>(c);
        } else if (c >= 32 && c < 127) {
            text += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            text += hex;
        }
    }
    return text;
}

namespace {

// 104448 as "104,448"
std::string thousands(std::size_t n) {
    std::string digits = std::to_string(n), text;
    for (std::size_t i = 0; i < digits.size(); i++) {
        if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
        text += digits[i];
    }
    return text;
}

constexpr std::size_t kFirstBytes = 24;  // the most of a payload a label shows, escaped

// "N bytes" (a payload of `length` bytes) and as much of the captured
// payload, quoted and escaped, as fits in room
std::string data_label(std::string_view payload, std::size_t length, std::size_t room) {
    std::string size = length == 1 ? "1 byte" : thousands(length) + " bytes";
    std::string shown, piece;
    bool cut = payload.size() < length;
    for (std::size_t i = 0; i < payload.size(); i++) {
        piece = escape(payload.substr(i, 1));
        // what is left to fit: size, space, the quotes, and "..." if cut
        std::size_t after = i + 1 < length ? 3 : 0;
        if (size.size() + 3 + shown.size() + piece.size() + after > room ||
            shown.size() + piece.size() > kFirstBytes) {
            cut = true;
            break;
        }
        shown += piece;
    }
    if (shown.empty() && cut) return size;
    return size + " \"" + shown + "\"" + (cut ? "..." : "");
}

}  // namespace

std::string label(const Packet& packet, std::size_t room) {
    std::string text;
    if (packet.protocol == Packet::icmp) {
        text = "ICMP " + packet.icmp_message;
        if (!packet.icmp_error && packet.size > 0) text += ", " + thousands(packet.size) + " bytes";
        return text.substr(0, room);
    }
    if (packet.protocol == Packet::tcp) {
        if (packet.syn) text = packet.ack ? "SYN ACK" : "SYN";
        if (packet.fin) text = "FIN";
        if (packet.rst) text = "RST";
        if (text.empty() && packet.size == 0) text = packet.window == 0 ? "ACK win 0" : "ACK";
    }
    if (packet.protocol == Packet::udp && packet.size == 0) text = "0 bytes";
    if (packet.size == 0) return text.substr(0, room);
    if (!text.empty()) text += ", ";
    if (text.size() >= room) return text.substr(0, room);
    return text + data_label(packet.payload, packet.size, room - text.size());
}

namespace {

// The ladder laid out on a grid of character cells, for text and SVG alike
struct Row {
    enum { arrow, fold, note } kind = arrow;
    double time = 0;       // since the first packet
    int from = 0, to = 0;  // columns
    std::string text;
    bool icmp = false;
};

struct Layout {
    std::vector<std::string> roles, names;  // a column's heading: client/server, address:port
    std::vector<int> x;                     // a column's character position
    std::vector<Row> rows;
    int width = 80;
};

constexpr int kGutter = 9;  // "  0.000  ": the elapsed time
constexpr int kMargin = 9;  // room for half a heading left of the first column, right of the last
constexpr int kMinSpan = 14;

// A TCP packet that only carries data or acknowledges it: what a long
// transfer is made of
bool plain(const Packet& p) {
    return p.protocol == Packet::tcp && !p.syn && !p.fin && !p.rst && p.window != 0;
}

Layout lay_out(const std::vector<Packet>& packets, int width, int fold) {
    Layout layout;
    layout.width = width;
    // Columns: the endpoints in the order they first appear, as many as fit
    std::size_t most = 1 + (width - kGutter - 2 * kMargin) / kMinSpan;
    std::map<std::string, int> column;
    std::map<std::string, std::string> role;
    for (const Packet& p : packets) {
        for (const std::string* end : {&p.from, &p.to}) {
            if (!column.contains(*end) && column.size() < most) {
                column[*end] = static_cast<int>(layout.names.size());
                layout.names.push_back(*end);
            }
        }
        // who opens a conversation is its client: a SYN's sender, a UDP
        // datagram's sender that has no role yet
        if (p.protocol == Packet::tcp && p.syn && !p.ack) {
            role.try_emplace(p.from, "client");
            role.try_emplace(p.to, "server");
        } else if (p.protocol == Packet::udp && !role.contains(p.from)) {
            role[p.from] = "client";
            role.try_emplace(p.to, "server");
        }
    }
    std::map<std::string, int> count, seen;
    for (const std::string& name : layout.names) count[role[name]]++;
    for (const std::string& name : layout.names) {
        std::string r = role[name];
        if (count[r] > 1 && !r.empty()) r += " " + std::to_string(++seen[r]);
        layout.roles.push_back(r);
    }
    int k = static_cast<int>(layout.names.size());
    int first = kGutter + kMargin, last = width - 1 - kMargin;
    for (int i = 0; i < k; i++)
        layout.x.push_back(k == 1 ? first : first + i * (last - first) / (k - 1));

    std::size_t hidden = 0;
    double start = packets.empty() ? 0 : packets.front().time;
    auto add = [&](const Packet& p) {
        if (!column.contains(p.from) || !column.contains(p.to) || p.from == p.to) {
            hidden++;
            return;
        }
        Row row;
        row.time = p.time - start;
        row.from = column[p.from];
        row.to = column[p.to];
        int span = std::abs(layout.x[row.to] - layout.x[row.from]);
        row.text = label(p, static_cast<std::size_t>(std::max(span - 10, 1)));
        row.icmp = p.protocol == Packet::icmp;
        layout.rows.push_back(row);
    };
    for (std::size_t i = 0; i < packets.size();) {
        // a run of plain packets between the same two ends
        std::size_t j = i;
        auto same_pair = [&](const Packet& a, const Packet& b) {
            return (a.from == b.from && a.to == b.to) || (a.from == b.to && a.to == b.from);
        };
        while (j < packets.size() && plain(packets[j]) && same_pair(packets[i], packets[j])) j++;
        std::size_t run = j - i;
        if (run <= static_cast<std::size_t>(fold)) {
            add(packets[i]);
            i++;
            continue;
        }
        for (std::size_t n = 0; n < 3; n++) add(packets[i + n]);
        std::size_t bytes = 0;
        for (std::size_t n = i + 3; n < j - 2; n++) bytes += packets[n].size;
        Row row;
        row.kind = Row::fold;
        row.from = column.contains(packets[i].from) ? column[packets[i].from] : 0;
        row.to = column.contains(packets[i].to) ? column[packets[i].to] : 0;
        row.text = "... " + thousands(run - 5) + " segments, " + thousands(bytes) + " bytes ...";
        layout.rows.push_back(row);
        add(packets[j - 2]);
        add(packets[j - 1]);
        i = j;
    }
    if (packets.empty()) layout.rows.push_back({Row::note, 0, 0, 0, "(no packets)", false});
    if (hidden > 0)
        layout.rows.push_back({Row::note, 0, 0, 0,
                               "(and " + thousands(hidden) + " packets between other endpoints)",
                               false});
    return layout;
}

// text written into line at column at, centred there, kept within the line
void centre(std::string& line, int at, const std::string& text) {
    int size = static_cast<int>(text.size());
    int begin = std::clamp(at - size / 2, 0, std::max(static_cast<int>(line.size()) - size, 0));
    line.replace(static_cast<std::size_t>(begin),
                 std::min(text.size(), line.size() - static_cast<std::size_t>(begin)), text);
}

std::string trim(std::string line) {
    line.erase(line.find_last_not_of(' ') + 1);
    return line;
}

}  // namespace

std::vector<std::string> draw_text(const std::vector<Packet>& packets, int width, int fold) {
    Layout layout = lay_out(packets, width, fold);
    std::string blank(static_cast<std::size_t>(width), ' ');
    std::string lifelines = blank;
    for (int x : layout.x) lifelines[static_cast<std::size_t>(x)] = '|';
    std::vector<std::string> lines;
    std::string roles = blank, names = blank;
    for (std::size_t i = 0; i < layout.x.size(); i++) {
        centre(roles, layout.x[i], layout.roles[i]);
        centre(names, layout.x[i], layout.names[i]);
    }
    lines.push_back(trim(roles));
    lines.push_back(trim(names));
    for (const Row& row : layout.rows) {
        if (row.kind == Row::note) {
            lines.push_back(std::string(kGutter, ' ') + row.text);
            continue;
        }
        std::string line = lifelines;
        int lo = layout.x[static_cast<std::size_t>(std::min(row.from, row.to))];
        int hi = layout.x[static_cast<std::size_t>(std::max(row.from, row.to))];
        if (row.kind == Row::fold) {
            for (int c = lo + 1; c < hi; c++) line[static_cast<std::size_t>(c)] = ' ';
            centre(line, (lo + hi) / 2, row.text);
        } else {
            for (int c = lo + 1; c < hi; c++)
                line[static_cast<std::size_t>(c)] = row.icmp ? '~' : '-';
            if (row.to > row.from) {
                line[static_cast<std::size_t>(hi) - 1] = '>';
            } else {
                line[static_cast<std::size_t>(lo) + 1] = '<';
            }
            centre(line, (lo + hi + 1) / 2, " " + row.text + " ");
            char time[16];
            std::snprintf(time, sizeof time, "%7.3f", row.time);
            line.replace(0, 7, time);
        }
        lines.push_back(trim(line));
    }
    return lines;
}

namespace {

std::string xml(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string draw_svg(const std::vector<Packet>& packets, const std::string& title, int fold) {
    // The text ladder's grid, 8 pixels a column and 22 a row; a picture
    // has no 80 columns to keep to: as wide as every endpoint needs
    std::set<std::string> ends;
    for (const Packet& p : packets) ends.insert({p.from, p.to});
    int columns = std::max(80, 2 * kMargin + kGutter + (static_cast<int>(ends.size()) - 1) * 20);
    Layout layout = lay_out(packets, columns, fold);
    constexpr int kCell = 8, kRow = 22, kTop = 70;
    auto px = [](int column) { return column * kCell + kCell / 2; };
    int height = kTop + static_cast<int>(layout.rows.size()) * kRow + 16;
    int width = layout.width * kCell;
    std::ostringstream svg;
    // <text x="X" y="Y" ATTRIBUTES>TEXT</text>, TEXT escaped
    auto text = [&svg](int x, int y, const char* attributes, std::string_view content) {
        svg << "<text x=\"" << x << "\" y=\"" << y << "\" " << attributes << ">" << xml(content)
            << "</text>\n";
    };
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" viewBox=\"0 0 " << width << " " << height
        << "\" font-family=\"monospace\" font-size=\"12\">\n"
        << "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
           "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/>"
           "</marker></defs>\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    text(width / 2, 18, "text-anchor=\"middle\" font-weight=\"bold\"", title);
    int bottom = height - 8;
    for (std::size_t i = 0; i < layout.x.size(); i++) {
        int x = px(layout.x[i]);
        text(x, 40, "text-anchor=\"middle\" font-weight=\"bold\"", layout.roles[i]);
        text(x, 56, "text-anchor=\"middle\"", layout.names[i]);
        svg << "<line x1=\"" << x << "\" y1=\"62\" x2=\"" << x << "\" y2=\"" << bottom
            << "\" stroke=\"#888\"/>\n";
    }
    int y = kTop;
    for (const Row& row : layout.rows) {
        y += kRow;
        if (row.kind == Row::note) {
            text(px(kGutter), y, "fill=\"#555\"", row.text);
            continue;
        }
        int from = px(layout.x[static_cast<std::size_t>(row.from)]);
        int to = px(layout.x[static_cast<std::size_t>(row.to)]);
        if (row.kind == Row::fold) {
            text((from + to) / 2, y, "text-anchor=\"middle\" font-style=\"italic\" fill=\"#555\"",
                 row.text);
            continue;
        }
        char time[16];
        std::snprintf(time, sizeof time, "%.3f", row.time);
        text(px(7) - kCell / 2, y, "text-anchor=\"end\" fill=\"#555\"", time);
        svg << "<line x1=\"" << from << "\" y1=\"" << y << "\" x2=\"" << to << "\" y2=\"" << y
            << "\" stroke=\"" << (row.icmp ? "#c00\" stroke-dasharray=\"4 3" : "black")
            << "\" marker-end=\"url(#head)\"/>\n";
        text((from + to) / 2, y - 5,
             row.icmp ? "text-anchor=\"middle\" fill=\"#c00\"" : "text-anchor=\"middle\"",
             row.text);
    }
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace ladder
