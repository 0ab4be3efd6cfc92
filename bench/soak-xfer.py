#!/usr/bin/env python3
# bench/soak-xfer.py: one end of bench/soak's checksummed TCP transfer (the
# host's end in the peer's network namespace, the guest's end in the guest).
#   soak-xfer.py send (--listen PORT | --connect HOST:PORT) FILE COUNT
#   soak-xfer.py recv (--listen PORT | --connect HOST:PORT)
# send: FILE COUNT times, then end of stream.  recv: reads to the end of
# the stream.  Both print one line
#   xfer BYTES SHA256 SECONDS
# (SHA-256 of the whole stream), so the two ends' lines can be compared:
# any byte lost, added, reordered or changed shows.  --listen accepts one
# connection (waits 120 s at most); --connect retries for 30 s.
import hashlib
import socket
import sys
import time

CHUNK = 1 << 20


def usage():
    sys.stderr.write(__doc__ if __doc__ else "usage: soak-xfer.py send|recv ...\n")
    sys.exit(2)


def open_conn(how, where):
    if how == "--listen":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", int(where)))
        ls.listen(1)
        ls.settimeout(120)
        conn, _ = ls.accept()
        ls.close()
        conn.settimeout(None)
        return conn
    host, port = where.rsplit(":", 1)
    deadline = time.monotonic() + 30
    while True:
        try:
            return socket.create_connection((host, int(port)), timeout=10)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("send", "recv"):
        usage()
    mode, how, where = sys.argv[1:4]
    if how not in ("--listen", "--connect"):
        usage()
    h = hashlib.sha256()
    total = 0
    if mode == "send":
        if len(sys.argv) != 6:
            usage()
        with open(sys.argv[4], "rb") as f:
            blob = f.read()
        count = int(sys.argv[5])
        conn = open_conn(how, where)
        conn.settimeout(None)
        t0 = time.monotonic()
        view = memoryview(blob)
        for _ in range(count):
            for off in range(0, len(blob), CHUNK):
                piece = view[off:off + CHUNK]
                conn.sendall(piece)
                h.update(piece)
                total += len(piece)
        conn.shutdown(socket.SHUT_WR)
        # wait for the receiver to close: everything was read
        conn.recv(1)
    else:
        if len(sys.argv) != 4:
            usage()
        conn = open_conn(how, where)
        conn.settimeout(None)
        t0 = time.monotonic()
        buf = bytearray(CHUNK)
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            h.update(memoryview(buf)[:n])
            total += n
    conn.close()
    print("xfer %d %s %.2f" % (total, h.hexdigest(), time.monotonic() - t0),
          flush=True)


if __name__ == "__main__":
    main()
