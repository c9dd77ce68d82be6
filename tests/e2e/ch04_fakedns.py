"""A hostile (or merely modern) fake DNS server for chapter 4's tests.

    python3 ch04_fakedns.py MODE

listens on 127.0.0.1, UDP and TCP on the same port, prints "port N" and
answers every query according to MODE:

    wrongid    a correct answer (A 192.0.2.99), but with another query's ID
    garbage    the query's ID, then junk where the records should be
    short      a reply cut off in the middle of its header
    loop       an answer whose owner name is a compression pointer to itself
    silent     never answers
    truncated  over UDP an empty answer with the TC bit set; over TCP the
               full answer (A 192.0.2.99 and a TXT record of 40 strings)
    rfc8482    answers ANY the way Cloudflare does (RFC 8482 section 4.2),
               a lone HINFO "RFC8482" ""; answers A and TXT queries properly
               and other types with no records
    srv        answers ANY with a lone SRV record (a type the RFC 8482
               fallback does not ask for), A with 192.0.2.99, MX with REFUSED,
               other types with no records
    deadns     NS ns-dead.fake.test and ns-good.fake.test for every name; the
               first at 127.0.0.2, where nothing listens, the second at
               127.0.0.1 (this server); ANY: A 192.0.2.99 and TXT "alive"
    chain      a zone that never ends: NS ns.fake.test (at 127.0.0.1) for
               every name, and for ANY a CNAME to a new name: N.fake.test
               -> N+1.fake.test

Only for tests: it understands exactly one question per query.
"""

import socket
import struct
import sys
import threading

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "ANY": 255}
TXT_STRINGS = [f"string number {i:02d}" for i in range(40)]


def question(query):
    """(end offset, qtype) of the query's question."""
    i = 12
    while query[i]:
        i += query[i] + 1
    return i + 5, struct.unpack("!H", query[i + 1:i + 3])[0]


def query_name(query):
    """The question's name, lower case, without the final dot."""
    labels, i = [], 12
    while query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode().lower())
        i += query[i] + 1
    return ".".join(labels)


def wire_name(name):
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def rr(rtype, rdata, owner=b"\xc0\x0c"):
    return owner + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata


def character_strings(*texts):
    return b"".join(bytes([len(t)]) + t.encode() for t in texts)


def reply(query, answers, flags=0x8580, qid=None):
    end, _ = question(query)
    qid = struct.unpack("!H", query[:2])[0] if qid is None else qid
    header = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0)
    return header + query[12:end] + b"".join(answers)


def answer(mode, query, tcp):
    _, qtype = question(query)
    a = rr(TYPES["A"], socket.inet_aton("192.0.2.99"))
    if mode == "wrongid":
        return reply(query, [a], qid=(struct.unpack("!H", query[:2])[0] + 1) % 65536)
    if mode == "garbage":
        # our ID and flags, then five answers promised and junk instead
        return query[:2] + b"\x81\x80\x00\x01\x00\x05\x00\x00\x00\x00" + b"\x07garbage" * 3
    if mode == "short":
        return query[:7]
    if mode == "loop":
        end, _ = question(query)
        # The answer's owner is a pointer to its own offset: an endless name.
        return reply(query, [rr(TYPES["A"], socket.inet_aton("192.0.2.99"),
                                owner=struct.pack("!H", 0xC000 | end))])
    if mode == "truncated":
        if not tcp:
            return reply(query, [], flags=0x8780)  # QR AA TC RD RA
        return reply(query, [a, rr(TYPES["TXT"], character_strings(*TXT_STRINGS))])
    if mode == "rfc8482":
        if qtype == TYPES["ANY"]:
            return reply(query, [rr(TYPES["HINFO"], character_strings("RFC8482", ""))])
        if qtype == TYPES["A"]:
            return reply(query, [a])
        if qtype == TYPES["TXT"]:
            return reply(query, [rr(TYPES["TXT"], character_strings("modern", "server"))])
        return reply(query, [])
    if mode == "srv":
        if qtype == TYPES["ANY"]:
            return reply(query, [rr(TYPES["SRV"], struct.pack("!HHH", 0, 5, 5060)
                                    + wire_name("sip.fake.test"))])
        if qtype == TYPES["A"]:
            return reply(query, [a])
        if qtype == TYPES["MX"]:
            return reply(query, [], flags=0x8585)  # REFUSED
        return reply(query, [])
    if mode == "deadns":
        name = query_name(query)
        if qtype == TYPES["NS"]:
            return reply(query, [rr(TYPES["NS"], wire_name("ns-dead.fake.test")),
                                 rr(TYPES["NS"], wire_name("ns-good.fake.test"))])
        if qtype == TYPES["A"] and name.startswith("ns-"):
            where = "127.0.0.2" if name == "ns-dead.fake.test" else "127.0.0.1"
            return reply(query, [rr(TYPES["A"], socket.inet_aton(where))])
        if qtype == TYPES["ANY"]:
            return reply(query, [a, rr(TYPES["TXT"], character_strings("alive"))])
        return reply(query, [])
    if mode == "chain":
        name = query_name(query)
        if qtype == TYPES["NS"]:
            return reply(query, [rr(TYPES["NS"], wire_name("ns.fake.test"))])
        if qtype == TYPES["A"] and name == "ns.fake.test":
            return reply(query, [rr(TYPES["A"], socket.inet_aton("127.0.0.1"))])
        if qtype == TYPES["ANY"]:
            number = int(name.split(".")[0]) if name.split(".")[0].isdigit() else 0
            return reply(query, [rr(TYPES["CNAME"], wire_name(f"{number + 1}.fake.test"))])
        return reply(query, [])
    raise SystemExit(f"unknown mode {mode}")


def serve_udp(sock, mode):
    while True:
        query, peer = sock.recvfrom(4096)
        if mode != "silent" and len(query) > 12:
            sock.sendto(answer(mode, query, False), peer)


def serve_tcp(listener, mode):
    while True:
        conn, _ = listener.accept()
        with conn:
            try:
                size = struct.unpack("!H", conn.recv(2, socket.MSG_WAITALL))[0]
                query = conn.recv(size, socket.MSG_WAITALL)
                if mode != "silent":
                    data = answer(mode, query, True)
                    conn.sendall(struct.pack("!H", len(data)) + data)
                    conn.recv(1)  # until the client hangs up
            except (OSError, struct.error):
                pass


def main():
    mode = sys.argv[1]
    while True:  # one port for UDP and TCP
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            udp.close()
            tcp.close()
    tcp.listen(5)
    threading.Thread(target=serve_tcp, args=(tcp, mode), daemon=True).start()
    print(f"port {port}", flush=True)
    serve_udp(udp, mode)


if __name__ == "__main__":
    main()
