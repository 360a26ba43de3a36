"""Capture reading for ao_verify: pcap and pcapng files, link layers, IPv4,
IPv6 and TCP headers, parsed with struct only.

Owns: turning capture bytes into TcpSegment values (addresses, ports,
sequence numbers, flags, options, payload) or a typed CaptureError per
frame. Knows nothing of TCP-AO keys.
"""
import struct
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

# Link types (tcpdump.org/linktypes.html).
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276
# DLT_RAW has the values 12 or 14 on some platforms' captures.
_RAW_LINKTYPES = {LINKTYPE_RAW, 12, 14, LINKTYPE_IPV4, LINKTYPE_IPV6}

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
_VLAN_ETHERTYPES = {0x8100, 0x88A8, 0x9100}
IPPROTO_TCP = 6
# IPv6 extension headers walked to reach TCP (RFC 8200 section 4).
_IPV6_EXT_HEADERS = {0, 43, 60}
_IPV6_FRAGMENT = 44
_IPV6_AH = 51

TH_FIN, TH_SYN, TH_RST, TH_ACK = 0x01, 0x02, 0x04, 0x10
TCPOPT_AO = 29  # RFC 5925 section 2.2


class CaptureError(Exception):
    """The capture file itself cannot be read."""


@dataclass
class Frame:
    number: int      # 1-based, as Wireshark numbers frames
    linktype: int
    data: bytes
    truncated: bool  # captured length < original length


@dataclass
class AoOption:
    offset: int      # in the TCP header
    length: int
    key_id: int
    rnext_key_id: int
    mac: bytes


@dataclass
class TcpSegment:
    frame: int
    src: bytes       # 4 or 16 bytes
    dst: bytes
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int
    header_len: int
    tcp: bytes       # header + payload, exactly the IP payload length
    ao: Optional[AoOption]

    @property
    def payload_len(self) -> int:
        return len(self.tcp) - self.header_len

    @property
    def is_syn(self) -> bool:
        return bool(self.flags & TH_SYN)

    @property
    def seq_space(self) -> int:
        """Sequence numbers this segment occupies (RFC 793: SYN and FIN
        count one each)."""
        return self.payload_len + bool(self.flags & TH_SYN) + bool(self.flags & TH_FIN)


# --- files -----------------------------------------------------------------

def read_frames(path: str) -> Iterator[Frame]:
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise CaptureError("file too short for a capture header")
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(data)
    else:
        yield from _read_pcap(data)


def _read_pcap(data: bytes) -> Iterator[Frame]:
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise CaptureError("not a pcap or pcapng file (magic %s)" % magic.hex())
    if len(data) < 24:
        raise CaptureError("truncated pcap header")
    network = struct.unpack(endian + "I", data[20:24])[0]
    linktype = network & 0x0FFFFFFF  # upper bits may carry FCS information
    offset, number = 24, 0
    while offset < len(data):
        if offset + 16 > len(data):
            raise CaptureError("truncated record header at byte %d" % offset)
        _, _, incl_len, orig_len = struct.unpack(endian + "IIII", data[offset:offset + 16])
        offset += 16
        if offset + incl_len > len(data):
            raise CaptureError("truncated record at byte %d" % offset)
        number += 1
        yield Frame(number, linktype, data[offset:offset + incl_len], incl_len < orig_len)
        offset += incl_len


def _read_pcapng(data: bytes) -> Iterator[Frame]:
    offset, number, endian = 0, 0, "<"
    linktypes: List[int] = []
    while offset < len(data):
        if offset + 12 > len(data):
            raise CaptureError("truncated pcapng block at byte %d" % offset)
        if data[offset:offset + 4] == b"\x0a\x0d\x0d\x0a":  # section header
            bom = data[offset + 8:offset + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            linktypes = []
        block_type, block_len = struct.unpack(endian + "II", data[offset:offset + 8])
        if block_len < 12 or offset + block_len > len(data):
            raise CaptureError("bad pcapng block length at byte %d" % offset)
        body = data[offset + 8:offset + block_len - 4]
        if block_type == 1:  # interface description
            linktypes.append(struct.unpack(endian + "H", body[:2])[0])
        elif block_type == 6:  # enhanced packet
            iface, _, _, cap_len, orig_len = struct.unpack(endian + "IIIII", body[:20])
            number += 1
            yield Frame(number, _iface_linktype(linktypes, iface), body[20:20 + cap_len],
                        cap_len < orig_len)
        elif block_type == 3:  # simple packet: interface 0, snaplen-limited
            orig_len = struct.unpack(endian + "I", body[:4])[0]
            number += 1
            packet = body[4:4 + orig_len]
            yield Frame(number, _iface_linktype(linktypes, 0), packet, len(packet) < orig_len)
        offset += block_len


def _iface_linktype(linktypes: List[int], iface: int) -> int:
    if iface >= len(linktypes):
        raise CaptureError("packet names interface %d before its description" % iface)
    return linktypes[iface]


# --- layers ----------------------------------------------------------------

def ip_packet(frame: Frame) -> Tuple[Optional[bytes], str]:
    """Strips the link layer; returns (IP packet or None, reason when None)."""
    data, lt = frame.data, frame.linktype
    if lt in _RAW_LINKTYPES:
        return data, ""
    if lt == LINKTYPE_ETHERNET:
        off = 12
        while (len(data) >= off + 2
               and struct.unpack("!H", data[off:off + 2])[0] in _VLAN_ETHERTYPES):
            off += 4
        if len(data) < off + 2:
            return None, "short ethernet frame"
        return _by_ethertype(struct.unpack("!H", data[off:off + 2])[0], data[off + 2:])
    if lt == LINKTYPE_LINUX_SLL:
        if len(data) < 16:
            return None, "short SLL header"
        return _by_ethertype(struct.unpack("!H", data[14:16])[0], data[16:])
    if lt == LINKTYPE_LINUX_SLL2:
        if len(data) < 20:
            return None, "short SLL2 header"
        return _by_ethertype(struct.unpack("!H", data[0:2])[0], data[20:])
    if lt == LINKTYPE_NULL:
        if len(data) < 4:
            return None, "short loopback header"
        family = struct.unpack("<I", data[:4])[0]
        if family > 0xFFFF:
            family = struct.unpack(">I", data[:4])[0]
        return (data[4:], "") if family in (2, 10, 24, 28, 30) else (None, "not IP")
    raise CaptureError("unsupported link type %d" % lt)


def _by_ethertype(ethertype: int, payload: bytes) -> Tuple[Optional[bytes], str]:
    if ethertype in (ETHERTYPE_IPV4, ETHERTYPE_IPV6):
        return payload, ""
    return None, "not IP"


class SegmentProblem(Exception):
    """A TCP segment that cannot be verified (fragment, truncated, bad
    options); reported against its frame."""


def tcp_segment(frame_number: int, packet: bytes) -> Optional[TcpSegment]:
    """The TCP segment of an IP packet; None for non-TCP packets."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4:
        found = _ipv4_tcp(packet)
    elif version == 6:
        found = _ipv6_tcp(packet)
    else:
        return None
    if found is None:
        return None
    src, dst, tcp = found
    return _parse_tcp(frame_number, src, dst, tcp)


def _ipv4_tcp(packet: bytes):
    if len(packet) < 20:
        raise SegmentProblem("short IPv4 header")
    ihl = (packet[0] & 0x0F) * 4
    total_len, frag = struct.unpack("!H2xH", packet[2:8])
    if packet[9] != IPPROTO_TCP:
        return None
    if frag & 0x3FFF:  # MF set or a non-zero offset
        raise SegmentProblem("IPv4 fragment (reassembly not supported)")
    if ihl < 20 or total_len < ihl:
        raise SegmentProblem("bad IPv4 header length")
    if len(packet) < total_len:
        raise SegmentProblem("IPv4 packet truncated in the capture")
    # Link-layer padding beyond total_len is not part of the segment.
    return packet[12:16], packet[16:20], packet[ihl:total_len]


def _ipv6_tcp(packet: bytes):
    if len(packet) < 40:
        raise SegmentProblem("short IPv6 header")
    payload_len, next_header = struct.unpack("!HB", packet[4:7])
    end = 40 + payload_len
    if len(packet) < end:
        raise SegmentProblem("IPv6 packet truncated in the capture")
    off = 40
    while next_header != IPPROTO_TCP:
        if next_header == _IPV6_FRAGMENT:
            raise SegmentProblem("IPv6 fragment (reassembly not supported)")
        if next_header in _IPV6_EXT_HEADERS or next_header == _IPV6_AH:
            if off + 2 > end:
                raise SegmentProblem("truncated IPv6 extension header")
            units = packet[off + 1]
            length = (units + 2) * 4 if next_header == _IPV6_AH else (units + 1) * 8
            next_header = packet[off]
            off += length
        else:
            return None
    if off > end:
        raise SegmentProblem("truncated IPv6 extension header")
    return packet[8:24], packet[24:40], packet[off:end]


def _parse_tcp(frame_number: int, src: bytes, dst: bytes, tcp: bytes) -> TcpSegment:
    if len(tcp) < 20:
        raise SegmentProblem("short TCP header")
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", tcp[:14])
    header_len = (off_flags >> 12) * 4
    if header_len < 20 or header_len > len(tcp):
        raise SegmentProblem("bad TCP data offset")
    ao = _find_ao(tcp, header_len)
    return TcpSegment(frame_number, src, dst, sport, dport, seq, ack, off_flags & 0x3F,
                      header_len, tcp, ao)


def _find_ao(tcp: bytes, header_len: int) -> Optional[AoOption]:
    """Walks the options (RFC 9293 section 3.1); a malformed list is a
    problem, since the MAC input depends on where the option is."""
    off, found = 20, None
    while off < header_len:
        kind = tcp[off]
        if kind == 0:
            break
        if kind == 1:
            off += 1
            continue
        if off + 2 > header_len or tcp[off + 1] < 2 or off + tcp[off + 1] > header_len:
            raise SegmentProblem("malformed TCP option list")
        length = tcp[off + 1]
        if kind == TCPOPT_AO:
            if length < 4:
                raise SegmentProblem("TCP-AO option shorter than 4 bytes")
            if found is not None:
                raise SegmentProblem("two TCP-AO options in one segment")
            found = AoOption(off, length, tcp[off + 2], tcp[off + 3], tcp[off + 4:off + length])
        off += length
    return found
