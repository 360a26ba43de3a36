"""A static TCP-AO key chain rolls over on live sessions (profile section
4, "static key chains follow the same rule"; RFC 5925 section 7.5.2's
RNextKeyID as the signal; RFC 8177 style chains), make-before-break, with
no session reset, over the user-space backend: the IPv4 session is BGP over
TCP-AO, the IPv6 one BGP over TLS over the same keys.

Each side's chain starts with key A (r1 sends KeyID 5 and receives 6, r2
the mirror image). Then `bgpcli reload` at both ends adds key B (r1 sends
7, receives 8): each side's RNextKeyID moves to B's RecvID and a KEEPALIVE
carries it, so each peer's stack switches its send key to B. Then a second
reload removes key A: each side deletes it after the hold-down (its good
count stood still for max(3 x RTO, 2 s)). Checks:
  - after the first reload, at both ends, current KeyID = B's SendID and
    RNextKeyID = B's RecvID on both sessions, both keys installed;
  - after the second reload, only key B installed, keys_deleted >= 1;
  - through both reloads: both sessions Established, established
    transitions unchanged (no reset), no bad MAC on any key, key_not_found
    0, routes still there;
  - on the wire (r1's end): r1 sends KeyID 5 then 7, r2 6 then 8, every
    segment with TCP-AO, and tests/tools/ao_verify verifies every MAC with
    the keys of both of r1's config files.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.static_rollover
"""

import dataclasses
import os
import shutil
import sys
import time

from tests.harness.model import GlobalAo, NeighborAo, Route
from tests.interop.ao import two_bgpd
from tests.interop.tls import common

BUDGET = 100
SWITCH_TIMEOUT = 10.0    # a tick (1 s) + a KEEPALIVE each way
RETIRE_TIMEOUT = 15.0    # the 2 s hold-down after the count stood still, and ticks
ROUTES = {
    "r1": [Route("10.72.100.0/24", (), ()), Route("fd72:100::/48", (), ())],
    "r2": [Route("10.73.100.0/24", (), ()), Route("fd73:100::/48", (), ())],
}
KEY_IDS = {"A": (5, 6), "B": (7, 8)}   # r1's (SendID, RecvID); r2 swaps them


def ids(node, name):
    send, recv = KEY_IDS[name]
    return (send, recv) if node == "r1" else (recv, send)


def chain(node, secrets, names):
    out = []
    for index, name in enumerate(names):
        send, recv = ids(node, name)
        out.append({"id": index + 1, "send_id": send, "recv_id": recv,
                    "secret_hex": secrets[name], "algorithm": "hmac-sha1-96",
                    "include_options": True})
    return tuple(out)


def reload_with(lab, node, secrets, names):
    adapter = lab.daemon(node)
    adapter.speaker.neighbors = [
        dataclasses.replace(n, ao=NeighborAo("static", keychain=chain(node, secrets, names)))
        for n in adapter.speaker.neighbors]
    adapter.write_config()
    adapter.bgpcli("reload")


def views(lab, sessions):
    return [view for node in ("r1", "r2") for view in two_bgpd.ao_views(lab, node, sessions)]


def wait_for(lab, sessions, what, done, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if all(done(where.split()[0], live) for where, _s, _e, _ao, live in views(lab, sessions)):
            common.step(what)
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)


def key_pairs(live):
    return sorted((k["send_id"], k["recv_id"]) for k in live.get("keys", []))


def main():
    common.start_budget(BUDGET, "ao_static_rollover")
    checks = common.Checks("ao_static_rollover")
    secrets = {"A": os.urandom(20).hex(), "B": os.urandom(20).hex()}
    saved = []

    def configure(lab, node, index, files):
        lab.setup(node, files, lambda n: common.tls("required") if n.family == "ipv6" else None,
                  passive=node == "r1",
                  neighbor_ao=lambda _n: NeighborAo("static", keychain=chain(node, secrets, "A")),
                  global_ao=GlobalAo(backend="userspace", nfqueue_base=4600 + 10 * index))

    def save_r1_config(lab, tag):
        path = os.path.join(lab.run_dir, f"r1-{tag}.json")
        shutil.copyfile(lab.daemon("r1").path("bgpd.json"), path)
        saved.append(path)

    def inspect(lab, sessions):
        transitions = {where: entry.get("established_transitions")
                       for where, _s, entry, _ao, _live in views(lab, sessions)}
        checks("key A in use at both ends",
               all((live.get("current_key_id"), live.get("rnext_key_id")) == ids(where.split()[0], "A")
                   for where, _s, _e, _ao, live in views(lab, sessions)),
               [(w, l.get("current_key_id")) for w, _s, _e, _a, l in views(lab, sessions)])
        save_r1_config(lab, "a")
        for node in ("r1", "r2"):
            reload_with(lab, node, secrets, "AB")
        save_r1_config(lab, "ab")
        switched = wait_for(
            lab, sessions, "both ends send under key B and ask for it",
            lambda node, live: (live.get("current_key_id"), live.get("rnext_key_id")) == ids(node, "B"),
            SWITCH_TIMEOUT)
        checks("after adding key B: every session sends under B and asks for B (no reset)", switched,
               [(w, l.get("current_key_id"), l.get("rnext_key_id"))
                for w, _s, _e, _a, l in views(lab, sessions)])
        checks("after adding key B: both keys installed",
               all(key_pairs(live) == sorted([ids(w.split()[0], "A"), ids(w.split()[0], "B")])
                   for w, _s, _e, _a, live in views(lab, sessions)),
               [(w, key_pairs(l)) for w, _s, _e, _a, l in views(lab, sessions)])
        for node in ("r1", "r2"):
            reload_with(lab, node, secrets, "B")
        retired = wait_for(lab, sessions, "key A deleted at both ends",
                           lambda node, live: key_pairs(live) == [ids(node, "B")], RETIRE_TIMEOUT)
        checks("after removing key A: it is deleted after the hold-down, key B alone remains",
               retired, [(w, key_pairs(l)) for w, _s, _e, _a, l in views(lab, sessions)])
        time.sleep(1.0)  # a little traffic under B alone
        for where, _s, entry, _ao, live in views(lab, sessions):
            keys = live.get("keys", [])
            checks(f"{where}: Established, no reset through both reloads",
                   entry.get("state") == "Established"
                   and entry.get("established_transitions") == transitions[where],
                   (entry.get("state"), entry.get("established_transitions"), transitions[where]))
            checks(f"{where}: no bad MAC, no key-not-found, key A counted as deleted",
                   sum(k["bad_mac"] for k in keys) == 0 and live.get("key_not_found") == 0
                   and live.get("keys_deleted", 0) >= 1,
                   (keys, live.get("key_not_found"), live.get("keys_deleted")))
        lab.wait_exchanged(sessions, ROUTES)
        checks("routes of both families still there", True, "")

    with two_bgpd.Run(checks, "aoroll", 72, ROUTES, configure, inspect) as (lab, capture):
        rows = capture.fields("tcp", "tcp.stream", "ip.src", "ipv6.src", "tcp.options.ao.keyid")
        checks("every captured segment carries TCP-AO", rows and all(r[3] for r in rows),
               f"{sum(1 for r in rows if not r[3])} of {len(rows)} without")
        order = {}
        for stream, ip4, ip6, key_id in rows:
            sender = "r1" if (ip4 or ip6).endswith((".1", "::1")) else "r2"
            seen = order.setdefault((stream, sender), [])
            if key_id and (not seen or seen[-1] != key_id):
                seen.append(key_id)
        expected = {"r1": ["5", "7"], "r2": ["6", "8"]}
        checks("on the wire, per connection: r1 sends KeyID 5 then 7, r2 6 then 8, never back",
               len(order) == 4 and all(ids_seen == expected[sender]
                                       for (_stream, sender), ids_seen in order.items()), order)
        key_args = [arg for path in saved for arg in ("--keys", path)]
        two_bgpd.ao_verify(checks, capture, "the keys of both of r1's configs", *key_args)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
