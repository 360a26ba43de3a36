"""Two of our daemons peer over TLS (draft-wirtgen-bgp-tls, profile section
1: tls "required", ao "off") and exchange IPv4 and IPv6 routes.

r1 (AS 65001) -- r2 (AS 65002), one link, an IPv4 and an IPv6 session,
certificates from one lab CA with both addresses as IP SANs. tshark on
r1's end of the link records everything on port 179. Checks:
  - both sessions Established at both ends, each end holds exactly the
    other's routes of the session's family (next hop, AS path,
    communities, MED);
  - `show neighbors` shows the TLS state: mode, TLSv1.3, a cipher, ALPN
    botls, the peer's subject and IP SAN, the handshake time, a "tls"
    transport;
  - on the wire: a ClientHello to port 179 offering exactly ALPN "botls"
    per session, application data records, and no BGP marker (16 x 0xFF)
    in any TCP payload in either direction (reassembled per direction).

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.pair
"""

import os
import sys
import time

from tests.harness.model import Route
from tests.interop.tls import common

BUDGET = 60
TRAFFIC_WINDOW = 4.0   # seconds of keepalives captured after the routes arrived
ROUTES = {
    "r1": [Route("10.61.100.0/24", (), ("65001:100",), 10), Route("fd61:100::/48", (), ("65001:6",))],
    "r2": [Route("10.62.100.0/24", (64520,), ("65002:200",), 20),
           Route("fd62:100::/48", (64521, 64521), (), 30)],
}


def check_tls_state(checks, lab, node, peer, sessions):
    current = common.entries(lab, node)
    for session in sessions:
        address = session.address(peer)
        entry = current[address]
        state = common.tls_state(entry)
        where = f"{node} show neighbors {address}"
        checks(f"{where}: transport is tls", str(entry.get("transport", "")).startswith("tls "),
               entry.get("transport"))
        checks(f"{where}: mode required, TLSv1.3, ALPN botls",
               (state.get("mode"), state.get("version"), state.get("alpn"))
               == ("required", "TLSv1.3", "botls"), state)
        checks(f"{where}: a TLS 1.3 cipher suite", str(state.get("cipher", "")).startswith("TLS_"),
               state.get("cipher"))
        checks(f"{where}: peer subject names {peer}", f"CN={peer}" in
               str(state.get("peer_subject", "")).replace(" ", ""), state.get("peer_subject"))
        checks(f"{where}: peer SAN has IP:{address}",
               f"IP:{address}".lower() in [str(s).lower().replace("ip address:", "ip:")
                                           for s in state.get("peer_san", [])],
               state.get("peer_san"))
        handshake_ms = state.get("handshake_ms")
        checks(f"{where}: handshake time", isinstance(handshake_ms, (int, float))
               and 0 <= handshake_ms < 1000 * common.HANDSHAKE_TIMEOUT, handshake_ms)


def check_wire(checks, capture, sessions):
    hellos = capture.fields("tls.handshake.type == 1 && tcp.dstport == 179",
                            "ip.dst", "ipv6.dst", "tls.handshake.extensions_alpn_str")
    by_destination = {}
    for ip4, ip6, alpn in hellos:
        by_destination.setdefault(ip4 or ip6, []).append(alpn)
    for session in sessions:
        seen = [alpn for node in session.nodes
                for alpn in by_destination.get(session.address(node), [])]
        checks(f"ClientHello to port 179 on {session.name} offers exactly ALPN botls",
               seen and all(alpn == "botls" for alpn in seen), f"ALPN lists {seen}")
    app_data = capture.fields("tls.record.opaque_type == 23 || tls.record.content_type == 23",
                              "frame.number")
    checks("TLS application data records captured", len(app_data) >= 4, f"{len(app_data)} frames")
    streams = capture.streams()
    directions = {key: len(data) for key, data in streams.items()}
    checks("payload captured in both directions of each session",
           len(streams) >= 2 * len(sessions) and all(directions.values()), directions)
    marked = [key for key, data in streams.items() if common.BGP_MARKER in data]
    checks("no BGP marker (16 x 0xFF) in any TCP payload", not marked,
           f"marker in (stream, source port) {marked}" if marked else
           f"{sum(directions.values())} payload bytes in {len(streams)} directions")


def main():
    common.start_budget(BUDGET, "tls_pair")
    checks = common.Checks("tls_pair")
    topo = common.star("tlspair", ("r1", "bgpd", 65001), [("r2", "bgpd", 65002)], 61)
    addresses = common.spoke_addresses(topo, "r2")
    with common.TlsLab(topo) as lab:
        certs = common.Certs(os.path.join(lab.run_dir, "certs"))
        ca = certs.ca("lab")
        for index, node in enumerate(("r1", "r2")):
            files = certs.router(node, ca, [addresses[f][index] for f in ("ipv4", "ipv6")])
            lab.setup(node, files, lambda _neighbor: common.tls("required"))
            lab.announce(node, *ROUTES[node])
        capture = common.Capture(lab.netns("r1"), "eth1", lab.run_dir)
        try:
            lab.start()
            sessions = [lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")]
            lab.wait_established(sessions, timeout=25)
            common.step("IPv4 and IPv6 sessions over TLS Established at both ends")
            lab.wait_exchanged(sessions, ROUTES)
            checks("routes of both families exchanged both ways", True,
                   "next hop, AS path, communities, MED intact")
            for node, peer in (("r1", "r2"), ("r2", "r1")):
                check_tls_state(checks, lab, node, peer, sessions)
            time.sleep(TRAFFIC_WINDOW)
        finally:
            capture.stop()
        check_wire(checks, capture, sessions)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
