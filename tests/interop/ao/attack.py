"""Blind-attack segments against a plain-TCP BGP session and against a
TCP-AO protected one (RFC 5925 section 7.5.2, draft-piraux-tcp-ao-tls;
profile sections 1-5), both between two of our daemons.

r1 (AS 65001, passive, the victim) -- r2 (AS 65002, the attacker's
vantage point). The attacker knows everything on the wire: tshark on r1's
eth1 prints every IPv4 port-179 segment live with absolute sequence
numbers; once r2 has sent something and r1 has acknowledged it, r1's
rcv_nxt is the peer segment's seq + len (= r1's last ACK number) and
r1's snd_nxt its own last seq + len. From r2's namespace the test then
sends, on an AF_PACKET socket bound to r2's eth1 (layer 2: r2's own
netfilter, whose NFQUEUE rules would sign an IP-level forgery, never sees
it), hand-built IPv4 + TCP frames:
  - an exact RST: seq = rcv_nxt, which RFC 5961 section 3.2 lets reset
    the connection without a challenge ACK;
  - an in-window data segment: seq = rcv_nxt, ACK = snd_nxt, 19 bytes of a
    bogus BGP header (zero marker);
  - (AO session only) the same data with a forged TCP-AO option: the
    KeyID/RNextKeyID r2 currently sends, a random MAC.
(a) lab "aoatk_plain", net 65, plain BGP (tls off, ao off): the RST tears
    the session down (r1 leaves Established, its log says the connection
    was reset), the session comes back, then the data segment makes r1
    send a Message Header Error NOTIFICATION and drop the session.
(b) lab "aoatk_ao", net 66, tls required + ao opportunistic over the
    user-space backend: every forged segment reaches r1's interface
    (capture) and is dropped by the backend and counted exactly once
    (ao_required_missing / "TCP-AO required but missing" for the two
    without TCP-AO, bad_mac of the key and "bad MAC" for the forged
    option); the session stays Established with the same
    established_transitions, keeps verifying good segments, and r1 keeps
    r2's routes. The attacks start once r1's keys have settled (default
    MKT retired, state next-installed), so the key list holds still.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.attack
"""

import ctypes
import dataclasses
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import threading
import time

from tests.harness import process
from tests.harness.model import GlobalAo, NeighborAo, ReceivedRoute, Route
from tests.interop.tls import common

BUDGET = 105
ROUTES = {"r1": [Route("198.51.100.0/24", (), ("65001:100",))],
          "r2": [Route("203.0.113.0/24", (64520,), ("65002:200",), 20)]}
FIELDS = ("ip.id", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport",
          "tcp.seq", "tcp.ack", "tcp.len", "tcp.flags", "tcp.window_size_value",
          "tcp.options.ao.keyid", "tcp.options.ao.rnextkeyid")
# TCP flags (RFC 9293 section 3.1).
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
TCP_OPTION_AO = 29                    # RFC 5925 section 2.2
AO_MAC_LEN = 12                       # HMAC-SHA-1-96, the MAC of every key here
# A BGP header (RFC 4271 section 4.1) whose marker is not all ones: a
# Message Header Error (Connection Not Synchronized) for a plain receiver.
BOGUS_HEADER = bytes(16) + struct.pack("!HB", 19, 4)
SETTLE = 0.6                          # seconds for the victim to act on an injection
_CLONE_NEWNET = 0x40000000


@dataclasses.dataclass(frozen=True)
class Segment:
    """One captured TCP segment (absolute sequence numbers)."""
    ip_id: int
    src: str
    sport: int
    dst: str
    dport: int
    seq: int
    ack: int
    length: int
    flags: int
    window: int
    key_id: int | None
    rnext_key_id: int | None

    @staticmethod
    def parse(line):
        f = line.split("|")
        if len(f) != len(FIELDS) or not f[5]:
            return None
        return Segment(int(f[0], 0), f[1], int(f[2]), f[3], int(f[4]), int(f[5]), int(f[6] or 0),
                       int(f[7] or 0), int(f[8], 0), int(f[9] or 0),
                       int(f[10]) if f[10] else None, int(f[11]) if f[11] else None)

    @property
    def end(self):
        """The sequence number after this segment (SYN and FIN count one)."""
        return (self.seq + self.length + bool(self.flags & SYN) + bool(self.flags & FIN)) % 2**32


class LiveCapture:
    """tshark on one interface printing each IPv4 port-179 segment as it
    passes, so the test reads the sequence numbers of the moment."""

    def __init__(self, netns_name, interface, directory):
        argv = ["tshark", "-l", "-n", "-i", interface, "-f", "ip and tcp port 179",
                "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=|",
                *[a for name in FIELDS for a in ("-e", name)]]
        self.tool = common.Tool(netns_name, argv,
                                os.path.join(directory, f"{netns_name}-{interface}.fields"))
        process.wait_until(lambda: b"Capturing on" in self.tool.output() or self.tool.proc.poll(),
                           15, f"tshark on {netns_name}:{interface}")
        if self.tool.proc.poll() is not None:
            raise RuntimeError(f"tshark exited: {self.tool.output().decode(errors='replace')}")

    def segments(self):
        text = self.tool.output().decode(errors="replace")
        return [s for s in map(Segment.parse, text.splitlines()) if s is not None]

    def stop(self):
        self.tool.stop()


@dataclasses.dataclass(frozen=True)
class Target:
    """What the attacker learnt from the wire about r1's side of the
    connection at one quiet moment."""
    peer_last: Segment      # the newest r2 -> r1 segment
    victim_last: Segment    # the newest r1 -> r2 segment
    index: int              # how many segments the capture held then

    @property
    def rcv_nxt(self):
        return self.peer_last.end

    @property
    def snd_nxt(self):
        return self.victim_last.end


def quiet_moment(capture, victim, peer, timeout=10.0):
    """Waits for r2 to send data (a KEEPALIVE or a TLS record) and r1 to
    acknowledge all of it, then returns the Target of that connection.
    Injecting right away leaves the injection far from r2's next segment
    (one keepalive interval)."""
    start = len(capture.segments())

    def ready():
        segments = capture.segments()
        fresh = [s for s in segments[start:] if s.src == peer and s.length > 0]
        if not fresh:
            return None
        flow = (fresh[-1].sport, fresh[-1].dport)
        mine = [s for s in segments if s.src == peer and (s.sport, s.dport) == flow]
        theirs = [s for s in segments if s.src == victim and (s.dport, s.sport) == flow]
        if not theirs or theirs[-1].ack != mine[-1].end or not theirs[-1].flags & ACK:
            return None
        return Target(mine[-1], theirs[-1], len(segments))

    return process.wait_until(ready, timeout, f"a quiet moment between {victim} and {peer}")


class Injector:
    """Hand-built IPv4 + TCP frames sent on an AF_PACKET socket bound to an
    interface of another namespace (opened by a short-lived thread that
    enters it: setns affects the calling thread only)."""

    def __init__(self, netns_name, interface, dst_mac):
        opened = {}

        def open_socket():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                with open(f"/var/run/netns/{netns_name}", "rb") as ns:
                    if libc.setns(ns.fileno(), _CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), f"setns {netns_name}")
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                sock.bind((interface, 0))
                opened["sock"] = sock
            except OSError as err:
                opened["error"] = err

        thread = threading.Thread(target=open_socket)
        thread.start()
        thread.join()
        if "error" in opened:
            raise opened["error"]
        self.sock = opened["sock"]
        self.src_mac = self.sock.getsockname()[4]
        self.dst_mac = bytes.fromhex(dst_mac.replace(":", ""))

    def send(self, target, flags, payload=b"", options=b""):
        """Sends as r2 on r2's connection to r1 (the flow of
        target.peer_last): seq = r1's rcv_nxt, ack = r1's snd_nxt (0 for a
        bare RST). Returns the IP identification used."""
        ip_id = random.randrange(1, 0x10000)
        seg = target.peer_last
        ack = target.snd_nxt if flags & ACK else 0
        frame = (self.dst_mac + self.src_mac + struct.pack("!H", 0x0800)
                 + ipv4_tcp(seg.src, seg.dst, seg.sport, seg.dport, target.rcv_nxt, ack, flags,
                            seg.window, options, payload, ip_id))
        self.sock.send(frame)
        return ip_id

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.sock.close()


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, window, options, payload, ip_id):
    """An IPv4 packet (DF, TTL 64) carrying one TCP segment, both checksums
    right; `options` must be a multiple of 4 bytes long."""
    saddr, daddr = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    offset = (20 + len(options)) // 4
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, offset << 4, flags, window, 0, 0)
    tcp = header + options + payload
    pseudo = saddr + daddr + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, saddr, daddr)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def forged_ao_option(key_id, rnext_key_id):
    """A TCP-AO option (RFC 5925 section 2.2) with a random MAC."""
    return struct.pack("!BBBB", TCP_OPTION_AO, 4 + AO_MAC_LEN, key_id, rnext_key_id) \
        + os.urandom(AO_MAC_LEN)


def mac_of(lab, node, interface):
    out = process.run(["ip", "-j", "link", "show", "dev", interface], netns=lab.netns(node))
    return json.loads(out)[0]["address"]


def check_delivered(checks, capture, target, ip_id, what):
    """The forged segment reached r1's interface as an exact in-window
    segment: seq = rcv_nxt, with no genuine r2 segment in between."""
    def find():
        later = capture.segments()[target.index:]
        return next((i for i, s in enumerate(later) if s.ip_id == ip_id
                     and s.src == target.peer_last.src), None)
    position = process.wait_until(find, 5, f"{what} in the capture",
                                  ok=lambda found: found is not None)
    later = capture.segments()[target.index:]
    seen = later[position]
    genuine = [s for s in later[:position] if s.src == target.peer_last.src]
    checks(f"{what} seen on r1's eth1 with seq = r1's rcv_nxt and no genuine r2 segment before it",
           seen.seq == target.rcv_nxt and not genuine,
           f"seq {seen.seq}, rcv_nxt {target.rcv_nxt} (r1's last ACK {target.victim_last.ack}), "
           f"ack {seen.ack}, snd_nxt {target.snd_nxt}, {len(genuine)} genuine before it")


def acked_by_victim(capture, target, length):
    """True when r1 sent, after the injection point, an ACK covering
    `length` injected bytes at rcv_nxt (its TCP took them in)."""
    wanted = (target.rcv_nxt + length) % 2**32
    return any(s.src == target.victim_last.src and s.flags & ACK and s.ack == wanted
               for s in capture.segments()[target.index:])


def wait_routes(lab, session, node="r1", peer="r2"):
    asn = lab.topology.nodes[peer].asn
    wanted = {r.prefix: ReceivedRoute.make(r.prefix, session.address(peer), (asn, *r.as_path),
                                           r.communities, r.med) for r in ROUTES[peer]}
    lab.wait_routes(node, session, set(wanted), wanted)
    return wanted


def configure(lab, topo, ao):
    addresses = common.spoke_addresses(topo, "r2")
    certs = common.Certs(os.path.join(lab.run_dir, "certs")) if ao else None
    ca = certs.ca("lab") if ao else None
    for index, node in enumerate(("r1", "r2")):
        if ao:
            files = certs.router(node, ca, [addresses[f][index] for f in ("ipv4", "ipv6")])
            lab.setup(node, files, lambda _n: common.tls("required"), passive=node == "r1",
                      neighbor_ao=lambda _n: NeighborAo("opportunistic"),
                      global_ao=GlobalAo(backend="userspace", nfqueue_base=4500 + 10 * index))
        else:
            lab.setup(node, passive=node == "r1")
        lab.announce(node, *ROUTES[node])


def run_case(checks, name, net, ao, attacks):
    """Lab `name` (net `net`, ao or plain), daemons up (r1 first), both
    sessions Established and r2's route at r1, a live capture on r1's eth1
    and an injector on r2's eth1; then `attacks(checks, lab, capture,
    injector, ipv4 session, (r1's address, r2's address))`."""
    topo = common.star(name, ("r1", "bgpd", 65001), [("r2", "bgpd", 65002)], net)
    with common.TlsLab(topo) as lab:
        configure(lab, topo, ao)
        capture = LiveCapture(lab.netns("r1"), "eth1", lab.run_dir)
        try:
            lab.start(sequential=True)
            sessions = [lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")]
            lab.wait_established(sessions, timeout=30)
            session = sessions[0]
            wait_routes(lab, session)
            with Injector(lab.netns("r2"), "eth1", mac_of(lab, "r1", "eth1")) as injector:
                attacks(checks, lab, capture, injector, session,
                        (session.address("r1"), session.address("r2")))
        finally:
            capture.stop()


def r1_entry(lab, peer):
    return common.check_alive(lab, "r1")[peer]


def plain_attacks(checks, lab, capture, injector, session, ends):
    """(a): each attack takes the plain session down."""
    victim, peer = ends
    entry = r1_entry(lab, peer)
    checks("plain: session Established over plain TCP, r2's route at r1",
           entry["state"] == "Established"
           and not str(entry.get("transport", "tls")).startswith("tls"), entry.get("transport"))

    before = entry["established_transitions"]
    log_start = len(common.log_text(lab, "r1").splitlines())
    target = quiet_moment(capture, victim, peer)
    ip_id = injector.send(target, RST)
    check_delivered(checks, capture, target, ip_id, "plain: exact RST")
    check_down(checks, lab, peer, before, "plain: the exact RST")
    lines = [line for line in common.log_text(lab, "r1").splitlines()[log_start:]
             if peer in line and "reset" in line.lower()]
    checks("plain: r1's log says the connection was reset", lines, lines[:1])

    lab.wait_established([session], timeout=20)
    wait_routes(lab, session)
    entry = r1_entry(lab, peer)
    checks("plain: the session came back (established_transitions + 1), r2's route again",
           entry["established_transitions"] == before + 1, entry["established_transitions"])

    before = entry["established_transitions"]
    target = quiet_moment(capture, victim, peer)
    ip_id = injector.send(target, PSH | ACK, BOGUS_HEADER)
    check_delivered(checks, capture, target, ip_id, "plain: in-window data")
    after = check_down(checks, lab, peer, before, "plain: the injected bytes")
    checks("plain: r1's TCP acknowledged the injected bytes (ACK = rcv_nxt + 19)",
           acked_by_victim(capture, target, len(BOGUS_HEADER)), "")
    error = after.get("last_error") or {}
    checks("plain: r1 sent a Message Header Error NOTIFICATION for the bogus header",
           error.get("direction") == "sent" and error.get("code") == 1, error)


def check_down(checks, lab, peer, transitions, what, timeout=3.0):
    """Polls r1 until the session left Established (or was already
    re-established: a higher established_transitions); checks that it did
    and returns r1's entry."""
    deadline = time.monotonic() + timeout
    while True:
        entry = r1_entry(lab, peer)
        down = entry["state"] != "Established" or entry["established_transitions"] > transitions
        if down or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    checks(f"{what} took r1's session out of Established", down,
           f"state {entry['state']}, established_transitions {transitions} -> "
           f"{entry['established_transitions']}")
    return entry


def ao_counters(lab, peer):
    """(r1's neighbor entry, its ao session status, the user-space
    backend's counters: {"drops": {reason: n}, "inbound": {...}, ...})."""
    entry = r1_entry(lab, peer)
    backend = lab.daemon("r1").bgpcli("show", "ao").get("userspace") or {}
    return entry, (entry.get("ao") or {}).get("session") or {}, backend


def wait_keys_settled(lab, peer, timeout=20.0):
    """Waits until r1's keys left the switch to generation 1 (the default
    MKT retired, generation 2 installed: state next-installed), so that the
    key list and its counters hold still during the attacks."""
    return process.wait_until(lambda: ao_counters(lab, peer)[1], timeout,
                              "r1's TCP-AO keys to settle (next-installed)",
                              ok=lambda live: live.get("state") == "next-installed")


def key_counts(live, field):
    return {k["recv_id"]: k.get(field, 0) for k in live.get("keys", [])}


def backend_expect(before, after, reason):
    """The backend dropped exactly one inbound segment, for `reason`."""
    drops, drops2 = before.get("drops", {}), after.get("drops", {})
    dropped = before.get("inbound", {}).get("dropped"), after.get("inbound", {}).get("dropped")
    return [(f"backend drops '{reason}' + 1, no other reason",
             drops2.get(reason, 0) - drops.get(reason, 0) == 1
             and sum(drops2.values()) - sum(drops.values()) == 1,
             f"{drops.get(reason, 0)} -> {drops2.get(reason, 0)}"),
            ("backend inbound queue: dropped + 1",
             None not in dropped and dropped[1] - dropped[0] == 1, f"{dropped[0]} -> {dropped[1]}")]


def missing_expect(_target, before, after):
    """A segment without TCP-AO: RFC 5925 section 7.5.2 a."""
    (live, backend), (live2, backend2) = before, after
    return [("ao_required_missing of the connection + 1",
             live2.get("ao_required_missing", 0) - live.get("ao_required_missing", 0) == 1,
             f"{live.get('ao_required_missing')} -> {live2.get('ao_required_missing')}"),
            *backend_expect(backend, backend2, "TCP-AO required but missing"),
            ("no bad MAC, no key-not-found", sum(key_counts(live2, "bad_mac").values()) == 0
             and live2.get("key_not_found") == 0, "")]


def forged_ao(target):
    last = target.peer_last
    if last.key_id is None:
        raise AssertionError(f"r2's last segment carries no TCP-AO: {last}")
    return PSH | ACK, BOGUS_HEADER, forged_ao_option(last.key_id, last.rnext_key_id)


def bad_mac_expect(target, before, after):
    """A forged MAC under a KeyID r1 holds: RFC 5925 section 7.5.2 f."""
    (live, backend), (live2, backend2) = before, after
    key_id = target.peer_last.key_id
    bad, bad2 = key_counts(live, "bad_mac"), key_counts(live2, "bad_mac")
    return [(f"KeyID {key_id} (RNextKeyID {target.peer_last.rnext_key_id}) as r2 sends them "
             "now, a RecvID r1 holds", key_id in bad, f"r1's RecvIDs {sorted(bad)}"),
            (f"bad_mac of the key with RecvID {key_id} + 1, no other key's",
             bad2.get(key_id, 0) - bad.get(key_id, 0) == 1
             and sum(bad2.values()) - sum(bad.values()) == 1, f"{bad} -> {bad2}"),
            *backend_expect(backend, backend2, "bad MAC"),
            ("ao_required_missing and key_not_found unchanged",
             live2.get("ao_required_missing") == live.get("ao_required_missing")
             and live2.get("key_not_found") == live.get("key_not_found"), "")]


def ao_injection(checks, lab, capture, injector, ends, what, build, expect):
    """One forged segment against the AO session: `build(target)` ->
    (flags, payload, options); `expect(target, before, after)` -> [(name,
    bool, detail)] over (ao session status, backend counters)."""
    victim, peer = ends
    base, live, backend = ao_counters(lab, peer)
    target = quiet_moment(capture, victim, peer)
    flags, payload, options = build(target)
    ip_id = injector.send(target, flags, payload, options)
    check_delivered(checks, capture, target, ip_id, f"ao: {what}")
    time.sleep(SETTLE)
    entry, live_after, backend_after = ao_counters(lab, peer)
    for name, ok, detail in expect(target, (live, backend), (live_after, backend_after)):
        checks(f"ao: {what}: {name}", ok, detail)
    if payload:
        checks(f"ao: {what}: r1's TCP never acknowledged the injected bytes",
               not acked_by_victim(capture, target, len(payload)), "")
    checks(f"ao: {what}: the session is still Established, established_transitions same",
           entry["state"] == "Established"
           and entry["established_transitions"] == base["established_transitions"],
           f"{entry['state']}, established_transitions {entry['established_transitions']}")


def ao_attacks(checks, lab, capture, injector, session, ends):
    """(b): every attack is dropped and counted; nothing else changes."""
    victim, peer = ends
    live = wait_keys_settled(lab, peer)
    first = r1_entry(lab, peer)
    checks("ao: session Established over tls+ao on the userspace backend, r2's route at r1",
           str(first.get("transport", "")).startswith("tls+ao ")
           and live.get("backend") == "userspace", first.get("transport"))
    good_before = key_counts(live, "good")

    ao_injection(checks, lab, capture, injector, ends, "exact RST without TCP-AO",
                 lambda _t: (RST, b"", b""), missing_expect)
    ao_injection(checks, lab, capture, injector, ends, "in-window data without TCP-AO",
                 lambda _t: (PSH | ACK, BOGUS_HEADER, b""), missing_expect)
    ao_injection(checks, lab, capture, injector, ends, "in-window data with a forged TCP-AO MAC",
                 forged_ao, bad_mac_expect)

    quiet_moment(capture, victim, peer)   # genuine traffic after all of it
    final, live, backend = ao_counters(lab, peer)
    wanted = wait_routes(lab, session)
    checks("ao: r2's route still at r1", lab.received("r1", session) == wanted, sorted(wanted))
    good_after = key_counts(live, "good")
    checks("ao: genuine segments still verify (good counts rose), still Established, "
           "same established_transitions",
           sum(good_after.values()) > sum(good_before.values()) and final["state"] == "Established"
           and final["established_transitions"] == first["established_transitions"],
           f"good {good_before} -> {good_after}")
    checks("ao: r2 still Established too",
           common.entries(lab, "r2")[victim]["state"] == "Established", "")
    counters = {k: live.get(k) for k in ("ao_required_missing", "key_not_found")}
    common.step(f"ao: r1's connection: {counters}, bad_mac {key_counts(live, 'bad_mac')}")
    common.step(f"ao: r1's backend drops "
                f"{ {k: v for k, v in backend.get('drops', {}).items() if v} }, "
                f"inbound queue {backend.get('inbound')}")


def main():
    common.start_budget(BUDGET, "ao_attack")
    checks = common.Checks("ao_attack")
    common.step("(a) plain BGP (tls off, ao off): exact RST, then in-window data")
    run_case(checks, "aoatk_plain", 65, False, plain_attacks)
    common.step("(b) tls required + ao opportunistic, user-space backend: "
                "the same and a forged MAC")
    run_case(checks, "aoatk_ao", 66, True, ao_attacks)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
