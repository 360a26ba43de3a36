"""TCP-AO computations written from RFC 5925 and RFC 5926 (not from bgpd).

Owns: the algorithm table of RFC 5926 (with the wire codes of the AO-TLS
profile, section 2), the KDF (RFC 5926 section 3.1.1), the MAC input of
RFC 5925 section 5.1, the traffic-key context of RFC 5925 section 5.2 and
sequence number extension of RFC 5925 section 6.2.

Pure functions over bytes; no capture parsing, no I/O.
"""
import hashlib
import hmac
import struct
from dataclasses import dataclass
from typing import Callable

from cryptography.hazmat.primitives.ciphers import algorithms as _ciphers
from cryptography.hazmat.primitives.cmac import CMAC

# RFC 5926 section 3.1.1: the KDF label is the ASCII "TCP-AO", no NUL. (The
# TLS exporter label "tcp-ao" of the AO-TLS profile is another constant.)
KDF_LABEL = b"TCP-AO"
# RFC 5926 section 3.2: both MACs are truncated to 96 bits.
MAC_LEN = 12


def hmac_sha1(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha1).digest()


def aes_128_cmac(key: bytes, message: bytes) -> bytes:
    mac = CMAC(_ciphers.AES(key))
    mac.update(message)
    return mac.finalize()


@dataclass(frozen=True)
class Algorithm:
    """One row of the profile's section 2 table: a MAC and its KDF."""
    code: int               # auth code = kdf code on the wire (profile section 2)
    name: str               # RFC 5926 MAC name
    prf: Callable[[bytes, bytes], bytes]
    key_bits: int           # traffic key length = PRF output (RFC 5926 3.1.1)
    cmac_key_prestep: bool  # KDF_AES_128_CMAC reduces non-16-byte master keys


HMAC_SHA1_96 = Algorithm(0, "HMAC-SHA-1-96", hmac_sha1, 160, False)
AES_128_CMAC_96 = Algorithm(1, "AES-128-CMAC-96", aes_128_cmac, 128, True)
ALGORITHMS_BY_CODE = {a.code: a for a in (HMAC_SHA1_96, AES_128_CMAC_96)}
# Names accepted in key files: the RFC names and the bgpd config spellings.
ALGORITHMS_BY_NAME = {
    "hmac-sha-1-96": HMAC_SHA1_96, "hmac-sha1-96": HMAC_SHA1_96,
    "aes-128-cmac-96": AES_128_CMAC_96,
}


def kdf(algorithm: Algorithm, master_key: bytes, context: bytes) -> bytes:
    """RFC 5926 section 3.1.1: one PRF iteration gives the whole traffic key.

    Input = i (0x01) | Label | Context | Output_Length (bits, 2 bytes BE).
    For KDF_AES_128_CMAC a master key that is not exactly 16 bytes is first
    reduced to K = AES-CMAC(0^128, master key) (RFC 5926 section 3.1.1.2).
    """
    key = master_key
    if algorithm.cmac_key_prestep and len(key) != 16:
        key = aes_128_cmac(bytes(16), key)
    data = b"\x01" + KDF_LABEL + context + struct.pack("!H", algorithm.key_bits)
    return algorithm.prf(key, data)


def kdf_context(src: bytes, dst: bytes, sport: int, dport: int,
                src_isn: int, dst_isn: int) -> bytes:
    """RFC 5925 section 5.2: the segment's own socket pair, source first,
    then the source's ISN and the destination's ISN (0 for a SYN, whose
    peer ISN is not known yet)."""
    return src + dst + struct.pack("!HHII", sport, dport, src_isn, dst_isn)


def pseudo_header(src: bytes, dst: bytes, tcp_length: int) -> bytes:
    """RFC 5925 section 5.1 (2): the IPv4 (RFC 793) or IPv6 (RFC 2460)
    pseudo-header; tcp_length counts the whole segment."""
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, 6, tcp_length)
    return src + dst + struct.pack("!I3xB", tcp_length, 6)


def mac_input(sne: int, src: bytes, dst: bytes, tcp: bytes, header_len: int,
              ao_offset: int, ao_length: int, include_options: bool) -> bytes:
    """RFC 5925 section 5.1: SNE | pseudo-header | TCP header | payload.

    The header has its checksum and the TCP-AO MAC zeroed; when the MKT
    excludes options, only the fixed 20 bytes and the TCP-AO option itself
    (MAC zeroed) remain. `ao_offset` is the option's offset in `tcp`.
    """
    header = bytearray(tcp[:header_len])
    header[16:18] = b"\x00\x00"
    header[ao_offset + 4:ao_offset + ao_length] = bytes(ao_length - 4)
    if not include_options:
        header = header[:20] + header[ao_offset:ao_offset + ao_length]
    return (struct.pack("!I", sne) + pseudo_header(src, dst, len(tcp))
            + bytes(header) + tcp[header_len:])


def compute_mac(algorithm: Algorithm, traffic_key: bytes, message: bytes) -> bytes:
    """RFC 5926 section 3.2: the PRF keyed with the traffic key, 96 bits."""
    return algorithm.prf(traffic_key, message)[:MAC_LEN]


class SequenceExtender:
    """RFC 5925 section 6.2: the SNE is the high 32 bits of a 64-bit
    sequence space starting at 0 with the ISN. Each sequence number is put
    at the 64-bit value nearest (within 2^31) to the highest one seen in
    that direction, so reordered segments on either side of a wrap get the
    SNE their sender used. The RFC's example code reaches the same result
    for every segment within a window of 2^31; this form needs no flag."""

    def __init__(self, isn: int):
        self.highest = isn  # extended value of the ISN: SNE 0

    def extend(self, seq: int) -> int:
        base = self.highest & ~0xFFFFFFFF
        candidates = (base - (1 << 32) + seq, base + seq, base + (1 << 32) + seq)
        extended = min((c for c in candidates if c >= 0),
                       key=lambda c: abs(c - self.highest))
        self.highest = max(self.highest, extended)
        return extended
