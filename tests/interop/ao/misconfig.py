"""TCP-AO misconfigurations that bgpd must handle the way the profile's
section 1 table says (draft-piraux-tcp-ao-tls; profile sections 1, 3, 5),
user-space backend. The cases with a raw TLS client and with a peer
without TCP-AO are in misconfig_peers.py.

r1 (AS 65001, global ao.tls_extension_type left at 65280) is the hub;
r2 and r3 run bgpd with ao.tls_extension_type 65282 and are passive, so
r1 is always the TLS client; every side has tls "required".
  1a  r1 -> r2 with ao "opportunistic" at both ends. A peer with another
      ExtensionType is a peer without the extension: the IPv4 and IPv6
      sessions come up, both ends report ao state "default-mkt-only" and
      count default_mkt_only_sessions, both logs carry the "sent no tcp_ao
      extension" warning, and every segment tshark sees on r1:eth1
      carries TCP-AO KeyID 0 (the default MKT).
  1b  r1 -> r3 with ao "required" at r1: no extension from the peer is a
      handshake failure; never Established, r1's last_failure and log
      name it, r1 alive and answering.
  4   bgpd with an ao neighbor and ao.backend "userspace", started under
      `capsh --drop=cap_net_admin` in the bare namespace `cap`: the same
      config passes `bgpd --check`, the run exits non-zero within a few
      seconds naming CAP_NET_ADMIN, and leaves no NFQUEUE rule behind.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.ao.misconfig
"""

import json
import os
import subprocess
import sys
import time

from tests.harness import process
from tests.harness.daemons import bgpd_config
from tests.harness.model import GlobalAo, Neighbor, NeighborAo, Speaker
from tests.interop.tls import common

BUDGET = 100
OTHER_TYPE = 65282              # r2's and r3's ao.tls_extension_type
TRAFFIC_WINDOW = 3.0            # seconds of keepalives captured in case 1a
STARTUP_LIMIT = 5.0             # seconds for the capability-less bgpd to give up
NFQUEUE_BASE = {"r1": 4600, "r2": 4610, "r3": 4620, "cap": 4630}
HANDSHAKE_FAILURE = (r"handshake.failure", r"no tcp_ao extension", r"alert.*40\b")


def bgpd_bin():
    return os.environ.get("BGPD_BIN") or "bgpd"


def setup_lab(lab, topo):
    certs = common.Certs(os.path.join(lab.run_dir, "certs"))
    ca = certs.ca("lab")
    links = {spoke: common.spoke_addresses(topo, spoke) for spoke in ("r2", "r3")}
    hub_ips = [links[s][f][0] for s in links for f in ("ipv4", "ipv6")]
    r2_addresses = {links["r2"][f][1] for f in ("ipv4", "ipv6")}
    lab.setup("r1", certs.router("r1", ca, hub_ips), lambda _n: common.tls("required"),
              neighbor_ao=lambda n: NeighborAo(
                  "opportunistic" if n.address in r2_addresses else "required"),
              global_ao=GlobalAo(backend="userspace", nfqueue_base=NFQUEUE_BASE["r1"]))
    for spoke in ("r2", "r3"):
        lab.setup(spoke, certs.router(spoke, ca, [links[spoke][f][1] for f in ("ipv4", "ipv6")]),
                  lambda _n: common.tls("required"), passive=True,
                  neighbor_ao=lambda _n: NeighborAo("opportunistic"),
                  global_ao=GlobalAo(backend="userspace", nfqueue_base=NFQUEUE_BASE[spoke],
                                     tls_extension_type=OTHER_TYPE))
    return certs, ca


def check_default_mkt_only(checks, lab, sessions):
    """Case 1a, both ends of every session."""
    for session in sessions:
        for node, peer in (session.nodes, tuple(reversed(session.nodes))):
            address = session.address(peer)
            entry = common.entries(lab, node)[address]
            ao = entry.get("ao") or {}
            live = ao.get("session") or {}
            where = f"1a {node} -> {address}"
            checks(f"{where}: ao state default-mkt-only", live.get("state") == "default-mkt-only",
                   (live.get("state"), entry.get("transport")))
            checks(f"{where}: default_mkt_only_sessions >= 1",
                   ao.get("default_mkt_only_sessions", 0) >= 1,
                   ao.get("default_mkt_only_sessions"))
            warnings = [line for line in common.log_text(lab, node).splitlines()
                        if address in line and "sent no tcp_ao extension" in line
                        and "default-mkt-only" in line]
            checks(f"{where}: log warns of the missing tcp_ao extension", warnings,
                   warnings[0].strip()[:160] if warnings else "no such line")


def check_wire(checks, capture):
    rows = capture.fields("tcp", "tcp.options.ao.keyid")
    key_ids = [r[0] for r in rows]
    checks("1a wire: segments captured on r1:eth1", len(key_ids) > 10, f"{len(key_ids)} segments")
    counts = {k: key_ids.count(k) for k in sorted(set(key_ids))}
    checks("1a wire: every segment carries TCP-AO KeyID 0 (the default MKT)",
           key_ids and set(key_ids) == {"0"}, counts)


def case_mismatch(checks, lab, capture):
    ok_sessions = [lab.session("r1:eth1", f) for f in ("ipv4", "ipv6")]
    bad_sessions = [lab.session("r1:eth2", f) for f in ("ipv4", "ipv6")]
    bad_addresses = [s.address("r3") for s in bad_sessions]
    try:
        lab.wait_established(ok_sessions, timeout=25)
        checks("1a r1 <-> r2 (other ExtensionType, ao opportunistic): IPv4 and IPv6 Established",
               True)
        time.sleep(TRAFFIC_WINDOW)
        check_default_mkt_only(checks, lab, ok_sessions)
    finally:
        capture.stop()
    check_wire(checks, capture)

    def failed(current):
        return all(common.failure_text(current.get(a, {})) for a in bad_addresses)

    current = common.never_established(lab, "r1", bad_addresses, time.monotonic() + 1)
    deadline = time.monotonic() + 3 * (common.HANDSHAKE_TIMEOUT + common.CONNECT_RETRY)
    while not failed(current) and time.monotonic() < deadline:
        current = common.never_established(lab, "r1", bad_addresses, time.monotonic() + 1)
    log = common.log_text(lab, "r1")
    for address in bad_addresses:
        entry = current.get(address, {})
        text = common.failure_text(entry)
        checks(f"1b r1 -> {address} (ao required, peer of another ExtensionType): "
               "never Established", entry.get("established_transitions") == 0, entry.get("state"))
        checks(f"1b r1 -> {address}: last_failure names the cause (handshake failure, "
               "no tcp_ao extension)",
               common.matches(text, *HANDSHAKE_FAILURE), text)
        lines = common.failure_lines(log, address, HANDSHAKE_FAILURE)
        for line in [l for l in log.splitlines() if address in l][-4:]:
            common.step(f"r1 log: {line.strip()[:220]}")
        checks(f"1b r1 -> {address}: r1's log names the cause", lines,
               lines[-1].strip()[:200] if lines else "no such line")
    # The client's alert is encrypted (TLS 1.3, after the server flight):
    # the server, r3, says which one it received.
    r3 = common.check_alive(lab, "r3")
    for session in bad_sessions:
        text = common.failure_text(r3.get(session.address("r1"), {}))
        checks(f"1b r3 <- {session.address('r1')}: the server received the handshake_failure alert",
               common.matches(text, r"handshake.failure", r"alert.*40\b"), text)
    common.check_alive(lab, "r1")
    checks("1b r1 alive and answering its CLI", True)


def case_no_net_admin(checks, lab, topo, certs, ca):
    """Case 4, in the bare namespace `cap`."""
    hub, local = common.spoke_addresses(topo, "cap")["ipv4"]
    directory = os.path.join(lab.run_dir, "cap")
    os.makedirs(directory, exist_ok=True)
    speaker = Speaker("cap", 65009, local,
                      [Neighbor(address=hub, local_address=local, asn=65001,
                                tls=common.tls("required"), ao=NeighborAo("opportunistic"),
                                connect_retry=common.CONNECT_RETRY)],
                      tls=certs.router("cap", ca, [local]),
                      ao=GlobalAo(backend="userspace", nfqueue_base=NFQUEUE_BASE["cap"]))
    config = os.path.join(directory, "bgpd.json")
    with open(config, "w", encoding="utf-8") as f:
        json.dump(bgpd_config.render(speaker, os.path.join(directory, "bgpd.sock")), f, indent=2)
    check = subprocess.run([bgpd_bin(), "--check", config], capture_output=True, text=True,
                           timeout=10, check=False)
    checks("4 the config passes bgpd --check", check.returncode == 0,
           (check.stdout + check.stderr).strip()[:200])
    argv = process.in_netns(lab.netns("cap"), [
        "capsh", "--drop=cap_net_admin", "--", "-c", 'exec "$0" "$@"', bgpd_bin(),
        "--config", config])
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=process._die_with_parent)
    try:
        output, _ = proc.communicate(timeout=STARTUP_LIMIT)
        exited = True
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate(timeout=5)
        exited = False
    seconds = time.monotonic() - started
    checks(f"4 bgpd without CAP_NET_ADMIN exits non-zero within {STARTUP_LIMIT:.0f}s",
           exited and proc.returncode != 0, f"exit {proc.returncode} after {seconds:.1f}s")
    named = [line for line in output.splitlines() if "CAP_NET_ADMIN" in line]
    checks("4 its output names CAP_NET_ADMIN", named,
           named[0].strip()[:200] if named else output.strip()[-300:])
    rules = [line for line in process.run(["iptables-save"], netns=lab.netns("cap")).splitlines()
             + process.run(["ip6tables-save"], netns=lab.netns("cap")).splitlines()
             if "NFQUEUE" in line or f"-{NFQUEUE_BASE['cap']}-" in line]
    checks("4 no NFQUEUE rule or chain left in its namespace", not rules, rules[:3])


def main():
    common.start_budget(BUDGET, "ao_misconfig")
    checks = common.Checks("ao_misconfig")
    topo = common.star("aomis", ("r1", "bgpd", 65001),
                       [("r2", "bgpd", 65002), ("r3", "bgpd", 65003), ("cap", None, None)], 67)
    with common.TlsLab(topo) as lab:
        certs, ca = setup_lab(lab, topo)
        case_no_net_admin(checks, lab, topo, certs, ca)
        capture = common.Capture(lab.netns("r1"), "eth1", lab.run_dir)
        try:
            lab.start()
        except BaseException:
            capture.stop()
            raise
        case_mismatch(checks, lab, capture)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
