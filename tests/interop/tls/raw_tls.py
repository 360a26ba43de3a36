"""One malformed TLS opening against bgpd's port 179, from a raw TCP socket.
Run inside the peer's namespace by bad_input.py; prints one JSON line:
{"case", "closed": bool, "how": "fin"|"reset"|"open", "seconds": time from
the last byte sent to the close, "alert": hex of what bgpd sent or "",
"sent": bytes sent}.

Usage: python3 -m tests.interop.tls.raw_tls CASE LOCAL_ADDRESS DUT_ADDRESS WAIT
"""

import json
import os
import socket
import struct
import sys
import time

TLS_HANDSHAKE = 0x16
MAX_RECORD = 2 ** 14 + 256      # RFC 8446 section 5.2: TLSCiphertext limit
CLIENT_HELLO = 0x01


def record(content_type, body, length=None):
    """A TLS record header (legacy version 0x0301) and `body`; `length`
    overrides the header's length field."""
    return struct.pack("!BHH", content_type, 0x0301,
                       len(body) if length is None else length) + body


def handshake_header(msg_type, length):
    return struct.pack("!B", msg_type) + length.to_bytes(3, "big")


def garbage():
    """Printable bytes where a ClientHello belongs: neither 0x16 nor 0xFF."""
    return [b"GET / HTTP/1.1\r\nHost: bgpd\r\n\r\n" + bytes(range(32, 127))]


def truncated():
    """Header claims 300 bytes, 10 follow, then silence: only the handshake
    timeout ends it."""
    return [record(TLS_HANDSHAKE, handshake_header(CLIENT_HELLO, 296) + b"\x03\x03" + b"\0" * 4,
                   length=300)]


def oversized():
    """A record of 0x4200 bytes, above 2^14 + 256 (MAX_RECORD)."""
    length = 0x4200
    body = handshake_header(CLIENT_HELLO, length - 4) + os.urandom(length - 4)
    return [record(TLS_HANDSHAKE, body, length)[:5]] + [body[i:i + 4096]
                                                       for i in range(0, length, 4096)]


def huge_handshake():
    """A ClientHello whose 3-byte length claims 16 MiB - 1, then full
    records of its supposed body (1 MiB of them) while bgpd listens."""
    first = handshake_header(CLIENT_HELLO, 0xFFFFFF) + b"\x03\x03" + os.urandom(2 ** 14 - 6)
    chunks = [record(TLS_HANDSHAKE, first)]
    chunks += [record(TLS_HANDSHAKE, os.urandom(2 ** 14)) for _ in range(63)]
    return chunks


def read_until_closed(s, deadline, result):
    """What the peer sends until it closes (result's "closed" and "how":
    "fin" or "reset") or `deadline` (time.monotonic()) passes."""
    received = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        except ConnectionResetError:
            result.update(closed=True, how="reset")
            break
        if not data:
            result.update(closed=True, how="fin")
            break
        received += data
    return received


CASES = {"garbage": garbage, "truncated": truncated, "oversized": oversized,
         "huge-handshake": huge_handshake}


def run(case, local, dut, wait):
    family = socket.AF_INET6 if ":" in dut else socket.AF_INET
    result = {"case": case, "closed": False, "how": "open", "seconds": None, "alert": "",
              "sent": 0}
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((local, 0))
        s.settimeout(5)
        s.connect((dut, 179))
        last_sent = time.monotonic()
        try:
            for chunk in CASES[case]():
                s.sendall(chunk)
                result["sent"] += len(chunk)
                last_sent = time.monotonic()
        except (BrokenPipeError, ConnectionResetError):
            result.update(closed=True, how="reset", seconds=time.monotonic() - last_sent)
            return result
        received = read_until_closed(s, last_sent + wait, result)
        if result["closed"]:
            result["seconds"] = round(time.monotonic() - last_sent, 3)
        result["alert"] = received[:64].hex()
    return result


def main():
    case, local, dut, wait = sys.argv[1:5]
    print(json.dumps(run(case, local, dut, float(wait))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
