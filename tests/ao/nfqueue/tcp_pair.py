#!/usr/bin/python3
"""A TCP server and client for nfqueue_shell_test.py (run inside a namespace).

  tcp_pair.py serve ADDR PORT        accept connections until killed; for each,
                                     read an 8-byte length L and L bytes, check them,
                                     answer L bytes, close; one JSON line per connection
  tcp_pair.py send ADDR PORT L TIMEOUT [SPORT]
                                     connect (from SPORT if given), send L bytes, read
                                     the L-byte answer; exit 0 (ok), 1 (no connection),
                                     2 (bad data)
  tcp_pair.py icmp DST SRC SPORT QDST QPORT
                                     send DST an ICMP "fragmentation needed" (RFC 792)
                                     quoting a TCP segment SRC:SPORT -> QDST:QPORT (IPv4)

Both ends lower the MSS (TCP_MAXSEG before listen/connect) so that a
processor adding an option never pushes a segment past the MTU. The data is
deterministic (seeded), so each side can check every byte.
"""
import json
import random
import socket
import sys
import time

MSS = 1400


def payload(seed, length):
    return random.Random(seed).randbytes(length)


def read_exact(conn, length):
    chunks, have = [], 0
    while have < length:
        chunk = conn.recv(min(1 << 16, length - have))
        if not chunk:
            break
        chunks.append(chunk)
        have += len(chunk)
    return b"".join(chunks)


def tcp_socket(addr):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, MSS)
    return sock


def serve(addr, port):
    server = tcp_socket(addr)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((addr, port))
    server.listen(8)
    print(json.dumps({"listening": True}), flush=True)
    while True:
        conn, peer = server.accept()
        with conn:
            conn.settimeout(20)
            try:
                length = int.from_bytes(read_exact(conn, 8), "big")
                ok = read_exact(conn, length) == payload(1, length)
                conn.sendall(payload(2, length))
            except OSError as error:
                ok, length = False, str(error)
            print(json.dumps({"peer": peer[0], "length": length, "ok": ok}), flush=True)


def send(addr, port, length, timeout, sport=0):
    sock = tcp_socket(addr)
    if sport:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", sport))
    sock.settimeout(timeout)
    start = time.monotonic()
    try:
        sock.connect((addr, port))
    except OSError as error:
        print(json.dumps({"connected": False, "error": str(error)}), flush=True)
        return 1
    sock.settimeout(30)
    sock.sendall(length.to_bytes(8, "big") + payload(1, length))
    answer = read_exact(sock, length)
    sock.close()
    ok = answer == payload(2, length)
    print(json.dumps({"connected": True, "ok": ok, "received": len(answer),
                      "seconds": round(time.monotonic() - start, 3)}), flush=True)
    return 0 if ok else 2


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total & 0xFFFF).to_bytes(2, "big")


def icmp(dst, src, sport, qdst, qport):
    # The quoted datagram: its IPv4 header and the first 8 bytes of its TCP
    # header (RFC 792), which is what conntrack matches the error with.
    inner = bytearray(b"\x45\x00\x00\x28\x00\x00\x40\x00\x40\x06\x00\x00")
    inner += socket.inet_aton(src) + socket.inet_aton(qdst)
    inner[10:12] = checksum(bytes(inner))
    inner += sport.to_bytes(2, "big") + qport.to_bytes(2, "big") + (1).to_bytes(4, "big")
    message = bytearray(b"\x03\x04\x00\x00\x00\x00\x03\xe8") + inner  # MTU 1000
    message[2:4] = checksum(bytes(message))
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.sendto(bytes(message), (dst, 0))
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "serve":
        return serve(argv[2], int(argv[3]))
    if len(argv) in (6, 7) and argv[1] == "send":
        sport = int(argv[6]) if len(argv) == 7 else 0
        return send(argv[2], int(argv[3]), int(argv[4]), float(argv[5]), sport)
    if len(argv) == 7 and argv[1] == "icmp":
        return icmp(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]))
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
