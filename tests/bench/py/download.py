#!/usr/bin/python3
# The book's download.py (section 1.5.2), for the bench. Changed only where
# Python 3 requires: urllib.urlopen is urllib.request.urlopen, and bytes go
# out through sys.stdout.buffer.
import sys, urllib.request

f = urllib.request.urlopen(sys.argv[1])
while 1:
    buf = f.read(2048)
    if not len(buf):
        break
    sys.stdout.buffer.write(buf)
