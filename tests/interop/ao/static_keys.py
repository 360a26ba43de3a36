"""Two of our daemons protect their sessions with a static TCP-AO key chain
(profile section 1, ao "static"; RFC 5925 with RFC 8177 lifetimes) over
the user-space backend: the IPv4 session is plain BGP over TCP-AO, the
IPv6 one BGP over TLS over the same keys (no tcp_ao extension).

Each side's chain holds the key in use (AES-128-CMAC-96, options covered;
r1 sends with SendID 5 and receives RecvID 6, r2 the mirror image) and an
expired key that must not be installed. r1 is passive and answers before
r2 starts. Checks:
  - both sessions Established, routes exchanged both ways;
  - `show neighbors`: transport tcp-ao / tls+ao, ao mode static, state
    "static", current KeyID = the side's SendID, RNextKeyID = its RecvID,
    only the live key installed, good segments, no bad MAC;
  - on the wire (r1's end): every segment carries TCP-AO, r1 sends KeyID
    5 and r2 KeyID 6 only;
  - tests/tools/ao_verify verifies every MAC from r1's own config file.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.static_keys
"""

import os
import sys
import time

from tests.harness.model import GlobalAo, NeighborAo, Route
from tests.interop.ao import two_bgpd
from tests.interop.tls import common

BUDGET = 80
TRAFFIC_WINDOW = 4.0
ROUTES = {
    "r1": [Route("10.70.100.0/24", (), ()), Route("fd70:100::/48", (), ())],
    "r2": [Route("10.71.100.0/24", (), ()), Route("fd71:100::/48", (), ())],
}
R1_SEND, R2_SEND = 5, 6   # r1 sends KeyID 5 and asks for 6; r2 the reverse


def keychain(node, live_secret, old_secret):
    send, recv = (R1_SEND, R2_SEND) if node == "r1" else (R2_SEND, R1_SEND)
    return (
        {"id": 1, "send_id": 21 if node == "r1" else 22, "recv_id": 22 if node == "r1" else 21,
         "secret_hex": old_secret, "algorithm": "hmac-sha1-96",
         "send_lifetime": {"end": "2020-01-01T00:00:00Z"},
         "accept_lifetime": {"end": "2020-01-08T00:00:00Z"}},
        {"id": 2, "send_id": send, "recv_id": recv, "secret_hex": live_secret,
         "algorithm": "aes-128-cmac-96", "include_options": True},
    )


def check_state(checks, lab, node, sessions):
    own_send, own_recv = (R1_SEND, R2_SEND) if node == "r1" else (R2_SEND, R1_SEND)
    for where, session, entry, ao, live in two_bgpd.ao_views(lab, node, sessions):
        kind = "tcp-ao " if session.family == "ipv4" else "tls+ao "
        checks(f"{where}: transport {kind.strip()}", str(entry.get("transport", "")).startswith(kind),
               entry.get("transport"))
        checks(f"{where}: ao static, state static, userspace backend",
               (ao.get("mode"), live.get("state"), live.get("backend"))
               == ("static", "static", "userspace"), (ao.get("mode"), live.get("state")))
        checks(f"{where}: current KeyID {own_send}, RNextKeyID {own_recv}",
               (live.get("current_key_id"), live.get("rnext_key_id")) == (own_send, own_recv),
               (live.get("current_key_id"), live.get("rnext_key_id")))
        keys = live.get("keys", [])
        checks(f"{where}: only the live key installed (the expired one is not)",
               [(k["send_id"], k["recv_id"], k["mac"]) for k in keys]
               == [(own_send, own_recv, "aes-128-cmac-96")], keys)
        checks(f"{where}: good segments, no bad MAC, no key-not-found",
               sum(k["good"] for k in keys) > 0 and sum(k["bad_mac"] for k in keys) == 0
               and live.get("key_not_found") == 0, keys)


def check_wire(checks, capture):
    rows = capture.fields("tcp", "tcp.srcport", "tcp.dstport", "ip.src", "ipv6.src",
                          "tcp.options.ao.keyid")
    checks("segments captured", len(rows) > 20, len(rows))
    missing = [r for r in rows if r[4] == ""]
    checks("every captured segment carries TCP-AO", not missing, f"{len(missing)} of {len(rows)} without")
    by_sender = {}
    for _sport, _dport, ip4, ip6, key_id in rows:
        sender = "r1" if (ip4 or ip6).endswith(".1") or (ip4 or ip6).endswith("::1") else "r2"
        by_sender.setdefault(sender, set()).add(key_id)
    checks("r1 sends KeyID 5 only, r2 KeyID 6 only",
           by_sender == {"r1": {str(R1_SEND)}, "r2": {str(R2_SEND)}}, by_sender)


def main():
    common.start_budget(BUDGET, "ao_static_keys")
    checks = common.Checks("ao_static_keys")
    live_secret, old_secret = os.urandom(16).hex(), os.urandom(16).hex()

    def configure(lab, node, index, files):
        chain = keychain(node, live_secret, old_secret)
        lab.setup(node, files, lambda n: common.tls("required") if n.family == "ipv6" else None,
                  passive=node == "r1",
                  neighbor_ao=lambda _n: NeighborAo("static", keychain=chain),
                  global_ao=GlobalAo(backend="userspace", nfqueue_base=4500 + 10 * index))

    def inspect(lab, sessions):
        time.sleep(TRAFFIC_WINDOW)
        for node in ("r1", "r2"):
            check_state(checks, lab, node, sessions)

    with two_bgpd.Run(checks, "aostat", 70, ROUTES, configure, inspect) as (lab, capture):
        check_wire(checks, capture)
        two_bgpd.ao_verify(checks, capture, "r1's key chain (its config file)",
                           "--keys", lab.daemon("r1").path("bgpd.json"))
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
