"""Malformed TLS openings never hurt bgpd or its other sessions (issue 4:
bad input fails that session cleanly, without allocating what a length
field claims).

Namespaces: `dut` (our bgpd), `good` (our bgpd, passive, a TLS session with
dut for the whole run, IPv4 and IPv6), `raw` (one address per case; dut has a
passive tls "required" neighbor at each). Cases, all at once, each from its
own address (raw_tls.py):
  garbage          bytes that are no ClientHello
  truncated        a 5-byte header claiming 300 bytes, 10 bytes, silence
  oversized        a record of 0x4200 bytes (> 2^14 + 256)
  huge-handshake   a ClientHello whose length field claims 16 MiB
Each: dut closes that connection (alert, FIN or RST) within the handshake
timeout (plus scheduling slack), the neighbor is never Established; over
all of them dut's VmRSS grows by less than 8 MiB, dut stays alive and
answering, and the good sessions stay Established (one transition each).

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.bad_input
"""

import json
import os
import subprocess
import sys
import time

from tests.harness import process
from tests.harness.model import Neighbor
from tests.interop.tls import common, raw_tls

BUDGET = 60
SLACK = 1.5                  # seconds beyond the handshake timeout
RSS_LIMIT_KIB = 8 * 1024
CASES = list(raw_tls.CASES)
RAW_ASN = 65701


def raw_address(index):
    return f"10.65.2.{10 + index}"


def main():
    common.start_budget(BUDGET, "tls_bad_input")
    checks = common.Checks("tls_bad_input")
    topo = common.star("tlsbad", ("dut", "bgpd", 65700),
                       [("good", "bgpd", 65702), ("raw", None, None)], 65)
    good_links = common.spoke_addresses(topo, "good")
    hub_raw = common.spoke_addresses(topo, "raw")["ipv4"][0]
    with common.TlsLab(topo) as lab:
        for i in range(len(CASES)):
            process.run(["ip", "addr", "add", f"{raw_address(i)}/24", "dev", "eth1"],
                        netns=lab.netns("raw"))
        certs = common.Certs(os.path.join(lab.run_dir, "certs"))
        ca = certs.ca("lab")
        hub_ips = [good_links[f][0] for f in ("ipv4", "ipv6")] + [hub_raw]
        extra = [Neighbor(address=raw_address(i), local_address=hub_raw, asn=RAW_ASN,
                          tls=common.tls("required"), passive=True,
                          connect_retry=common.CONNECT_RETRY) for i in range(len(CASES))]
        lab.setup("dut", certs.router("dut", ca, hub_ips), lambda _n: common.tls("required"),
                  extra)
        lab.setup("good", certs.router("good", ca, [good_links[f][1] for f in ("ipv4", "ipv6")]),
                  lambda _n: common.tls("required"), passive=True)
        lab.start()
        good = [lab.session("good:eth1", f) for f in ("ipv4", "ipv6")]
        lab.wait_established(good, timeout=20)
        common.step("the good TLS sessions are Established")
        pid = lab.daemon("dut").processes[0].pid
        rss_before = common.vm_rss_kib(pid)

        wait = common.HANDSHAKE_TIMEOUT + SLACK + 2.0
        clients = {case: subprocess.Popen(process.in_netns(lab.netns("raw"), [
            sys.executable, "-m", "tests.interop.tls.raw_tls", case, raw_address(i), hub_raw,
            str(wait)]), stdout=subprocess.PIPE, text=True, preexec_fn=process._die_with_parent)
                   for i, case in enumerate(CASES)}
        running = dict(clients)
        while running:   # the good sessions are watched while the cases run
            lab.wait_established(good, timeout=1)
            for case, proc in list(running.items()):
                if proc.poll() is not None:
                    del running[case]
            time.sleep(0.2)
        results = {}
        for case, proc in clients.items():
            out = proc.stdout.read().strip().splitlines()
            results[case] = json.loads(out[-1]) if out and proc.returncode == 0 else None
        rss_after = common.vm_rss_kib(pid)

        current = common.check_alive(lab, "dut")
        for i, case in enumerate(CASES):
            result = results[case]
            limit = common.HANDSHAKE_TIMEOUT + SLACK
            checks(f"{case}: dut closed the connection within {limit:.1f}s",
                   result and result["closed"] and result["seconds"] <= limit, result)
            entry = current.get(raw_address(i), {})
            checks(f"{case}: never Established", entry.get("established_transitions") == 0,
                   entry.get("state"))
            checks(f"{case}: dut counted a failed TLS attempt", common.attempts(entry) >= 1,
                   entry.get("tls"))
        checks("dut's VmRSS grew by less than 8 MiB", rss_after - rss_before < RSS_LIMIT_KIB,
               f"{rss_before} KiB -> {rss_after} KiB")
        lab.wait_established(good, timeout=1)
        transitions = {peer: current[peer].get("established_transitions")
                       for _, peer in good_links.values()}
        checks("the good sessions stayed Established (one transition each)",
               all(v == 1 for v in transitions.values()), transitions)
        checks("dut alive and answering its CLI", True)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
