"""Certificates bgpd must refuse (profile section 1: chain to the configured
CA, the peer's address as IP SAN, valid now), each a bgpd peer of its own.

Hub `dut` (our bgpd) and four bgpd peers, every session tls "required":
  good     certificate from the lab CA with its addresses, passive: must
           establish (the control: the setup itself works);
  wrongca  certificate from another CA, correct addresses;
  noip     certificate from the lab CA naming another address only;
  expired  certificate from the lab CA, correct addresses, notAfter passed.
The bad peers trust the lab CA, so only dut's verification can fail. For
each bad peer, over the whole window: no Established at either end (IPv4
and IPv6), dut counted failed attempts, and dut's CLI or log names the
reason; dut stays alive and answering throughout.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.certs
"""

import os
import sys
import time

from tests.interop.tls import common

BUDGET = 60
WINDOW = 15.0  # seconds every bad session is watched, from bgpd start
# What dut must say about each bad certificate (OpenSSL's verify error or
# the alert it maps to), in its CLI or its log.
REASONS = {
    "wrongca": (r"unable to get local issuer", r"unknown ca", r"issuer"),
    "noip": (r"ip address mismatch", r"mismatch", r"subjectaltname|\bsan\b"),
    "expired": (r"expired",),
}
PEERS = [("good", "bgpd", 65401), ("wrongca", "bgpd", 65402), ("noip", "bgpd", 65403),
         ("expired", "bgpd", 65404)]


def main():
    common.start_budget(BUDGET, "tls_certs")
    checks = common.Checks("tls_certs")
    topo = common.star("tlscerts", ("dut", "bgpd", 65400), PEERS, 62)
    links = {name: common.spoke_addresses(topo, name) for name, _, _ in PEERS}
    with common.TlsLab(topo) as lab:
        certs = common.Certs(os.path.join(lab.run_dir, "certs"))
        ca, other = certs.ca("lab"), certs.ca("other")
        hub_ips = [a[f][0] for a in links.values() for f in ("ipv4", "ipv6")]
        lab.setup("dut", certs.router("dut", ca, hub_ips), lambda _n: common.tls("required"))
        own = {name: [links[name][f][1] for f in ("ipv4", "ipv6")] for name in links}
        files = {
            "good": certs.router("good", ca, own["good"]),
            "wrongca": certs.router("wrongca", other, own["wrongca"], trust=ca),
            "noip": certs.router("noip", ca, ["10.62.250.1", "fd00:62:250::1"]),
            "expired": certs.router("expired", ca, own["expired"], expired=True),
        }
        for name, peer_files in files.items():
            lab.setup(name, peer_files, lambda _n: common.tls("required"), passive=name == "good")
        lab.start()
        started = time.monotonic()

        good = [lab.session("good:eth1", f) for f in ("ipv4", "ipv6")]
        lab.wait_established(good, timeout=20)
        common.step("control: the good peer is Established over TLS (IPv4 and IPv6)")
        bad = {name: [a[1] for a in links[name].values()] for name in REASONS}
        current = common.never_established(
            lab, "dut", [a for addrs in bad.values() for a in addrs], started + WINDOW,
            also=lambda: lab.assert_never_established(
                [lab.session(f"{n}:eth1", f) for n in bad for f in ("ipv4", "ipv6")], 0))
        checks("no bad-certificate session Established at either end in the window", True,
               f"{WINDOW:.0f}s")
        log = common.log_text(lab, "dut")
        for name, patterns in REASONS.items():
            for address in bad[name]:
                entry = current[address]
                checks(f"{name} {address}: never Established since start",
                       entry.get("established_transitions") == 0,
                       f"established_transitions {entry.get('established_transitions')}")
                checks(f"{name} {address}: dut counted failed TLS attempts",
                       common.attempts(entry) >= 1, entry.get("tls"))
                text = common.failure_text(entry)
                reason_log = common.failure_lines(log, address, patterns)
                checks(f"{name} {address}: the reason is shown",
                       common.matches(text, *patterns) or reason_log,
                       f"CLI: {text!r}; log: {reason_log[-1:] or 'nothing matching'}")
        common.check_alive(lab, "dut")
        checks("dut alive and answering its CLI", True)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
