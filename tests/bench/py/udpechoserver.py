#!/usr/bin/python3
# The book's udpechoserver.py (section 3.6), for the bench. Changed only where
# Python 3 requires (print is a function), and the port: the book's 51423,
# unless BENCH_PORT names another (0: any, printed first as ours does).
import socket, traceback, os

host = ''
port = int(os.environ.get("BENCH_PORT", 51423))

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
print("Listening on port %d." % s.getsockname()[1], flush=True)

while 1:
    try:
        message, address = s.recvfrom(8192)
        print("Got data from", address)
        s.sendto(message, address)
    except (KeyboardInterrupt, SystemExit):
        raise
    except:
        traceback.print_exc()
