"""Two of our daemons peer with tls "required" and ao "opportunistic" over
the user-space TCP-AO backend (draft-piraux-tcp-ao-tls; profile sections
1, 3 and 5), IPv4 and IPv6.

r1 (AS 65001) -- r2 (AS 65002), one link; each bgpd runs ao.backend
"userspace" (NFQUEUE) and writes the AO-TLS key log (profile section 6).
r1 is passive and answers before r2 starts, so the capture holds no
segment a not-yet-started peer's kernel sent (an unsigned RST). tshark on
r1's end of the link records port 179. Checks:
  - both sessions Established, routes exchanged both ways;
  - `show neighbors` at both ends: transport tls+ao, backend userspace,
    generation >= 1, current/RNext KeyIDs of generation 1 for the side's
    role, good segments counted, no bad MAC, no key-not-found;
  - on the wire, per TCP connection: SYN and SYN-ACK under KeyID 0 (the
    default MKT), client-to-server segments under 0 then c(1) = 1,
    server-to-client under 0 then s(1) = 2, every segment with TCP-AO;
  - tests/tools/ao_verify (written from the RFCs, not from our C++) checks
    every MAC of the capture with r1's key log and the default MKT: no
    mismatch, no unknown KeyID, no gap, no segment without TCP-AO;
  - the key log file is 0600.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.pair
"""

import json
import os
import stat
import sys
import time

from tests.harness.model import GlobalAo, NeighborAo, Route
from tests.interop.ao import two_bgpd
from tests.interop.tls import common

BUDGET = 80
TRAFFIC_WINDOW = 5.0   # seconds of keepalives captured after the routes arrived
ROUTES = {
    "r1": [Route("10.63.100.0/24", (), ("65001:100",), 10), Route("fd63:100::/48", (), ())],
    "r2": [Route("10.64.100.0/24", (64520,), ("65002:200",), 20), Route("fd64:100::/48", (), ())],
}
# Profile section 3: generation 1's KeyIDs; 0 is the default MKT.
C1, S1, DEFAULT = 1, 2, 0


def check_ao_state(checks, lab, node, sessions):
    for where, _session, entry, ao, live in two_bgpd.ao_views(lab, node, sessions):
        checks(f"{where}: transport tls+ao", str(entry.get("transport", "")).startswith("tls+ao "),
               entry.get("transport"))
        checks(f"{where}: ao opportunistic on the userspace backend",
               (ao.get("mode"), ao.get("backend"), live.get("backend"))
               == ("opportunistic", "userspace", "userspace"), ao)
        checks(f"{where}: keys derived (generation >= 1, state past default-mkt-only)",
               live.get("generation", 0) >= 1 and live.get("state") not in
               (None, "idle", "default-mkt-only"), (live.get("state"), live.get("generation")))
        pair = (live.get("current_key_id"), live.get("rnext_key_id"))
        checks(f"{where}: current/RNext KeyIDs are generation 1's for its role",
               pair in ((C1, S1), (S1, C1)), pair)
        keys = live.get("keys", [])
        good = sum(k.get("good", 0) for k in keys)
        bad = sum(k.get("bad_mac", 0) for k in keys)
        checks(f"{where}: good segments counted, no bad MAC, no key-not-found",
               good > 0 and bad == 0 and live.get("key_not_found") == 0, 
               f"good {good}, bad {bad}, key_not_found {live.get('key_not_found')}")
        checks(f"{where}: no secret in the status", "secret" not in json.dumps(ao).lower(), "")


def check_wire(checks, capture):
    rows = capture.fields("tcp", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags.syn",
                          "tcp.flags.ack", "tcp.options.ao.keyid")
    checks("segments captured", len(rows) > 20, f"{len(rows)} segments")
    missing = [r for r in rows if r[5] == ""]
    checks("every captured segment carries TCP-AO", not missing,
           f"{len(missing)} without" if missing else f"{len(rows)} with")
    streams = {}
    for stream, sport, dport, syn, ack, key_id in rows:
        streams.setdefault(stream, []).append((int(sport), int(dport), syn == "1", ack == "1",
                                               int(key_id or -1)))
    for stream, segments in sorted(streams.items()):
        syns = [s for s in segments if s[2] and not s[3]]
        syn_acks = [s for s in segments if s[2] and s[3]]
        checks(f"stream {stream}: SYN and SYN-ACK under KeyID 0 (default MKT)",
               syns and syn_acks and all(s[4] == DEFAULT for s in syns + syn_acks),
               [s[4] for s in syns + syn_acks])
        to_server = {s[4] for s in segments if s[1] == 179}
        to_client = {s[4] for s in segments if s[0] == 179}
        checks(f"stream {stream}: a whole session", len(segments) > 12, len(segments))
        if len(segments) > 12:
            checks(f"stream {stream}: client-to-server KeyIDs 0 then c(1) = 1",
                   to_server == {DEFAULT, C1}, sorted(to_server))
            checks(f"stream {stream}: server-to-client KeyIDs 0 then s(1) = 2",
                   to_client == {DEFAULT, S1}, sorted(to_client))


def main():
    common.start_budget(BUDGET, "ao_pair")
    checks = common.Checks("ao_pair")
    keylogs = {}

    def configure(lab, node, index, files):
        keylogs[node] = os.path.join(lab.run_dir, f"{node}.aokeys")
        lab.setup(node, files, lambda _neighbor: common.tls("required"), passive=node == "r1",
                  neighbor_ao=lambda _neighbor: NeighborAo("opportunistic"),
                  global_ao=GlobalAo(backend="userspace", keylog_file=keylogs[node],
                                     nfqueue_base=4300 + 10 * index))

    def inspect(lab, sessions):
        time.sleep(TRAFFIC_WINDOW)
        for node in ("r1", "r2"):
            check_ao_state(checks, lab, node, sessions)

    with two_bgpd.Run(checks, "aopair", 63, ROUTES, configure, inspect) as (_lab, capture):
        check_wire(checks, capture)
        mode = stat.S_IMODE(os.stat(keylogs["r1"]).st_mode)
        checks("the key log is 0600", mode == 0o600, oct(mode))
        two_bgpd.ao_verify(checks, capture, "r1's key log and the default MKT",
                           "--keylog", keylogs["r1"])
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
