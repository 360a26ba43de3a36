"""Malformed input and the answer each one must get.

`expect` is the NOTIFICATION [code, subcode] that must come back (the
session then ends), or "withdraw": RFC 7606 treat-as-withdraw, the session
stays up and the earlier route for the prefix is gone.
"""

import struct

from tests.interop.malformed import bgp_bytes as b

PEER_ASN = 65010


def _prefix(n):
    return f"10.66.{n}.0/24"


def _announce(n):
    return b.route(PEER_ASN, "10.99.1.2", _prefix(n))


def _mp_reach_truncated():
    # RFC 4760 MP_REACH_NLRI for IPv4 unicast whose NLRI claims a /24 (3
    # octets) but carries one: RFC 7606 section 5.3 / 7.11 -> session reset.
    value = struct.pack("!HB", 1, 1) + bytes([4]) + bytes([10, 99, 1, 2]) + bytes([0]) + bytes([24, 10])
    attrs = b.origin() + b.as_path(PEER_ASN) + b.attr(0x80, 14, value)
    return b.update(attrs)


CASES = {
    # RFC 4271 6.1: header errors.
    "bad_marker": {"send": b.message(b.KEEPALIVE, marker=b"\x00" * 16), "expect": [1, 1]},
    "length_too_short": {"send": b.message(b.KEEPALIVE, length=18), "expect": [1, 2]},
    "length_too_long": {"send": b.message(b.UPDATE, b"\x00" * 8, length=5000) + b"\x00" * 64,
                        "expect": [1, 2]},
    "bad_type": {"send": b.message(9), "expect": [1, 3]},
    # RFC 4271 6.2: OPEN errors.
    "open_bad_version": {"open": b.open_msg(PEER_ASN, "10.99.1.2", version=3), "send": b"",
                         "expect": [2, 1]},
    "open_bad_peer_as": {"open": b.open_msg(PEER_ASN + 1, "10.99.1.2"), "send": b"",
                         "expect": [2, 2]},
    "open_bad_hold_time": {"open": b.open_msg(PEER_ASN, "10.99.1.2", hold=2), "send": b"",
                           "expect": [2, 6]},
    # RFC 4271 6.3 answers an unrecognized well-known attribute with 3/2;
    # the codec follows RFC 7606 section 2's treat-as-withdraw instead (as
    # BIRD and FRR do), so the session survives (bgpd/wire/update.cpp).
    "unknown_well_known": {"before": _announce(1),
                           "send": b.update(b.origin() + b.as_path(PEER_ASN) +
                                            b.next_hop("10.99.1.2") + b.attr(0x40, 99, b"\x01"),
                                            [_prefix(1)]),
                           "expect": "withdraw", "prefix": _prefix(1)},
    "truncated_mp_reach": {"send": _mp_reach_truncated(), "expect": [3, 9]},
    # RFC 7606 section 3 (c): wrong flags on a well-known attribute.
    "origin_bad_flags": {"before": _announce(2),
                         "send": b.update(b.origin(flags=0xC0) + b.as_path(PEER_ASN) +
                                          b.next_hop("10.99.1.2"), [_prefix(2)]),
                         "expect": "withdraw", "prefix": _prefix(2)},
    # RFC 7606 section 3 (d): a missing well-known mandatory attribute.
    "missing_origin": {"before": _announce(3),
                       "send": b.update(b.as_path(PEER_ASN) + b.next_hop("10.99.1.2"), [_prefix(3)]),
                       "expect": "withdraw", "prefix": _prefix(3)},
    # RFC 7606 section 7.3: ORIGIN with an undefined value.
    "origin_bad_value": {"before": _announce(4),
                         "send": b.update(b.origin(value=7) + b.as_path(PEER_ASN) +
                                          b.next_hop("10.99.1.2"), [_prefix(4)]),
                         "expect": "withdraw", "prefix": _prefix(4)},
}
