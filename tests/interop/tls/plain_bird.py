"""BGP over TLS against a peer without TLS (BIRD 2, plain BGP), per the
profile section 1 mode table.

Hub `dut` (our bgpd) and two BIRDs, IPv4 and IPv6 sessions each:
  breq   dut's neighbors are tls "required": BIRD reads the ClientHello as a
         broken BGP header (and answers with a NOTIFICATION), dut reads
         BIRD's OPEN as a broken TLS record. No session may come up at
         either end; dut must not crash and must retry per ConnectRetry
         (>= 2 attempts counted in the window).
  bpref  dut's neighbors are tls "preferred", fallback_after 2, fallback
         "none": after 2 failed TLS attempts dut falls back to plain BGP;
         the sessions are Established over plain TCP, dut's route reaches
         BIRD, dut counts the downgrade and its log says "downgrade".

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.plain_bird
"""

import os
import sys
import time

from tests.harness.model import ReceivedRoute, Route
from tests.interop.tls import common

BUDGET = 60
WINDOW = 15.0          # seconds the required sessions are watched, from start
FALLBACK_AFTER = 2
FALLBACK_TIMEOUT = 25.0
ROUTE = Route("10.64.100.0/24", (), ("65000:64",))
PEERS = [("breq", "bird", 65601), ("bpref", "bird", 65602)]


def main():
    common.start_budget(BUDGET, "tls_plain_bird")
    checks = common.Checks("tls_plain_bird")
    topo = common.star("tlsbird", ("dut", "bgpd", 65600), PEERS, 64)
    links = {name: common.spoke_addresses(topo, name) for name, _, _ in PEERS}
    preferred = {a[1] for a in links["bpref"].values()}

    def neighbor_tls(neighbor):
        if neighbor.address in preferred:
            return common.tls("preferred", fallback_after=FALLBACK_AFTER, fallback="none")
        return common.tls("required")

    with common.TlsLab(topo) as lab:
        certs = common.Certs(os.path.join(lab.run_dir, "certs"))
        ca = certs.ca("lab")
        hub_ips = [a[f][0] for a in links.values() for f in ("ipv4", "ipv6")]
        lab.setup("dut", certs.router("dut", ca, hub_ips), neighbor_tls)
        lab.announce("dut", ROUTE)
        lab.start()
        started = time.monotonic()

        fallback = [lab.session("bpref:eth1", f) for f in ("ipv4", "ipv6")]
        try:
            lab.wait_established(fallback, timeout=FALLBACK_TIMEOUT)
            checks("preferred: sessions with BIRD Established after the fallback", True)
            hop = fallback[0].address("dut")
            lab.wait_routes("bpref", fallback[0], {ROUTE.prefix},
                            {ROUTE.prefix: ReceivedRoute.make(ROUTE.prefix, hop, (65600,),
                                                              ROUTE.communities, None)})
            checks("preferred: dut's route reached BIRD over the plain session", True)
        except TimeoutError as err:   # the required half is still checked
            checks("preferred: sessions with BIRD Established after the fallback", False, err)

        required = [lab.session("breq:eth1", f) for f in ("ipv4", "ipv6")]
        addresses = [a[1] for a in links["breq"].values()]
        current = common.never_established(
            lab, "dut", addresses, started + WINDOW,
            also=lambda: lab.assert_never_established(required, 0))
        checks("required: no session with plain BIRD at either end in the window", True,
               f"{WINDOW:.0f}s")
        for address in addresses:
            entry = current[address]
            checks(f"required {address}: never Established since start",
                   entry.get("established_transitions") == 0, entry.get("state"))
            checks(f"required {address}: dut retried (>= 2 attempts)",
                   common.attempts(entry) >= 2,
                   f"tls {entry.get('tls')}, connect_retry_counter "
                   f"{entry.get('connect_retry_counter')}")
            checks(f"required {address}: a failure is recorded",
                   bool(common.failure_text(entry)), common.failure_text(entry))

        for session in required:
            ident = session.neighbor("breq").ident
            shown = lab.daemon("breq").birdc("show", "protocols", "all", ident)
            errors = [l.strip() for l in shown.splitlines() if l.strip().startswith("Last error")]
            checks(f"required {session.family}: BIRD took the ClientHello for a broken BGP "
                   "header (its NOTIFICATION 1/1)",
                   any("Connection not synchronized" in e for e in errors), errors)
        for session in fallback:
            ident = session.neighbor("bpref").ident
            shown = lab.daemon("bpref").birdc("show", "protocols", "all", ident)
            print(f"info: BIRD bpref {ident}: " + "; ".join(
                l.strip() for l in shown.splitlines() if "error" in l.lower() or "state" in l.lower()))
        log = common.log_text(lab, "dut")
        for address in sorted(preferred):
            entry = common.entries(lab, "dut")[address]
            state = common.tls_state(entry)
            checks(f"preferred {address}: Established over plain TCP",
                   entry.get("state") == "Established"
                   and str(entry.get("transport", "")).startswith("tcp "),
                   entry.get("transport"))
            checks(f"preferred {address}: dut counted the downgrade",
                   state.get("downgrades", 0) >= 1 and state.get("mode") == "preferred", state)
            lines = [l for l in log.splitlines() if "downgrade" in l.lower() and address in l]
            checks(f"preferred {address}: the log says downgrade", lines,
                   lines[-1] if lines else "no log line with 'downgrade' and the address")
        common.check_alive(lab, "dut")
        checks("dut alive and answering its CLI", True)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
