"""Interop between two BGP daemons over topologies/pair.clab.yml.

Usage (root, from the repository root):
  /usr/bin/python3 -m tests.interop.peer_pair A B
with A, B among bird, frr, gobgp, exabgp, bgpd: A runs on r1, B on r2.

Checks, all sessions brought up at once:
  - the plain (eth1) and TCP-MD5 (eth2, same password) IPv4 and IPv6
    sessions reach Established at both ends;
  - over each of them, both ends receive exactly the other's routes of that
    family, with next hop, AS path, communities and MED intact;
  - a withdrawal by either side disappears at the other;
  - the TCP-MD5 sessions with different passwords (eth3) are never
    Established at either end during the first MD5_WINDOW seconds.
The whole run is bounded by BUDGET seconds (SIGALRM), below the ctest
TIMEOUT, so that the harness always tears down itself.
"""

import os
import signal
import sys
import time

from tests.harness import netns, topology
from tests.harness.lab import Lab
from tests.harness.model import Route

BUDGET = 75
MD5_WINDOW = 10.0
TOPOLOGY = os.path.join(topology.REPO_ROOT, "topologies", "pair.clab.yml")

# Per node: kept routes (with every attribute) and one route per family
# that is withdrawn later. Extra AS paths repeat one AS: all our daemon's
# export policy can prepend.
ROUTES = {
    "r1": [Route("10.1.0.0/24", (64512,), ("65001:100", "65001:200"), 50),
           Route("fd01::/48", (64513, 64513), ("65001:106",), 60)],
    "r2": [Route("10.2.0.0/24", (64520, 64520), ("65002:100",), 70),
           Route("fd02::/48", (64521,), ("65002:106", "65002:1"), 80)],
}
WITHDRAWN = {
    "r1": [Route("10.1.1.0/24", (), ("65001:999",), 5), Route("fd01:1::/48", (), (), 6)],
    "r2": [Route("10.2.1.0/24", (), ("65002:999",), 7), Route("fd02:1::/48", (), (), 8)],
}
ORIGINATED = {node: ROUTES[node] + WITHDRAWN[node] for node in ROUTES}


def _step(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _check_routes(lab, sessions, routes):
    """Each end of each session holds exactly `routes` of the other end,
    among the prefixes that end ever originated (a daemon may also pass a
    node's own routes back to it, which the node then ignores: AS loop)."""
    for session in sessions:
        for node, peer in (session.nodes, reversed(session.nodes)):
            prefixes = {r.prefix for r in ORIGINATED[peer]}
            lab.wait_routes(node, session, prefixes, lab.expected_routes(peer, session, routes))


def _on_alarm(_signum, _frame):
    raise TimeoutError(f"interop test exceeded its {BUDGET}s budget")


def run(kind_a, kind_b):
    netns.cleanup_stale()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(BUDGET)
    with Lab(topology.load(TOPOLOGY), {"r1": kind_a, "r2": kind_b}) as lab:
        for node, routes in ORIGINATED.items():
            lab.announce(node, *routes)
        started = time.monotonic()
        lab.start()
        good = [lab.session(f"r1:{i}", f) for i in ("eth1", "eth2") for f in ("ipv4", "ipv6")]
        bad = [lab.session("r1:eth3", f) for f in ("ipv4", "ipv6")]

        lab.wait_established(good)
        _step(f"{kind_a} <-> {kind_b}: plain and TCP-MD5 sessions Established "
              f"({time.monotonic() - started:.1f}s)")
        _check_routes(lab, good, ORIGINATED)
        _step("IPv4 and IPv6 routes received both ways with attributes intact")

        for node, routes in WITHDRAWN.items():
            for route in routes:
                lab.daemon(node).withdraw(route)
        _check_routes(lab, good, ROUTES)
        _step("withdrawals propagated both ways")

        lab.assert_never_established(bad, until=started + MD5_WINDOW)
        _step(f"TCP-MD5 with a wrong password not Established within {MD5_WINDOW:.0f}s")
    signal.alarm(0)
    _step(f"PASS {kind_a} <-> {kind_b} ({time.monotonic() - started:.1f}s)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run(sys.argv[1], sys.argv[2])
