"""A hand-made TLS 1.3 ClientHello carrying the tcp_ao extension
(draft-piraux-tcp-ao-tls; profile section 3) with a chosen body, sent to
bgpd's port 179 from a fixed local address and port (the 4-tuple that an
ao_static_tool client signs with the default MKT). Run inside the peer's
namespace by misconfig_peers.py; prints one JSON line:
{"body", "sent", "closed", "how": "fin"|"reset"|"open", "received": hex,
"records": [[content type, first two body bytes hex]...],
"alert": [level, description] of the first alert record or null}.

The ClientHello is complete enough that OpenSSL gets to the extensions:
TLS_AES_128_GCM_SHA256, supported_versions (TLS 1.3), supported_groups and
key_share (x25519 with 32 random bytes: any value is a valid key),
signature_algorithms, ALPN "botls", then the tcp_ao extension.

Usage: python3 -m tests.interop.ao.raw_ao_hello BODY_HEX EXT_TYPE LOCAL PORT DUT WAIT
"""

import json
import os
import socket
import struct
import sys
import time

from tests.interop.tls.raw_tls import (CLIENT_HELLO, TLS_HANDSHAKE, handshake_header,
                                       read_until_closed, record)

TLS13 = 0x0304
X25519 = 0x001D
ALERT = 21
SIGNATURE_SCHEMES = (0x0804, 0x0805, 0x0806, 0x0403, 0x0503, 0x0401, 0x0501)


def u16(value):
    return struct.pack("!H", value)


def vector16(body):
    return u16(len(body)) + body


def extension(ext_type, body):
    return u16(ext_type) + vector16(body)


def client_hello(tcp_ao_type, tcp_ao_body):
    """The handshake message (header included), tcp_ao last."""
    extensions = [
        extension(43, bytes([2]) + u16(TLS13)),                                   # supported_versions
        extension(10, vector16(u16(X25519))),                                     # supported_groups
        extension(51, vector16(u16(X25519) + vector16(os.urandom(32)))),          # key_share
        extension(13, vector16(b"".join(u16(s) for s in SIGNATURE_SCHEMES))),     # signature_algorithms
        extension(16, vector16(bytes([5]) + b"botls")),                           # ALPN
        extension(tcp_ao_type, tcp_ao_body),
    ]
    body = (u16(0x0303) + os.urandom(32) + bytes([32]) + os.urandom(32)
            + vector16(u16(0x1301)) + bytes([1, 0]) + vector16(b"".join(extensions)))
    return handshake_header(CLIENT_HELLO, len(body)) + body


def records(data):
    """[(content type, body)] of the complete records in `data`."""
    out = []
    while len(data) >= 5:
        content_type, _version, length = struct.unpack("!BHH", data[:5])
        if len(data) < 5 + length:
            break
        out.append((content_type, data[5:5 + length]))
        data = data[5 + length:]
    return out


def run(body_hex, ext_type, local, port, dut, wait):
    family = socket.AF_INET6 if ":" in dut else socket.AF_INET
    hello = record(TLS_HANDSHAKE, client_hello(ext_type, bytes.fromhex(body_hex)))
    result = {"body": body_hex, "sent": len(hello), "closed": False, "how": "open",
              "received": "", "records": [], "alert": None}
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((local, port))
        s.settimeout(5)
        s.connect((dut, 179))
        s.sendall(hello)
        received = read_until_closed(s, time.monotonic() + wait, result)
    result["received"] = received[:64].hex()
    parsed = records(received)
    result["records"] = [[t, b[:2].hex()] for t, b in parsed]
    alerts = [b for t, b in parsed if t == ALERT and len(b) == 2]
    result["alert"] = list(alerts[0]) if alerts else None
    return result


def main():
    body_hex, ext_type, local, port, dut, wait = sys.argv[1:7]
    print(json.dumps(run(body_hex, int(ext_type), local, int(port), dut, float(wait))),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
