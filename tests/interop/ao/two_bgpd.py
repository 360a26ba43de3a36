"""What the `ao` label's two-daemon tests share: r1 (AS 65001, passive) and
r2 (AS 65002) on one link with lab certificates, started in order so that
r1 answers before r2 exists (no segment of a not-yet-started peer's kernel,
such as an unsigned RST, reaches the capture), tshark on r1's eth1, both
sessions (IPv4, IPv6) Established and the routes exchanged; and the
independent verifier (tests/tools/ao_verify) on the capture.
"""

import json
import os
import subprocess

from tests.harness import topology
from tests.interop.tls import common

AO_VERIFY = os.path.join(topology.REPO_ROOT, "tests", "tools", "ao_verify", "ao_verify.py")


class Run:
    """`with Run(checks, name, net, routes, configure, inspect) as (lab,
    capture):` - `configure(lab, node, index, files)` sets a node up
    (files: its certificates); `inspect(lab, sessions)` runs once the
    routes are in, while tshark still records; the body gets the lab still
    up and the capture stopped. `run.capture` is the capture from the
    start of the daemons on; `inspect` may stop it early (a shorter pcap)."""

    def __init__(self, checks, name, net, routes, configure, inspect):
        self.checks, self.routes = checks, routes
        self.configure, self.inspect = configure, inspect
        self.topo = common.star(name, ("r1", "bgpd", 65001), [("r2", "bgpd", 65002)], net)
        self.lab = common.TlsLab(self.topo)
        self.capture = None

    def __enter__(self):
        lab = self.lab.__enter__()
        try:
            addresses = common.spoke_addresses(self.topo, "r2")
            certs = common.Certs(os.path.join(lab.run_dir, "certs"))
            ca = certs.ca("lab")
            for index, node in enumerate(("r1", "r2")):
                files = certs.router(node, ca, [addresses[f][index] for f in ("ipv4", "ipv6")])
                self.configure(lab, node, index, files)
                lab.announce(node, *self.routes[node])
            capture = self.capture = common.Capture(lab.netns("r1"), "eth1", lab.run_dir)
            try:
                lab.start(sequential=True)
                sessions = [lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")]
                lab.wait_established(sessions, timeout=30)
                common.step("IPv4 and IPv6 sessions Established at both ends")
                lab.wait_exchanged(sessions, self.routes)
                self.checks("routes of both families exchanged both ways", True, "")
                self.inspect(lab, sessions)
            finally:
                capture.stop()
        except BaseException as err:
            self.lab.__exit__(type(err), err, err.__traceback__)
            raise
        return lab, capture

    def __exit__(self, exc_type, exc, tb):
        return self.lab.__exit__(exc_type, exc, tb)


def ao_views(lab, node, sessions):
    """Per session, `node`'s view of its peer: (where, session, show
    neighbors entry, its "ao" object, the live "ao.session")."""
    current = common.entries(lab, node)
    for session in sessions:
        peer = session.nodes[1] if session.nodes[0] == node else session.nodes[0]
        entry = current[session.address(peer)]
        ao = entry.get("ao") or {}
        yield (f"{node} show neighbors {session.address(peer)}", session, entry, ao,
               ao.get("session") or {})


def ao_verify(checks, capture, what, *key_args):
    """Runs the verifier with --require-ao on port 179; one check that every
    TCP-AO segment verifies; returns the report."""
    result = subprocess.run(["/usr/bin/python3", AO_VERIFY, capture.pcap, *key_args,
                             "--require-ao", "--port", "179", "--json"],
                            capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {"verified": 0, "total": 0, "failures": [result.stderr.strip()[:300]]}
    checks(f"ao_verify: every TCP-AO segment verifies with {what}",
           result.returncode == 0 and report["verified"] == report["total"] > 20,
           f"exit {result.returncode}, {report['verified']}/{report['total']} verified, "
           f"failures {report['failures'][:3]}")
    for flow in report.get("flows", []):
        counts = {d: {k: f"{v['verified']}/{v['total']}" for k, v in state["key_ids"].items()}
                  for d, state in flow["directions"].items()}
        common.step(f"ao_verify flow {flow['flow']} {flow['client']} -> {flow['server']}: {counts}")
    return report
