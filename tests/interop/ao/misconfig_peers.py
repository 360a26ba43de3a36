"""Peers that do not speak TCP-AO the way bgpd does (draft-piraux-tcp-ao-tls;
profile sections 1, 3 and 5), user-space backend. The ExtensionType
mismatch and the missing-capability cases are in misconfig.py.

r1 (AS 65001, bgpd, ao.backend "userspace") is the hub; r2 (bgpd) and raw
(a bare namespace) are its spokes.
  3  r1 -> r2: r1 has tls "required" + ao "opportunistic" with
     ao.fallback_after 2; r2 has tls "required", ao off, and is passive, so
     only r1 connects. r2's kernel drops r1's AO SYNs, so r1's connects
     time out (connect_timeouts_in_a_row rises to 2), then r1 logs
     "downgrade: ... connect timeouts in a row ... trying once without
     TCP-AO", counts a downgrade, and the IPv4 and IPv6 sessions come up
     over TLS without AO (transport "tls ...").
  2  raw -> r1: r1 has a passive neighbor at raw's address (tls
     "required", ao "opportunistic"). For each tcp_ao body below, a fresh
     ao_static_tool client in raw signs one connection with the default
     MKT (secret 1c eb b1 ff, KeyIDs 0, HMAC-SHA-1-96 / KDF_HMAC_SHA1,
     options excluded; profile section 3) and raw_ao_hello.py sends a
     ClientHello whose tcp_ao extension (type 65280) carries the body:
       unknown codes 00 07 07, mixed pairs 00 00 01 and 00 01 00:
         a fatal alert illegal_parameter (21: level 2, description 47)
       the valid body 00 00 00 (control): a ServerHello, no alert,
         so the alerts above come from the tcp_ao body
     The tool verified segments from r1 (good > 0 under KeyID 0, no bad
     MAC), the neighbor is never Established, r1 (tshark on r1:eth2) never
     sends a SYN to its passive neighbor, r1 stays alive and answers.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.misconfig_peers
($AO_STATIC_TOOL: the ao_static_tool binary, default build/release's; the
test runs a copy of it.)
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

from tests.harness import process, topology
from tests.harness.model import GlobalAo, Neighbor, NeighborAo
from tests.interop.tls import common

BUDGET = 100
NFQUEUE_R1 = 4640
NFQUEUE_TOOL = 4660          # + 10 per case; the tool uses base and base + 1
CLIENT_PORT = 40170          # + case index
FALLBACK_AFTER = 2
# The release tree's tool unless $AO_STATIC_TOOL names another build's.
TOOL = os.environ.get("AO_STATIC_TOOL") or os.path.join(
    topology.REPO_ROOT, "build", "release", "tests", "ao", "userspace", "ao_static_tool")
DEFAULT_MKT = ["--send-id", "0", "--recv-id", "0", "--algorithm", "hmac-sha1",
               "--include-options", "0", "--secret-hex", "1cebb1ff"]
TCP_AO_TYPE = 65280
ILLEGAL_PARAMETER = [2, 47]  # RFC 8446 section 6: fatal, illegal_parameter
# (what, tcp_ao body prot|auth|kdf, alert expected)
BODIES = [("unknown codes auth 7 kdf 7", "000707", True),
          ("mixed pair auth 0 kdf 1", "000001", True),
          ("mixed pair auth 1 kdf 0", "000100", True),
          ("valid body 0 0 0 (control)", "000000", False)]
RAW_ASN = 65710


def setup_lab(lab, topo):
    certs = common.Certs(os.path.join(lab.run_dir, "certs"))
    ca = certs.ca("lab")
    r2_link = common.spoke_addresses(topo, "r2")
    hub_raw, raw = common.spoke_addresses(topo, "raw")["ipv4"]
    extra = [Neighbor(address=raw, local_address=hub_raw, asn=RAW_ASN,
                      tls=common.tls("required"), ao=NeighborAo("opportunistic"), passive=True,
                      connect_retry=common.CONNECT_RETRY)]
    lab.setup("r1", certs.router("r1", ca, [r2_link[f][0] for f in ("ipv4", "ipv6")] + [hub_raw]),
              lambda _n: common.tls("required"), extra,
              neighbor_ao=lambda _n: NeighborAo("opportunistic", fallback_after=FALLBACK_AFTER),
              global_ao=GlobalAo(backend="userspace", nfqueue_base=NFQUEUE_R1))
    lab.setup("r2", certs.router("r2", ca, [r2_link[f][1] for f in ("ipv4", "ipv6")]),
              lambda _n: common.tls("required"), passive=True)
    return hub_raw, raw


def case_no_ao_peer(checks, lab):
    sessions = [lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")]
    addresses = [s.address("r2") for s in sessions]
    started = time.monotonic()
    most = {a: 0 for a in addresses}
    up_after = {}
    deadline = started + 40
    while len(up_after) < len(addresses) and time.monotonic() < deadline:
        current = common.check_alive(lab, "r1")
        for address in addresses:
            entry = current.get(address, {})
            ao = entry.get("ao") or {}
            most[address] = max(most[address], ao.get("connect_timeouts_in_a_row", 0))
            if entry.get("state") == "Established" and address not in up_after:
                up_after[address] = time.monotonic() - started
        time.sleep(0.2)
    lab.wait_established(sessions, timeout=1)
    current = common.entries(lab, "r1")
    log = common.log_text(lab, "r1")
    for address in addresses:
        entry = current[address]
        ao = entry.get("ao") or {}
        where = f"3 r1 -> {address} (peer without TCP-AO)"
        checks(f"{where}: Established over TLS without TCP-AO",
               str(entry.get("transport", "")).startswith("tls "),
               f"{entry.get('transport')} after {up_after.get(address, -1):.1f}s")
        checks(f"{where}: connect_timeouts_in_a_row reached {FALLBACK_AFTER}",
               most[address] >= FALLBACK_AFTER, f"highest seen {most[address]}")
        checks(f"{where}: downgrades >= 1", ao.get("downgrades", 0) >= 1, ao.get("downgrades"))
        lines = [l for l in log.splitlines() if "downgrade:" in l and address in l
                 and "connect timeouts in a row" in l and "trying once without TCP-AO" in l]
        checks(f"{where}: the downgrade is logged", lines,
               lines[0].strip()[:200] if lines else "no such line")


class AoClient:
    """ao_static_tool as the client of one 4-tuple under the default MKT;
    stopped by pid."""

    def __init__(self, lab, tool, local, port, dut, base):
        self.ready = os.path.join(lab.run_dir, f"tool-{port}.ready")
        self.proc = subprocess.Popen(process.in_netns(lab.netns("raw"), [
            tool, "--role", "client", "--client", local, "--client-port", str(port),
            "--server", dut, "--server-port", "179", *DEFAULT_MKT, "--queue-base", str(base),
            "--ready-file", self.ready]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, preexec_fn=process._die_with_parent)
        process.wait_until(lambda: os.path.exists(self.ready) or self.proc.poll() is not None,
                           10, "ao_static_tool ready")
        if self.proc.poll() is not None:
            raise RuntimeError(f"ao_static_tool exited: {self.proc.stderr.read().strip()}")

    def stop(self):
        """Its counters (JSON), or None if it did not stop cleanly."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate(timeout=5)
            return None
        return json.loads(out) if self.proc.returncode == 0 and out.strip() else None


def send_hello(lab, body, local, port, dut):
    out = process.run([sys.executable, "-m", "tests.interop.ao.raw_ao_hello", body,
                       str(TCP_AO_TYPE), local, str(port), dut, "3"],
                      netns=lab.netns("raw"), timeout=15)
    return json.loads(out.strip().splitlines()[-1])


def key_zero(counters):
    """(good, bad MAC) of the connection's KeyID 0 key."""
    keys = ((counters or {}).get("connection") or {}).get("keys", [])
    return (sum(k["good"] for k in keys if k["recv_id"] == 0),
            sum(k["bad_mac"] for k in keys))


def case_bad_codes(checks, lab, hub_raw, raw):
    tool = os.path.join(lab.run_dir, "ao_static_tool")
    shutil.copy2(TOOL, tool)
    capture = common.Capture(lab.netns("r1"), "eth2", lab.run_dir)
    try:
        send_hellos(checks, lab, tool, hub_raw, raw)
    finally:
        capture.stop()
    current = common.check_alive(lab, "r1")
    entry = current.get(raw, {})
    checks(f"2 r1 -> {raw}: never Established", entry.get("established_transitions") == 0,
           f"{entry.get('state')}, last failure: {common.failure_text(entry)}")
    syns = capture.fields(f"tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.src == {hub_raw}",
                          "tcp.srcport", "tcp.dstport")
    checks(f"2 r1 never connects to its passive neighbor {raw}", not syns,
           f"{len(syns)} SYNs from r1, ao connect_timeouts_in_a_row "
           f"{(entry.get('ao') or {}).get('connect_timeouts_in_a_row')}")
    checks("2 r1 alive and answering its CLI", True)


def send_hellos(checks, lab, tool, hub_raw, raw):
    for index, (what, body, alert_expected) in enumerate(BODIES):
        client = AoClient(lab, tool, raw, CLIENT_PORT + index, hub_raw, NFQUEUE_TOOL + 10 * index)
        try:
            result = send_hello(lab, body, raw, CLIENT_PORT + index, hub_raw)
        finally:
            counters = client.stop()
        where = f"2 tcp_ao {body} ({what})"
        if alert_expected:
            checks(f"{where}: r1 answers a fatal alert illegal_parameter (21: 2, 47)",
                   result["alert"] == ILLEGAL_PARAMETER and result["records"][0][0] == 21,
                   f"records {result['records']}, {result['how']}")
        else:
            checks(f"{where}: r1 answers a ServerHello (22), no alert",
                   result["records"] and result["records"][0][0] == 22
                   and result["alert"] is None, f"records {result['records'][:3]}")
        good, bad = key_zero(counters)
        checks(f"{where}: r1's segments verified under the default MKT (KeyID 0)",
               good > 0 and bad == 0, f"good {good}, bad MAC {bad}")


def main():
    if not os.access(TOOL, os.X_OK):
        raise RuntimeError(f"{TOOL} missing: build the ao_static_tool target or set "
                           "AO_STATIC_TOOL")
    common.start_budget(BUDGET, "ao_misconfig_peers")
    checks = common.Checks("ao_misconfig_peers")
    topo = common.star("aomisp", ("r1", "bgpd", 65001),
                       [("r2", "bgpd", 65002), ("raw", None, None)], 68)
    with common.TlsLab(topo) as lab:
        hub_raw, raw = setup_lab(lab, topo)
        lab.start()
        case_no_ao_peer(checks, lab)
        case_bad_codes(checks, lab, hub_raw, raw)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
