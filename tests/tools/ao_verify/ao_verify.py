#!/usr/bin/python3
"""ao_verify - an independent TCP-AO verifier for packet captures.

Written from RFC 5925, RFC 5926 and the project's AO-TLS profile (sections
2, 3 and 6), not from the daemon's C++: it shares no code with it, so a
capture that verifies here shows that the daemon speaks the RFCs' format.

For every TCP segment carrying option 29 it finds the MKT by KeyID and
direction, derives the traffic key (RFC 5926 KDF over the RFC 5925 section
5.2 context), recomputes the MAC over the RFC 5925 section 5.1 input with
the SNE of section 6.2, and compares. Keys come from the AO-TLS key log
(matched to a connection by the ClientHello random, which TLS 1.3 sends in
clear), from a static key file, and from the default MKT.

Prints verified/total per flow, direction and KeyID. Exit status: 0 all
good; 1 any MAC mismatch, unknown KeyID, unverifiable AO segment, sequence
gap (a hole never filled by a retransmission), a TCP segment without TCP-AO
(--require-ao; without it such segments are only counted), or no TCP-AO
segment at all; 2 bad input (unreadable capture or key file). Secrets are
never printed.

A flow whose handshake is not in the capture (a connection restored with
Linux's TCP_REPAIR and TCP_AO_REPAIR, say) verifies when --isn names each
sender's ISN: the SNE then counts from 0 at that ISN (RFC 5925 section
6.2), and the stream is expected to start at ISN + 1.

Static MKTs carry no connection identifier here: each applies to every
flow, and a segment is checked against every static MKT whose SendID or
RecvID equals its KeyID (the two routers' views of one key chain are mirror
images, so either view serves). Key log MKTs apply only to the connection
whose ClientHello random they name, and only in their direction.

Usage: ao_verify.py CAPTURE [--keylog FILE] [--keys FILE] [--default-mkt]
                    [--isn ADDR:PORT=ISN ...] [--require-ao] [--port N ...]
                    [--json]
"""
import argparse
import hmac
import ipaddress
import json
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import capture
import keys as keysrc
import tcpao
from keys import C2S, S2C

# TLS record content type handshake (22) and HandshakeType client_hello (1),
# RFC 8446 sections 5.1 and 4; the random follows the 2-byte legacy_version.
_TLS_HANDSHAKE, _TLS_CLIENT_HELLO = 22, 1
_CLIENT_RANDOM_OFFSET = 5 + 4 + 2
_CLIENT_RANDOM_END = _CLIENT_RANDOM_OFFSET + 32


@dataclass
class KeyIdCount:
    verified: int = 0
    total: int = 0
    origins: set = field(default_factory=set)


@dataclass
class DirectionState:
    isn: Optional[int] = None
    isn_given: bool = False  # from --isn: the SYN is not in the capture
    extender: Optional[tcpao.SequenceExtender] = None
    ranges: List[Tuple[int, int]] = field(default_factory=list)
    counts: Dict[int, KeyIdCount] = field(default_factory=dict)
    without_ao: int = 0
    gaps: List[Tuple[int, int]] = field(default_factory=list)


@dataclass
class Flow:
    number: int
    client: Tuple[bytes, int]
    server: Tuple[bytes, int]
    segments: List[Tuple[capture.TcpSegment, str]] = field(default_factory=list)
    dirs: Dict[str, DirectionState] = field(
        default_factory=lambda: {C2S: DirectionState(), S2C: DirectionState()})
    client_random: Optional[bytes] = None
    has_ao: bool = False

    def direction_of(self, seg: capture.TcpSegment) -> str:
        return C2S if (seg.src, seg.sport) == self.client else S2C


@dataclass
class Failure:
    frame: int
    flow: int
    direction: str
    reason: str


class Verifier:
    def __init__(self, static_keys: List[keysrc.Mkt], keylog: keysrc.KeyLog,
                 use_default_mkt: bool, require_ao: bool, ports: List[int],
                 isns: Optional[Dict[Tuple[bytes, int], int]] = None):
        self.static_keys = list(static_keys)
        if use_default_mkt:
            self.static_keys.insert(0, keysrc.default_mkt())
        self.keylog = keylog
        self.require_ao = require_ao
        self.ports = set(ports)
        self.isns = dict(isns or {})
        self.flows: List[Flow] = []
        self.current: Dict[tuple, Flow] = {}
        self.failures: List[Failure] = []
        self.traffic_keys: Dict[tuple, bytes] = {}
        self.preferred: Dict[tuple, keysrc.Mkt] = {}

    # -- pass 1: frames -> flows ---------------------------------------------

    def add_capture(self, path: str) -> None:
        for frame in capture.read_frames(path):
            try:
                packet, _ = capture.ip_packet(frame)
                seg = capture.tcp_segment(frame.number, packet) if packet is not None else None
            except capture.SegmentProblem as e:
                self.failures.append(Failure(frame.number, 0, "", str(e)))
                continue
            if seg is None or (self.ports and not {seg.sport, seg.dport} & self.ports):
                continue
            if frame.truncated:
                self.failures.append(Failure(frame.number, 0, "",
                                             "frame truncated by the snap length"))
                continue
            self._assign(seg)

    def _assign(self, seg: capture.TcpSegment) -> None:
        a, b = (seg.src, seg.sport), (seg.dst, seg.dport)
        key = (min(a, b), max(a, b))
        flow = self.current.get(key)
        pure_syn = seg.is_syn and not seg.flags & capture.TH_ACK
        if pure_syn and not (flow and flow.client == a and flow.dirs[C2S].isn == seg.seq):
            flow = self._new_flow(key, client=a, server=b)
            flow.dirs[C2S].isn = seg.seq
        elif flow is None:
            # Handshake start not captured: the SYN-ACK still names both ISNs.
            syn_ack = seg.is_syn and seg.flags & capture.TH_ACK
            flow = self._new_flow(key, client=b if syn_ack else a, server=a if syn_ack else b)
        direction = flow.direction_of(seg)
        if seg.is_syn and seg.flags & capture.TH_ACK and direction == S2C:
            # RFC 793: a SYN-ACK acknowledges the client's ISN + 1.
            self._learn_isn(flow, S2C, seg.seq, seg.frame)
            self._learn_isn(flow, C2S, (seg.ack - 1) & 0xFFFFFFFF, seg.frame)
        flow.has_ao = flow.has_ao or seg.ao is not None
        flow.segments.append((seg, direction))

    def _new_flow(self, key, client, server) -> Flow:
        flow = Flow(len(self.flows) + 1, client, server)
        self.flows.append(flow)
        self.current[key] = flow
        for direction, sender in ((C2S, client), (S2C, server)):
            if sender in self.isns:
                flow.dirs[direction].isn = self.isns[sender]
                flow.dirs[direction].isn_given = True
        return flow

    def _learn_isn(self, flow: Flow, direction: str, isn: int, frame: int) -> None:
        state = flow.dirs[direction]
        if state.isn is None:
            state.isn = isn
        elif state.isn != isn:
            self.failures.append(Failure(frame, flow.number, direction,
                                         "SYN-ACK contradicts the ISN seen before"))

    # -- pass 2: verification ------------------------------------------------

    def verify(self) -> None:
        for flow in self.flows:
            flow.client_random = _client_random(flow)
            for d in (C2S, S2C):
                state = flow.dirs[d]
                if state.isn is not None:
                    state.extender = tcpao.SequenceExtender(state.isn)
            for seg, direction in flow.segments:
                self._segment(flow, seg, direction)
            for d in (C2S, S2C):
                self._gaps(flow, d)
        if not any(c.total for f in self.flows for s in f.dirs.values() for c in s.counts.values()):
            self.failures.append(Failure(0, 0, "", "no TCP-AO segment in the capture"))

    def _fail(self, flow: Flow, seg: capture.TcpSegment, direction: str, reason: str) -> None:
        self.failures.append(Failure(seg.frame, flow.number, direction, reason))

    def _segment(self, flow: Flow, seg: capture.TcpSegment, direction: str) -> None:
        state = flow.dirs[direction]
        if state.extender is None:
            if seg.ao is not None or self.require_ao:
                self._fail(flow, seg, direction, "handshake not captured: ISN unknown")
            return
        extended = state.extender.extend(seg.seq)
        if not seg.flags & capture.TH_RST:
            state.ranges.append((extended, extended + seg.seq_space))
        if seg.ao is None:
            state.without_ao += 1
            if self.require_ao:
                self._fail(flow, seg, direction, "segment without TCP-AO")
            return
        count = state.counts.setdefault(seg.ao.key_id, KeyIdCount())
        count.total += 1
        reason = self._check_mac(flow, seg, direction, extended >> 32, count)
        if reason:
            self._fail(flow, seg, direction, "KeyID %d: %s" % (seg.ao.key_id, reason))
        else:
            count.verified += 1

    def _candidates(self, flow: Flow, direction: str, key_id: int) -> List[keysrc.Mkt]:
        found = [m for m in self.static_keys if key_id in (m.send_id, m.recv_id)]
        if flow.client_random is not None:
            logged = self.keylog.get((flow.client_random, direction), [])
            found += [m for _, m in sorted(logged, key=lambda e: e[0]) if m.send_id == key_id]
        preferred = self.preferred.get((flow.number, direction, key_id))
        if preferred in found:
            found.remove(preferred)
            found.insert(0, preferred)
        return found

    def _check_mac(self, flow: Flow, seg: capture.TcpSegment, direction: str, sne: int,
                   count: KeyIdCount) -> Optional[str]:
        candidates = self._candidates(flow, direction, seg.ao.key_id)
        if not candidates:
            return "unknown KeyID (no MKT for it in this direction)"
        if len(seg.ao.mac) != tcpao.MAC_LEN:
            return "MAC of %d bytes, the profile's algorithms send 12" % len(seg.ao.mac)
        other = flow.dirs[S2C if direction == C2S else C2S]
        pure_syn = seg.is_syn and not seg.flags & capture.TH_ACK
        if not pure_syn and other.isn is None:
            return "peer ISN unknown (SYN-ACK not captured)"
        # RFC 5925 section 5.2: a SYN's context has 0 for the unknown ISN.
        dst_isn = 0 if pure_syn else other.isn
        src_isn = flow.dirs[direction].isn
        for mkt in candidates:
            cache_key = (id(mkt), flow.number, direction, pure_syn)
            traffic_key = self.traffic_keys.get(cache_key)
            if traffic_key is None:
                context = tcpao.kdf_context(seg.src, seg.dst, seg.sport, seg.dport,
                                            src_isn, dst_isn)
                traffic_key = tcpao.kdf(mkt.algorithm, mkt.secret, context)
                self.traffic_keys[cache_key] = traffic_key
            message = tcpao.mac_input(sne, seg.src, seg.dst, seg.tcp, seg.header_len,
                                      seg.ao.offset, seg.ao.length, mkt.include_options)
            if hmac.compare_digest(tcpao.compute_mac(mkt.algorithm, traffic_key, message),
                                   seg.ao.mac):
                self.preferred[(flow.number, direction, seg.ao.key_id)] = mkt
                count.origins.add(mkt.origin)
                return None
        return "MAC mismatch (%d candidate MKT%s)" % (len(candidates), "s"[len(candidates) == 1:])

    def _gaps(self, flow: Flow, direction: str) -> None:
        state = flow.dirs[direction]
        if state.isn is None:
            return
        # Extended ISN (SNE 0); a given ISN's SYN is not in the capture.
        covered = state.isn + state.isn_given
        for start, end in sorted(state.ranges):
            if start > covered:
                state.gaps.append((covered, start))
                self.failures.append(Failure(0, flow.number, direction,
                                             "sequence gap: %d bytes never captured at relative "
                                             "seq %d" % (start - covered, covered - state.isn)))
            covered = max(covered, end)

    # -- report -------------------------------------------------------------

    def report(self) -> dict:
        flows = []
        for flow in self.flows:
            flows.append({
                "flow": flow.number, "has_ao": flow.has_ao,
                "client": _endpoint(flow.client), "server": _endpoint(flow.server),
                "client_random": flow.client_random.hex() if flow.client_random else None,
                "directions": {d: {
                    "isn": s.isn,
                    "key_ids": {str(k): {"verified": c.verified, "total": c.total,
                                         "keys": sorted(c.origins)}
                                for k, c in sorted(s.counts.items())},
                    "without_ao": s.without_ao,
                    "gaps": [[a - s.isn, b - s.isn] for a, b in s.gaps],
                } for d, s in flow.dirs.items()},
            })
        verified = sum(c["verified"] for f in flows for d in f["directions"].values()
                       for c in d["key_ids"].values())
        total = sum(c["total"] for f in flows for d in f["directions"].values()
                    for c in d["key_ids"].values())
        return {"ok": not self.failures, "verified": verified, "total": total, "flows": flows,
                "failures": [vars(f) for f in self.failures]}


def _endpoint(endpoint: Tuple[bytes, int]) -> str:
    address = ipaddress.ip_address(endpoint[0])
    return ("[%s]:%d" if address.version == 6 else "%s:%d") % (address, endpoint[1])


def _client_random(flow: Flow) -> Optional[bytes]:
    """The ClientHello random from the first bytes of the client's stream
    (the TLS 1.3 ClientHello is in clear, RFC 8446 section 4.1.2)."""
    isn = flow.dirs[C2S].isn
    if isn is None:
        return None
    prefix = bytearray(_CLIENT_RANDOM_END)
    have = [False] * _CLIENT_RANDOM_END
    for seg, direction in flow.segments:
        if direction != C2S or seg.payload_len == 0:
            continue
        relative = (seg.seq - isn - 1) & 0xFFFFFFFF
        payload = seg.tcp[seg.header_len:]
        for i in range(max(0, -relative), min(len(payload), _CLIENT_RANDOM_END - relative)):
            prefix[relative + i] = payload[i]
            have[relative + i] = True
        if all(have):
            break
    if not all(have) or prefix[0] != _TLS_HANDSHAKE or prefix[5] != _TLS_CLIENT_HELLO:
        return None
    return bytes(prefix[_CLIENT_RANDOM_OFFSET:_CLIENT_RANDOM_END])


def _endpoint_isn(text: str) -> Tuple[Tuple[bytes, int], int]:
    """argparse type of --isn: "10.0.0.1:179=123" or "[fd00::1]:179=123"."""
    try:
        endpoint, isn = text.rsplit("=", 1)
        host, port = endpoint.rsplit(":", 1)
        address = ipaddress.ip_address(host[1:-1] if host.startswith("[") else host)
        value = int(isn, 0)
        if not 0 <= value <= 0xFFFFFFFF or not 0 <= int(port) <= 0xFFFF:
            raise ValueError(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected ADDR:PORT=ISN, got %r" % text) from None
    return (address.packed, int(port)), value


def print_text(report: dict, out) -> None:
    for flow in report["flows"]:
        random = flow["client_random"]
        print("flow %d: %s -> %s%s%s" % (flow["flow"], flow["client"], flow["server"],
                                        " client_random %s" % random if random else "",
                                        "" if flow["has_ao"] else " (no TCP-AO)"), file=out)
        for d, state in flow["directions"].items():
            for key_id, c in state["key_ids"].items():
                print("  %s KeyID %3s: %d/%d verified%s" % (
                    d, key_id, c["verified"], c["total"],
                    " (%s)" % ", ".join(c["keys"]) if c["keys"] else ""), file=out)
            if state["without_ao"]:
                print("  %s segments without TCP-AO: %d" % (d, state["without_ao"]), file=out)
            for start, end in state["gaps"]:
                print("  %s gap: relative seq %d..%d never captured" % (d, start, end), file=out)
    shown = report["failures"][:50]
    for f in shown:
        where = "frame %d" % f["frame"] if f["frame"] else "capture"
        flow = " flow %d %s" % (f["flow"], f["direction"]) if f["flow"] else ""
        print("FAIL %s%s: %s" % (where, flow, f["reason"]), file=out)
    if len(report["failures"]) > len(shown):
        print("FAIL ... and %d more" % (len(report["failures"]) - len(shown)), file=out)
    print("%s: %d/%d TCP-AO segments verified, %d failure(s)" % (
        "OK" if report["ok"] else "FAILED", report["verified"], report["total"],
        len(report["failures"])), file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("capture", help="pcap or pcapng file")
    parser.add_argument("--keylog", help="AO-TLS key log (AOTLS_KEYLOGFILE); implies --default-mkt")
    parser.add_argument("--keys", action="append", default=[],
                        help="static MKTs: JSON list, {\"keys\": [...]} or a bgpd config")
    parser.add_argument("--default-mkt", action="store_true",
                        help="also try the default MKT of profile section 3 (KeyID 0)")
    parser.add_argument("--isn", action="append", default=[], type=_endpoint_isn,
                        help="ADDR:PORT=ISN ([ADDR]:PORT for IPv6): the ISN of the sender at "
                             "that endpoint, for a flow whose handshake was not captured")
    parser.add_argument("--require-ao", action="store_true",
                        help="fail on any TCP segment without TCP-AO (of the selected ports)")
    parser.add_argument("--port", type=int, action="append", default=[],
                        help="only flows with this port (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        static = [m for path in args.keys for m in keysrc.load_static_keys(path)]
        keylog = keysrc.load_key_log(args.keylog) if args.keylog else {}
        verifier = Verifier(static, keylog, args.default_mkt or bool(args.keylog),
                            args.require_ao, args.port, dict(args.isn))
        verifier.add_capture(args.capture)
    except (keysrc.KeyFileError, capture.CaptureError, OSError) as e:
        print("ao_verify: %s" % e, file=sys.stderr)
        return 2
    verifier.verify()
    report = verifier.report()
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        print()
    else:
        print_text(report, sys.stdout)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
