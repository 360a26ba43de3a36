"""Hitless MKT renewal on long-lived sessions (issue 7; profile section 4):
two of our bgpd roll their TCP-AO keys every second while UPDATEs flow
both ways, and nothing is lost.

r1 (AS 65001, passive) -- r2 (AS 65002), one link, IPv4 and IPv6 sessions,
tls "required", ao "opportunistic" with rekey_interval "1s" at both ends,
user-space backend (NFQUEUE), key log on. Both bgpd get
BGPD_TEST_AO_FIRST_GENERATION=124 (a test-only knob: the handshake derives
generation 124 instead of 1), so the KeyIDs wrap (c(127) = 253, c(128) = 1)
about 17 s into the run, inside the capture; `--first-generation 0` runs
without the knob.

For REKEY_SOAK_SECONDS (default 120, what CI runs) after the routes are in:
  - churn: every 200 ms one side (r1 and r2 in turn) gets a config with
    another set of `networks` (a random half of 16 IPv4 + 16 IPv6
    prefixes, seed printed, plus two fixed prefixes, one with a MED that
    changes every time) and `bgpcli reload`: announcements, replacements
    and withdrawals cross the rekeyed sessions the whole time;
  - every second, `show neighbors --json` at both ends: the session and its
    AO state, "ao.session.rekey" (phase, generation, rollovers_done,
    keys_deleted, last_trigger, drops_during_rollovers ...);
  - half-way, `bgpcli rekey <r1's IPv4 address>` at r2: answered "started",
    or refused as "a rollover is already in progress" / not ready.
tshark on r1's eth1 records the bring-up and the first CAPTURE_SECONDS.

Checks, for each end of each session:
  - no session reset: Established at every poll, established_transitions
    never changes, generation and rollovers_done never go back;
  - from the first poll past phase "installing" on, at least one rollover
    per 5 s (asked for 1 s after the last one completed; the responder's
    1 s poll and the hold-down of max(3 x RTO, 2 s) bound the pace, see
    ROLLOVER_OVERHEAD; the real pace is printed); generation grew with
    rollovers_done; both ends agree within one;
  - with the knob: generation minus rollovers_done is 124 (125 while a
    rollover is open) and the last generation >= 128 (past the KeyID wrap);
  - no bad MAC in any key's counters, key_not_found 0 and
    drops_during_rollovers {bad_mac 0, key_not_found 0} at every poll; no
    user-space drop during the soak (`show ao`);
  - at most 4 keys installed at every poll; keys_deleted grew by about 2
    per rollover (within 2);
  - the Loc-RIBs at the end hold exactly the other side's final networks;
and on the wire and in the key log:
  - tests/tools/ao_verify verifies every captured segment with r1's key
    log (every generation's secrets, one line per direction);
  - per connection and direction, at least 5 KeyIDs after the default MKT,
    in the profile's order (0, then c(g) or s(g) of the first generation,
    then one generation at a time), and with the knob the wrap on the wire
    (253 -> 1, 254 -> 2) in both directions of some connection;
  - r1's key log holds both directions of every generation, contiguous
    from the first one up to at least the generation reached.

Usage (root, repository root):
  REKEY_SOAK_SECONDS=120 /usr/bin/python3 -m tests.interop.ao.rekey_soak
  [--first-generation N] (default 124; 0: no knob, generations from 1)
The long run (by hand, about 33 minutes):
  REKEY_SOAK_SECONDS=1800 /usr/bin/python3 -m tests.interop.ao.rekey_soak
BGPD_BIN / BGPCLI_BIN choose the binaries (ctest sets them).
"""

import argparse
import collections
import os
import random
import sys
import time

from tests.harness.model import GlobalAo, NeighborAo, Route
from tests.interop.ao import two_bgpd
from tests.interop.tls import common

SECONDS = int(os.environ.get("REKEY_SOAK_SECONDS", "120"))
BUDGET = SECONDS + 150       # bring-up, convergence, the verifier; below ctest's 300 s at 120
CAPTURE_SECONDS = 25         # of soak in the pcap (kept small for the verifier)
TICK = 0.2                   # seconds between two config changes
POLL = 1.0                   # seconds between two `show neighbors` at both ends
REPORT_EVERY = 10            # polls between two progress lines
CONVERGE = 30                # seconds for the Loc-RIBs to settle after the churn
OPERATOR_TRIES = 15          # `bgpcli rekey` attempts until one is "started"
KNOB = "BGPD_TEST_AO_FIRST_GENERATION"
DEFAULT_FIRST_GENERATION = 124
WRAP_GENERATION = 128        # c(128) = 1 after c(127) = 253 (profile section 3)
MAX_KEYS = 4                 # g and g+1, both directions (profile section 4)
# Seconds a rollover cycle may take beyond ao.rekey_interval, from the
# rules of profile section 4: up to 1 s before the responder notices the
# request (it polls every second outside a rollover), the 2 s hold-down of
# the old receive key after its RNextKeyID moved, and 1 s for the fast
# polls, the deletions, the derivation of g+2 and the next timer check.
# Measured with rekey_interval 1s: rollovers of 3.2 s, one every 4.4 s.
ROLLOVER_OVERHEAD = 4
MIN_WIRE_KEY_IDS = 5
NODES = ("r1", "r2")
ASN = {"r1": 65001, "r2": 65002}
REKEY_FIELDS = {"phase": str, "generation": int, "rollovers_done": int,
                "last_rollover_ms": (int, type(None)), "last_trigger": (str, type(None)),
                "in_progress": bool, "keys_deleted": int, "drops_during_rollovers": dict}
PHASES = {"installing", "ready", "rolling", "deriving"}
TRIGGERS = {"timer", "bytes", "operator", "peer", None}
# The refusals a rollover request may get (aotls RekeyError texts).
OPERATOR_REFUSALS = (r"a rollover is (already )?in progress", r"not ready",
                     r"no rollover before generation 2 is installed")


def anchors(node, tick):
    """The two networks `node` always originates; the first's MED changes
    with every config change (a replacement each time)."""
    n = 71 + NODES.index(node)
    return [Route(f"10.{n}.200.0/24", (), (f"{ASN[node]}:7",), tick % 1000),
            Route(f"fd{n}:200::/48", (), ())]


def pool(node):
    """The networks `node` announces or withdraws at random."""
    n = 71 + NODES.index(node)
    return ([Route(f"10.{n}.{i}.0/24", (), ()) for i in range(16)]
            + [Route(f"fd{n}:{i + 1:x}::/48", (), (f"{ASN[node]}:{i}",)) for i in range(16)])


ROUTES = {node: anchors(node, 0) for node in NODES}


def next_key_id(key_id):
    """c(g) -> c(g+1), s(g) -> s(g+1): +2 on the ring 1..254 (profile section 3)."""
    return (key_id + 1) % 254 + 1


def previous_key_id(key_id):
    return (key_id - 3) % 254 + 1


def first_key_ids(g):
    """(c(g), s(g))."""
    return ((2 * g - 2) % 254) + 1, ((2 * g - 1) % 254) + 1


def rekey_status(live):
    """(ao.session.rekey, None) or (None, what is wrong with it)."""
    rekey = live.get("rekey")
    if not isinstance(rekey, dict):
        return None, 'no "rekey" object in show neighbors ao.session (rekey status not wired?)'
    wrong = [name for name, kind in REKEY_FIELDS.items()
             if not isinstance(rekey.get(name), kind)
             or (kind is int and isinstance(rekey.get(name), bool))]
    drops = rekey.get("drops_during_rollovers")
    if isinstance(drops, dict):
        wrong += [f"drops_during_rollovers.{k}" for k in ("bad_mac", "key_not_found")
                  if not isinstance(drops.get(k), int)]
    if rekey.get("phase") not in PHASES:
        wrong.append(f"phase {rekey.get('phase')!r}")
    if rekey.get("last_trigger") not in TRIGGERS:
        wrong.append(f"last_trigger {rekey.get('last_trigger')!r}")
    if wrong:
        return None, f"ao.session.rekey lacks or mistypes: {', '.join(wrong)} ({rekey})"
    return rekey, None


class SideView:
    """One end's view of one session across the soak, one `show
    neighbors` entry per poll."""

    def __init__(self, node, session):
        self.node, self.session = node, session
        self.peer_address = session.address(session.nodes[1] if session.nodes[0] == node
                                            else session.nodes[0])
        self.where = f"{node} -> {self.peer_address}"
        self.polls = 0
        self.transitions = None
        self.resets = []          # polls at which the session was not as before
        self.problem = None       # why the rekey status could not be read
        self.first = self.last = None
        self.first_second = self.last_second = 0.0
        self.max_keys = 0
        self.too_many_keys = []
        self.losses = []          # bad MAC, key not found, drops during rollovers
        self.regressions = []     # generation or rollovers_done going back
        self.phases = collections.Counter()
        self.triggers = set()

    def record(self, second, entry):
        self.polls += 1
        state, transitions = entry.get("state"), entry.get("established_transitions")
        if self.transitions is None:
            self.transitions = transitions
        if state != "Established" or transitions != self.transitions:
            self.resets.append(f"{second:.0f}s: {state}, established_transitions {transitions}")
        live = (entry.get("ao") or {}).get("session") or {}
        keys = live.get("keys", [])
        self.max_keys = max(self.max_keys, len(keys))
        if len(keys) > MAX_KEYS:
            self.too_many_keys.append(f"{second:.0f}s: {len(keys)} keys")
        bad = sum(k.get("bad_mac", 0) for k in keys)
        if bad or live.get("key_not_found") != 0:
            self.losses.append(f"{second:.0f}s: bad MAC {bad}, key_not_found "
                               f"{live.get('key_not_found')}")
        rekey, problem = rekey_status(live)
        if problem:
            self.problem = self.problem or problem
            return
        drops = rekey["drops_during_rollovers"]
        if drops["bad_mac"] or drops["key_not_found"]:
            self.losses.append(f"{second:.0f}s: drops_during_rollovers {drops}")
        if self.last and (rekey["generation"] < self.last["generation"]
                          or rekey["rollovers_done"] < self.last["rollovers_done"]):
            self.regressions.append(f"{second:.0f}s: {self.last['generation']}/"
                                    f"{self.last['rollovers_done']} -> {rekey['generation']}/"
                                    f"{rekey['rollovers_done']}")
        if self.first is None and rekey["phase"] != "installing":
            self.first, self.first_second = rekey, second  # rollovers may start from here
        self.last, self.last_second = rekey, second
        self.phases[rekey["phase"]] += 1
        self.triggers.add(rekey["last_trigger"])

    def progress(self):
        if self.last is None:
            return f"{self.where}: {self.problem or 'no poll yet'}"
        r = self.last
        return (f"{self.where}: generation {r['generation']}, {r['rollovers_done']} rollovers, "
                f"{r['phase']}, last {r['last_rollover_ms']} ms ({r['last_trigger']}), "
                f"keys_deleted {r['keys_deleted']}, at most {self.max_keys} keys")

    def delta(self, field):
        return self.last[field] - self.first[field]


class Soak:
    """Churn, polls and the operator's rollover, in one loop of TICK steps."""

    def __init__(self, lab, sessions, seed):
        self.lab = lab
        self.rng = random.Random(seed)
        self.views = [SideView(node, s) for s in sessions for node in NODES]
        self.ticks = 0
        self.reload_errors = []
        self.reload_resets = []
        self.operator_answers = []
        self.operator_started = False

    def churn(self):
        """One side gets another set of networks and reloads."""
        node = NODES[self.ticks % 2]
        adapter = self.lab.daemon(node)
        adapter.speaker.routes = anchors(node, self.ticks + 1) + [
            r for r in pool(node) if self.rng.random() < 0.5]
        adapter.write_config()
        self.ticks += 1
        try:
            reply = adapter.bgpcli("reload")
        except RuntimeError as err:
            self.reload_errors.append(f"{node}: {err}")
            return
        self.reload_resets += [f"{node}: {n}" for n in reply.get("neighbors", [])
                               if n.get("change") not in ("unchanged", "soft")]

    def poll(self, second):
        current = {node: common.check_alive(self.lab, node) for node in NODES}
        for view in self.views:
            view.record(second, current[view.node].get(view.peer_address, {}))

    def operator_view(self):
        """The session the operator rolls over: r2's IPv4 one."""
        return next(v for v in self.views if v.node == "r2" and v.session.family == "ipv4")

    def operator(self):
        """`bgpcli rekey` at r2 for its IPv4 session; True once done."""
        view = self.operator_view()
        try:
            reply = self.lab.daemon("r2").bgpcli("rekey", view.peer_address)
        except RuntimeError as err:
            text = str(err).split("\n", 1)[0]
            self.operator_answers.append(text)
            return (len(self.operator_answers) >= OPERATOR_TRIES
                    or not common.matches(text, *OPERATOR_REFUSALS))
        self.operator_answers.append(reply)
        self.operator_started = (reply.get("address"), reply.get("rollover")) == (
            view.peer_address, "started")
        return True

    def run(self, seconds, capture):
        start = time.monotonic()
        capture_end, operator_at = start + CAPTURE_SECONDS, start + seconds / 2
        next_poll, polls, operator_done, capturing = start, 0, False, True
        while (now := time.monotonic()) < start + seconds:
            if capturing and now >= capture_end:
                capture.stop()
                capturing = False
                common.step(f"capture stopped after {CAPTURE_SECONDS} s of soak")
            if now >= next_poll:
                self.poll(now - start)
                polls += 1
                next_poll += POLL
                if polls % REPORT_EVERY == 0:
                    common.step(f"{now - start:.0f} s, {self.ticks} config changes")
                    for view in self.views:
                        common.step("  " + view.progress())
            if not operator_done and now >= operator_at:
                operator_done = self.operator()
            self.churn()
            time.sleep(max(0.0, start + self.ticks * TICK - time.monotonic()))
        self.poll(time.monotonic() - start)
        capture.stop()


def interval_seconds(text):
    """"1s", "2m" -> seconds."""
    return float(text[:-1]) * {"s": 1, "m": 60}[text[-1]]


def check_view(checks, view, first_generation, interval):
    where, seconds = view.where, view.last_second - view.first_second
    checks(f"{where}: Established at every poll, established_transitions unchanged "
           f"({view.polls} polls)", view.polls > 0 and not view.resets,
           view.resets[:3] or f"established_transitions {view.transitions}")
    checks(f"{where}: no bad MAC, key_not_found 0, no drops during rollovers at every poll",
           not view.losses, f"{len(view.losses)} polls, first {view.losses[:3]}" if view.losses
           else "")
    checks(f"{where}: at most {MAX_KEYS} keys installed at every poll", not view.too_many_keys,
           view.too_many_keys[:3] or f"at most {view.max_keys}")
    if not checks(f"{where}: rekey status in show neighbors, past phase installing",
                  view.problem is None and view.first is not None,
                  view.problem or f"phases {dict(view.phases)}"):
        return
    rollovers = view.delta("rollovers_done")
    rate = f"one per {seconds / rollovers:.2f} s" if rollovers else "none"
    # A rollover is asked for `interval` after the last one completed.
    wanted = seconds / (interval_seconds(interval) + ROLLOVER_OVERHEAD)
    checks(f"{where}: >= {wanted:.0f} rollovers in {seconds:.0f} s (rekey_interval {interval})",
           rollovers >= wanted, f"{rollovers} ({rate}), now {view.last['rollovers_done']}; "
           f"phases {dict(view.phases)}, triggers {sorted(map(str, view.triggers))}")
    checks(f"{where}: generation and rollovers_done never went back", not view.regressions,
           view.regressions[:3])
    checks(f"{where}: the generation grew with the rollovers (within 1)",
           abs(view.delta("generation") - rollovers) <= 1,
           f"generation {view.first['generation']} -> {view.last['generation']}, "
           f"{rollovers} rollovers")
    deleted = view.delta("keys_deleted")
    checks(f"{where}: keys_deleted grew by about 2 per rollover", abs(deleted - 2 * rollovers) <= 2,
           f"{deleted} deleted for {rollovers} rollovers")
    if first_generation:
        # generation = first + rollovers_done, one more while a rollover is open
        base = view.first["generation"] - view.first["rollovers_done"]
        checks(f"{where}: generations start at {first_generation} ({KNOB})",
               base in (first_generation, first_generation + 1),
               f"first seen {view.first['generation']} after {view.first['rollovers_done']} "
               f"rollovers")
        checks(f"{where}: generation past the KeyID wrap (>= {WRAP_GENERATION})",
               view.last["generation"] >= WRAP_GENERATION, view.last["generation"])


def check_ends_agree(checks, views):
    by_session = collections.defaultdict(list)
    for view in views:
        if view.last is not None:
            by_session[view.session.name].append(view)
    for name, pair in by_session.items():
        if len(pair) == 2:
            a, b = (v.last for v in pair)
            checks(f"{name}: both ends within one rollover of each other",
                   abs(a["rollovers_done"] - b["rollovers_done"]) <= 1
                   and abs(a["generation"] - b["generation"]) <= 1,
                   f"{pair[0].node} {a['generation']}/{a['rollovers_done']}, "
                   f"{pair[1].node} {b['generation']}/{b['rollovers_done']} (generation/rollovers)")


def check_operator(checks, soak):
    odd = [a for a in soak.operator_answers
           if not (common.matches(a, *OPERATOR_REFUSALS) if isinstance(a, str)
                   else soak.operator_started)]
    checks("bgpcli rekey: answered \"started\" or refused as in progress / not ready",
           soak.operator_answers and not odd,
           f"{len(soak.operator_answers)} tries, started {soak.operator_started}, "
           f"unexpected {odd[:2]}")
    if soak.operator_started:
        view = soak.operator_view()
        checks(f"{view.where}: a rollover with last_trigger \"operator\" seen after bgpcli rekey",
               "operator" in view.triggers, sorted(map(str, view.triggers)))


def userspace_drops(lab, node):
    return (lab.daemon(node).bgpcli("show", "ao").get("userspace") or {}).get("drops", {})


def check_ribs(checks, lab, sessions):
    """Each end holds exactly the other end's final networks."""
    routes = {node: lab.daemon(node).speaker.routes for node in NODES}
    deadline = time.monotonic() + CONVERGE
    for session in sessions:
        for node, peer in (session.nodes, tuple(reversed(session.nodes))):
            wanted = lab.expected_routes(peer, session, routes)
            while (got := lab.received(node, session)) != wanted and time.monotonic() < deadline:
                time.sleep(0.5)
            wrong = [(p, got.get(p), wanted.get(p)) for p in sorted(set(got) | set(wanted))
                     if got.get(p) != wanted.get(p)]
            checks(f"{node} Loc-RIB over {session.name}: exactly {peer}'s final networks",
                   got == wanted, f"{len(got)} routes" if got == wanted
                   else f"{len(wrong)} differ (got, wanted), e.g. {wrong[:2]}")


def keylog_generations(path):
    """{client_random: {direction: {generation}}} of an AO-TLS key log
    (profile section 6); secrets are not kept."""
    found = collections.defaultdict(lambda: collections.defaultdict(set))
    with open(path, encoding="ascii", errors="replace") as f:
        for fields in (line.split() for line in f):
            if len(fields) == 9 and fields[0] == "TCPAO" and fields[2].isdigit():
                found[fields[1]][fields[3]].add(int(fields[2]))
    return found


def check_keylog(checks, path, first_generation, views):
    start = first_generation or 1
    reached = min((v.last["generation"] for v in views if v.last), default=start)
    complete = []
    for random_hex, directions in keylog_generations(path).items():
        c2s, s2c = directions.get("c2s", set()), directions.get("s2c", set())
        if c2s and c2s == s2c and c2s == set(range(start, max(c2s) + 1)):
            complete.append(max(c2s))
        else:
            checks(f"key log connection {random_hex[:8]}...: both directions, contiguous from "
                   f"{start}", False, f"c2s {sorted(c2s)[:3]}..{max(c2s, default=None)}, s2c "
                   f"{sorted(s2c)[:3]}..{max(s2c, default=None)}")
    far = [g for g in complete if g >= reached]
    checks(f"key log: two connections with every generation, both directions, from {start} to "
           f">= {reached}", len(far) >= 2, f"last generations logged {sorted(complete)}")


def key_id_runs(capture):
    """{(tcp stream, "c2s"|"s2c"): [KeyID, ...]} in capture order, repeats
    collapsed."""
    runs = collections.defaultdict(list)
    for stream, dport, key_id in capture.fields("tcp.options.ao", "tcp.stream", "tcp.dstport",
                                                "tcp.options.ao.keyid"):
        if key_id:
            seq = runs[(int(stream), "c2s" if int(dport) == 179 else "s2c")]
            if not seq or seq[-1] != int(key_id):
                seq.append(int(key_id))
    return runs


def check_wire(checks, capture, first_generation):
    first = dict(zip(("c2s", "s2c"), first_key_ids(first_generation or 1)))
    runs = key_id_runs(capture)
    checks("KeyIDs captured in both directions of two connections", len(runs) >= 4,
           sorted(runs))
    for (stream, direction), seq in sorted(runs.items()):
        where = f"stream {stream} {direction}"
        distinct = {k for k in seq if k != 0}
        checks(f"{where}: >= {MIN_WIRE_KEY_IDS} KeyIDs after the default MKT",
               len(distinct) >= MIN_WIRE_KEY_IDS, f"{len(distinct)}: {seq[:40]}")
        steps = list(zip(seq, seq[1:]))
        back = [s for s in steps if s[1] == previous_key_id(s[0]) and s[0] != 0]
        wrong = [s for s in steps if s not in back
                 and s != (0, first[direction]) and (s[0] == 0 or s[1] != next_key_id(s[0]))]
        checks(f"{where}: 0, then {first[direction]}, then one generation at a time",
               seq[:1] == [0] and not wrong, f"out of order {wrong[:5]}, "
               f"{len(back)} back to the previous KeyID" if wrong or back else "")
    if first_generation:
        # Profile section 3: KeyIDs run on the ring 1..254; c(128) = 1.
        wrapped = {direction for (_stream, direction), seq in runs.items()
                   if any(b < a and a != 0 and b != 0 for a, b in zip(seq, seq[1:]))}
        checks("the KeyID wrap is on the wire in both directions", wrapped == {"c2s", "s2c"},
               sorted(wrapped))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first-generation", type=int, default=DEFAULT_FIRST_GENERATION,
                        help=f"{KNOB} for both bgpd (0: not set, generations from 1)")
    parser.add_argument("--rekey-interval", default="1s",
                        help="neighbors' ao.rekey_interval, NUMBER s|m (default 1s; the "
                             "rollover count expected scales with it)")
    parser.add_argument("--seed", type=int, default=None, help="the churn's random seed")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    common.start_budget(BUDGET, "ao_rekey_soak")
    checks = common.Checks("ao_rekey_soak")
    common.step(f"soak {SECONDS} s, {KNOB}={args.first_generation or 'unset'}, churn seed {seed}")
    if args.first_generation:
        os.environ[KNOB] = str(args.first_generation)  # inherited by both bgpd
    keylogs, results = {}, {}

    def configure(lab, node, index, files):
        keylogs[node] = os.path.join(lab.run_dir, f"{node}.aokeys")
        lab.setup(node, files, lambda _neighbor: common.tls("required"), passive=node == "r1",
                  neighbor_ao=lambda _neighbor: NeighborAo("opportunistic",
                                                           rekey_interval=args.rekey_interval),
                  global_ao=GlobalAo(backend="userspace", keylog_file=keylogs[node],
                                     nfqueue_base=4700 + 10 * index))

    def inspect(lab, sessions):
        soak = results["soak"] = Soak(lab, sessions, seed)
        before = {node: userspace_drops(lab, node) for node in NODES}
        soak.run(SECONDS, run.capture)
        checks(f"{soak.ticks} config changes, every reload applied without a session reset",
               soak.ticks > SECONDS and not soak.reload_errors and not soak.reload_resets,
               (soak.reload_errors + soak.reload_resets)[:3])
        for node in NODES:
            after = userspace_drops(lab, node)
            grown = {k: v - before[node].get(k, 0) for k, v in after.items()
                     if v != before[node].get(k, 0)}
            checks(f"{node} show ao: no user-space drop during the soak", not grown, grown or after)
        check_ribs(checks, lab, sessions)

    run = two_bgpd.Run(checks, "aorekey", 71, ROUTES, configure, inspect)
    try:
        with run as (_lab, capture):
            soak = results["soak"]
            for view in soak.views:
                common.step(view.progress())
                check_view(checks, view, args.first_generation, args.rekey_interval)
            check_ends_agree(checks, soak.views)
            check_operator(checks, soak)
            check_keylog(checks, keylogs["r1"], args.first_generation, soak.views)
            two_bgpd.ao_verify(checks, capture, "r1's key log (every generation)",
                               "--keylog", keylogs["r1"])
            check_wire(checks, capture, args.first_generation)
    except (AssertionError, RuntimeError, TimeoutError, OSError) as err:
        checks("the soak ran to its end", False, f"{type(err).__name__}: {err}")
    finally:
        os.environ.pop(KNOB, None)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
