#!/usr/bin/python3
# The book's gopherclient3.py (section 1.5.1.3), for the bench. Changed only
# where Python 3 requires (an unbuffered makefile must be binary: 'rwb'; bytes
# out through sys.stdout.buffer), and the port: the book's 70, unless
# BENCH_PORT names the bench's server.
import socket, sys, os

port = int(os.environ.get("BENCH_PORT", 70))
host = sys.argv[1]
filename = sys.argv[2]

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((host, port))
fd = s.makefile('rwb', 0)

fd.write((filename + "\r\n").encode())

for line in fd.readlines():
    sys.stdout.buffer.write(line)
