"""Rollovers of TLS-derived TCP-AO keys converge under packet loss (issue
7; profile section 4), without a session reset: two bgpd over TLS with ao
"opportunistic" on the user-space backend roll their keys every second
(`ao.rekey_interval` "1s") while r2's namespace drops a random share of the
BGP segments it receives and sends (an iptables `statistic` rule: netem is
not available here), for $REKEY_LOSS_SECONDS (default 30).

Lost segments include kicks (KEEPALIVEs carrying a new RNextKeyID) and the
peer's first segments under g+1: TCP retransmits them (signed with the key
current when they leave), so each rollover completes late but completes.
Checks, polled every second: both sessions Established, established
transitions unchanged. At the end: the drop rules dropped segments; at
both ends several rollovers completed, no bad MAC on any key,
key_not_found 0, drops_during_rollovers 0 (the backend's own counters), at
most 4 keys installed; the routes are still there.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.rekey_loss
  REKEY_LOSS_SECONDS=300 REKEY_LOSS_PROBABILITY=0.3 for a longer, harsher run
  (default 0.2: BGP sends few segments between KEEPALIVEs, so a high share
  is needed for losses to hit kicks and first segments under g+1).
"""

import os
import sys
import time

from tests.harness import process
from tests.harness.model import GlobalAo, NeighborAo, Route
from tests.interop.ao import two_bgpd
from tests.interop.tls import common

SECONDS = float(os.environ.get("REKEY_LOSS_SECONDS", "30"))
PROBABILITY = float(os.environ.get("REKEY_LOSS_PROBABILITY", "0.2"))
BUDGET = int(90 + SECONDS)
ROUTES = {
    "r1": [Route("10.74.100.0/24", (), ()), Route("fd74:100::/48", (), ())],
    "r2": [Route("10.75.100.0/24", (), ()), Route("fd75:100::/48", (), ())],
}
MAX_KEYS = 4   # g and g+1, each a send and a receive key


def drop_rules(netns, probability):
    """iptables/ip6tables rules in `netns` that drop BGP segments at
    random, both directions (tests/vm's rekeying run uses them too)."""
    rules = []
    for tool in ("iptables", "ip6tables"):
        for chain, port in (("INPUT", "--sport"), ("INPUT", "--dport"),
                            ("OUTPUT", "--sport"), ("OUTPUT", "--dport")):
            rules.append([tool, "-w", "-A", chain, "-p", "tcp", port, "179", "-m", "statistic",
                          "--mode", "random", "--probability", str(probability), "-j", "DROP"])
    for rule in rules:
        process.run(rule, netns=netns)


def dropped(netns):
    total = 0
    for tool in ("iptables", "ip6tables"):
        out = process.run([tool, "-w", "-L", "-v", "-x", "-n"], netns=netns)
        for line in out.splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[2] == "DROP" and "statistic" in line:
                total += int(fields[0])
    return total


def main():
    common.start_budget(BUDGET, "ao_rekey_loss")
    checks = common.Checks("ao_rekey_loss")

    def configure(lab, node, index, files):
        lab.setup(node, files, lambda _n: common.tls("required"), passive=node == "r1",
                  neighbor_ao=lambda _n: NeighborAo("opportunistic", rekey_interval="1s"),
                  global_ao=GlobalAo(backend="userspace", nfqueue_base=4700 + 10 * index))

    def views(lab, sessions):
        return [v for node in ("r1", "r2") for v in two_bgpd.ao_views(lab, node, sessions)]

    def inspect(lab, sessions):
        transitions = {w: e.get("established_transitions") for w, _s, e, _a, _l in views(lab, sessions)}
        drop_rules(lab.netns("r2"), PROBABILITY)
        common.step(f"dropping {PROBABILITY:.0%} of r2's BGP segments both ways for {SECONDS:.0f} s")
        resets, too_many_keys = [], []
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            for where, _s, entry, _ao, live in views(lab, sessions):
                if (entry.get("state") != "Established"
                        or entry.get("established_transitions") != transitions[where]):
                    resets.append((where, entry.get("state"), entry.get("established_transitions")))
                if len(live.get("keys", [])) > MAX_KEYS:
                    too_many_keys.append((where, len(live["keys"])))
            time.sleep(1.0)
        lost = dropped(lab.netns("r2"))
        checks("the drop rules dropped BGP segments", lost > 0, f"{lost} segments dropped")
        checks("both sessions Established throughout, no reset", not resets, resets[:5])
        checks(f"never more than {MAX_KEYS} keys installed", not too_many_keys, too_many_keys[:5])
        for where, _s, _entry, _ao, live in views(lab, sessions):
            rekey = live.get("rekey") or {}
            keys = live.get("keys", [])
            drops = rekey.get("drops_during_rollovers") or {}
            checks(f"{where}: rollovers completed under loss",
                   rekey.get("rollovers_done", 0) >= max(2, int(SECONDS / 10)),
                   (rekey.get("rollovers_done"), rekey.get("generation"), rekey.get("phase")))
            checks(f"{where}: no bad MAC, no key-not-found, no drop during rollovers",
                   sum(k["bad_mac"] for k in keys) == 0 and live.get("key_not_found") == 0
                   and drops.get("bad_mac") == 0 and drops.get("key_not_found") == 0,
                   (keys, live.get("key_not_found"), drops))
        lab.wait_exchanged(sessions, ROUTES)
        checks("routes of both families still there", True, "")

    with two_bgpd.Run(checks, "aoloss", 74, ROUTES, configure, inspect):
        pass
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
