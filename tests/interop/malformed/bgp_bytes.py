"""Hand-built BGP-4 messages for the raw peer (RFC 4271 section 4).

Written from the RFCs, independently of bgpd/wire, so that a codec bug
cannot hide itself in its own test input.
"""

import socket
import struct

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4


def message(msg_type, body=b"", marker=MARKER, length=None):
    total = 19 + len(body) if length is None else length
    return marker + struct.pack("!HB", total, msg_type) + body


def open_msg(asn, router_id, hold=9, version=4):
    # Capabilities (RFC 5492): MP IPv4 unicast (RFC 4760), 4-octet AS (RFC 6793).
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", asn)
    params = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    body = struct.pack("!BHH4sB", version, my_as, hold, socket.inet_aton(router_id),
                       len(params)) + params
    return message(OPEN, body)


def keepalive():
    return message(KEEPALIVE)


def attr(flags, code, value):
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def origin(value=0, flags=0x40):
    return attr(flags, 1, bytes([value]))


def as_path(*asns):
    return attr(0x40, 2, bytes([2, len(asns)]) + b"".join(struct.pack("!I", a) for a in asns))


def next_hop(address):
    return attr(0x40, 3, socket.inet_aton(address))


def nlri(prefix):
    address, length = prefix.split("/")
    length = int(length)
    return bytes([length]) + socket.inet_aton(address)[:(length + 7) // 8]


def update(attrs=b"", prefixes=(), withdrawn=()):
    wd = b"".join(nlri(p) for p in withdrawn)
    return message(UPDATE, struct.pack("!H", len(wd)) + wd + struct.pack("!H", len(attrs)) +
                   attrs + b"".join(nlri(p) for p in prefixes))


def route(asn, hop, prefix):
    """A well-formed announcement of `prefix`."""
    return update(origin() + as_path(asn) + next_hop(hop), [prefix])


def read_message(sock):
    """One whole message as (type, body), or None at EOF."""
    header = _read_exact(sock, 19)
    if header is None:
        return None
    length, msg_type = struct.unpack("!HB", header[16:19])
    body = _read_exact(sock, length - 19) if length > 19 else b""
    return msg_type, body


def _read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data
