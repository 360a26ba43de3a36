"""Transit and best-path choice through bgpd: r1 (BIRD) - r2 (bgpd) - r3 (FRR)
on topologies/chain.clab.yml.

Checks:
  - r1's routes reach r3 and r3's reach r1 through bgpd (IPv4 and IPv6),
    with bgpd's AS prepended, bgpd's address as next hop (eBGP next-hop
    self), communities kept and MED not propagated to another AS (RFC 4271
    5.1.4);
  - for a prefix both originate, bgpd prefers r1's shorter AS_PATH (9.1.2.2
    step a), explains it in `show rib`, and sends it to r3 only (never back
    to r1);
  - when r1 withdraws it, bgpd's best becomes r3's path, which r1 then
    receives and r3 no longer gets from bgpd;
  - a configuration reload that adds a network (`bgpcli reload`) and a soft
    clear announce without resetting any session; a hard clear resets only
    the neighbor it names, which comes back with its routes.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.chain
"""

import os
import signal
import sys
import time

from tests.harness import netns, topology
from tests.harness.lab import Lab
from tests.harness.model import ReceivedRoute, Route

BUDGET = 80
TOPOLOGY = os.path.join(topology.REPO_ROOT, "topologies", "chain.clab.yml")
CONTESTED = "10.40.0.0/24"
R1 = [Route("10.31.0.0/24", (), ("65001:1",), 10), Route("fd31::/48", (), ("65001:6",), None)]
R1_CONTESTED = Route(CONTESTED, (), ("65001:40",), None)
R3 = [Route("10.33.0.0/24", (), ("65003:3",), 30), Route("fd33::/48", (), ("65003:6",), None),
      Route(CONTESTED, (64530, 64531), ("65003:40",), None)]
WATCHED = {r.prefix for r in R1 + R3}


def _step(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _via_r2(lab, session, node, routes, peer_asn):
    """What `node` must learn over `session` from r2 for `routes` that r2
    learned from the AS `peer_asn`."""
    hop = session.address("r2")
    return {r.prefix: ReceivedRoute.make(r.prefix, hop, (65002, peer_asn, *r.as_path),
                                         r.communities, None)
            for r in routes if r.family == session.family}


def _best_source(lab, prefix):
    rib = lab.daemon("r2").bgpcli("show", "rib", prefix)
    paths = rib["routes"][0]["paths"]
    best = next(p for p in paths if p["best"])
    return best["source"], [p.get("eliminated_by", "") for p in paths if not p["best"]]


def _transitions(adapter):
    """{neighbor address: times it reached Established} as bgpd counts."""
    return {n["address"]: n["established_transitions"] for n in adapter.bgpcli("show", "neighbors")}


def _on_alarm(_signum, _frame):
    raise TimeoutError(f"chain test exceeded its {BUDGET}s budget")


def main():
    netns.cleanup_stale()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(BUDGET)
    with Lab(topology.load(TOPOLOGY)) as lab:
        lab.announce("r1", *R1, R1_CONTESTED)
        lab.announce("r3", *R3)
        lab.start()
        left = {f: lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")}
        right = {f: lab.session("r3:eth1", f) for f in ("ipv4", "ipv6")}
        lab.wait_established([*left.values(), *right.values()])
        _step("r1 - bgpd - r3: all four sessions Established")

        for family in ("ipv4", "ipv6"):
            lab.wait_routes("r3", right[family], WATCHED,
                            _via_r2(lab, right[family], "r3", R1 + [R1_CONTESTED], 65001))
            lab.wait_routes("r1", left[family], WATCHED,
                            _via_r2(lab, left[family], "r1",
                                    [r for r in R3 if r.prefix != CONTESTED], 65003))
        _step("transit both ways: AS prepended, next hop self, communities kept, MED dropped")

        source, others = _best_source(lab, CONTESTED)
        assert source == left["ipv4"].address("r1"), f"best for {CONTESTED} from {source}"
        assert len(others) == 1 and "9.1.2.2 (a)" in others[0], others
        _step(f"best path for {CONTESTED}: r1's, r3's eliminated by '{others[0]}'")

        lab.daemon("r1").withdraw(R1_CONTESTED)
        lab.wait_routes("r1", left["ipv4"], WATCHED,
                        _via_r2(lab, left["ipv4"], "r1", R3, 65003))
        lab.wait_routes("r3", right["ipv4"], WATCHED,
                        _via_r2(lab, right["ipv4"], "r3", R1, 65001))
        _step("after r1's withdrawal bgpd switched to r3's path and told both sides")

        r2 = lab.daemon("r2")
        added = Route("10.52.0.0/24", (), ("65002:52",), None)
        r2.speaker.routes.append(added)
        r2.write_config()
        r2.bgpcli("reload")
        r2.bgpcli("clear", "neighbor", right["ipv4"].address("r3"), "soft")
        hop = right["ipv4"].address("r2")
        lab.wait_routes("r3", right["ipv4"], {added.prefix},
                        {added.prefix: ReceivedRoute.make(added.prefix, hop, (65002,),
                                                          added.communities, None)})
        assert _transitions(r2) == {a: 1 for a in _transitions(r2)}, _transitions(r2)
        _step("reload added a network and soft clear re-sent, no session reset")

        r1_address = left["ipv4"].address("r1")
        r2.bgpcli("clear", "neighbor", r1_address)
        lab.wait_established([*left.values()])
        lab.wait_routes("r3", right["ipv4"], WATCHED,
                        _via_r2(lab, right["ipv4"], "r3", R1, 65001))
        counts = _transitions(r2)
        assert counts[r1_address] == 2 and all(
            n == 1 for a, n in counts.items() if a != r1_address), counts
        _step("hard clear reset only its neighbor, whose routes came back")
    signal.alarm(0)
    _step("PASS chain")
    return 0


if __name__ == "__main__":
    sys.exit(main())
