#!/usr/bin/python3
# The book's gopherclient.py (section 1.5.1.1), for the bench. Changed only
# where Python 3 requires (bytes: encode() and sys.stdout.buffer), and the
# port: the book's 70, unless BENCH_PORT names the bench's server.
import socket, sys, os

port = int(os.environ.get("BENCH_PORT", 70))
host = sys.argv[1]
filename = sys.argv[2]

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((host, port))
s.sendall((filename + "\r\n").encode())

while 1:
    buf = s.recv(2048)
    if not len(buf):
        break
    sys.stdout.buffer.write(buf)
