"""Peers for the ch04-rawdns grader: DNS messages built byte by byte, a
checker that says what is wrong with a query in protocol terms, and
FakeDns, a DNS server in threads on loopback that answers as the stage
wants (well, late, never, from the wrong address, over UDP and TCP).

FakeDns is a context manager: leaving it stops its threads and closes its
sockets, whatever happened in the stage.
"""

import socket
import struct
import threading
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "ANY": 255}
IN = 1
RD, TC, QR, AA, RA = 0x0100, 0x0200, 0x8000, 0x0400, 0x0080


# ------------------------------------------------------- wire format

def wire_name(name):
    """b"\\x03www\\x07example\\x04test\\x00" for "www.example.test"."""
    labels = [label for label in name.rstrip(".").split(".") if label]
    return b"".join(bytes([len(label)]) + label.encode("latin-1") for label in labels) + b"\0"


def pointer(offset):
    return struct.pack("!H", 0xC000 | offset)


def rr(owner, rtype, rdata, ttl=300, rclass=IN):
    """One resource record; `owner` is bytes already (a wire name or a pointer)."""
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def strings(*texts):
    """TXT data: character-strings, each after its length byte."""
    return b"".join(bytes([len(t)]) + t for t in texts)


def question_end(query):
    """The offset just after the query's question (name, type, class)."""
    i = 12
    while i < len(query) and query[i]:
        i += query[i] + 1
    return i + 5


def reply(query, answers=(), flags=QR | AA | RD | RA, qid=None, qdcount=1, question=None):
    """A reply to `query`: its ID (or `qid`), `flags`, its question (or
    `question`, the bytes of another one) and the answer records."""
    qid = struct.unpack("!H", query[:2])[0] if qid is None else qid
    question = query[12:question_end(query)] if question is None else question
    return struct.pack("!HHHHHH", qid, flags, qdcount, len(answers), 0, 0) + question + b"".join(answers)


def query_id(query):
    return struct.unpack("!H", query[:2])[0]


def query_question(query):
    """(name, type, class) of a well-formed query, name as "www.example.test."."""
    labels, i = [], 12
    while query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode("latin-1"))
        i += query[i] + 1
    qtype, qclass = struct.unpack("!HH", query[i + 1:i + 5])
    return ".".join(labels) + ".", qtype, qclass


def query_problem(query, name, qtype):
    """What is wrong with `query` as a standard query for `name` and
    `qtype` (RFC 1035 4.1), in words; None when it is right."""
    if len(query) < 12:
        return f"the query is {len(query)} bytes long, shorter than a DNS header (12 bytes)"
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", query[:12])
    if flags & QR:
        return f"the flags (bytes 2-3) are 0x{flags:04x}: the QR bit (0x8000) says 'reply'; a query has it clear"
    if (flags >> 11) & 0xF:
        return f"the flags (bytes 2-3) are 0x{flags:04x}: the opcode should be 0 (a standard query)"
    if not flags & RD:
        return f"the flags (bytes 2-3) are 0x{flags:04x}: the RD bit (0x0100) should be set"
    if (qd, an, ns) != (1, 0, 0):
        return f"the counts (bytes 4-9) are QDCOUNT {qd}, ANCOUNT {an}, NSCOUNT {ns}; expected 1, 0, 0"
    want = wire_name(name)
    got = query[12:12 + len(want)]
    if got.lower() != want.lower():
        return (f"the question's name (from byte 12) is {got!r}; expected {want!r}"
                " (each label after its length byte, then a zero byte)")
    rest = query[12 + len(want):]
    if len(rest) < 4:
        return "the question ends after its name: QTYPE and QCLASS (2 bytes each) are missing"
    got_type, got_class = struct.unpack("!HH", rest[:4])
    if got_type != qtype:
        return f"the question's QTYPE is {got_type}; expected {qtype}"
    if got_class != IN:
        return f"the question's QCLASS is {got_class}; expected 1 (IN)"
    if ar == 0 and len(rest) > 4:
        return f"{len(rest) - 4} bytes follow the question, and ARCOUNT is 0"
    return None


# ---------------------------------------------------------- the server

class FakeDns:
    """A DNS server on 127.0.0.1, UDP and TCP on one port, in threads.

    udp_policy(query) returns what to send back, a list of (via, bytes): via
    "main" (the server's own socket), "other-port" (127.0.0.1, another port)
    or "other-addr" (127.0.0.2, the same port). tcp_policy(query) returns
    the pieces of the TCP reply stream, a list of (pause, bytes): each piece
    is sent after `pause` seconds; None (for the list, or as its last item)
    then keeps the connection open and silent until the server stops.
    `queries` lists (transport, bytes) for each query received; for TCP the
    bytes after the 2-byte length, and `tcp_framing` notes any framing error.
    `first_at` maps a transport to the time.monotonic() of its first query.
    """

    def __init__(self, udp_policy, tcp_policy=None):
        self.udp_policy = udp_policy
        self.tcp_policy = tcp_policy
        while True:  # one port free for UDP and TCP, and for the stray on 127.0.0.2
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.other_addr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                self.other_addr.bind(("127.0.0.2", self.port))
                break
            except OSError:
                for s in (self.udp, self.tcp, self.other_addr):
                    s.close()
        self.tcp.listen(5)
        self.other_port = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other_port.bind(("127.0.0.1", 0))
        for s in (self.udp, self.tcp):
            s.settimeout(0.05)
        self.queries = []
        self.first_at = {}
        self.tcp_framing = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve_udp, daemon=True),
                        threading.Thread(target=self._serve_tcp, daemon=True)]
        for t in self.threads:
            t.start()

    def _serve_udp(self):
        socks = {"main": self.udp, "other-port": self.other_port, "other-addr": self.other_addr}
        while not self.stopping.is_set():
            try:
                query, peer = self.udp.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self._received("udp", query)
            try:
                answers = self.udp_policy(query)
            except Exception:  # a query too broken to answer: the stage says why
                answers = []
            for via, data in answers:
                try:
                    socks[via].sendto(data, peer)
                except OSError:
                    pass  # the program has gone

    def _recv_exactly(self, conn, n):
        data = b""
        while len(data) < n:
            piece = conn.recv(n - len(data))
            if not piece:
                break
            data += piece
        return data

    def _serve_tcp(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(3)
                try:
                    head = self._recv_exactly(conn, 2)
                    if len(head) < 2:
                        self.tcp_framing.append(f"the connection closed after {len(head)} bytes,"
                                                " before the 2-byte length")
                        continue
                    size = struct.unpack("!H", head)[0]
                    query = self._recv_exactly(conn, size)
                    if len(query) < size:
                        self.tcp_framing.append(f"the length prefix said {size} bytes, but only"
                                                f" {len(query)} came before the connection closed")
                        continue
                    self._received("tcp", query)
                    pieces = self.tcp_policy(query) if self.tcp_policy else []
                    if pieces is None:
                        pieces = [None]
                    for piece in pieces:
                        if piece is None:  # silence: hold the connection until the stage ends
                            self.stopping.wait(10)
                            break
                        pause, data = piece
                        if pause:
                            time.sleep(pause)  # pacing the pieces on purpose
                        conn.sendall(data)
                    if not self.stopping.is_set():
                        conn.settimeout(1)
                        conn.recv(1)  # until the client hangs up (or a second passes)
                except (OSError, struct.error):
                    pass

    def _received(self, transport, query):
        self.first_at.setdefault(transport, time.monotonic())
        self.queries.append((transport, query))

    def udp_queries(self):
        return [q for t, q in self.queries if t == "udp"]

    def tcp_queries(self):
        return [q for t, q in self.queries if t == "tcp"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        for s in (self.udp, self.tcp, self.other_port, self.other_addr):
            s.close()


def tcp_message(data):
    """A DNS message as TCP carries it: after its 2-byte length."""
    return struct.pack("!H", len(data)) + data
