"""vm_kernel_pair (label vm): the kernel backend's unit of truth.

Inside a QEMU guest running Linux 6.12 with CONFIG_TCP_AO (tests/vm/bench.py),
two of our bgpd peer over a veth between namespaces r1 (AS 65001, passive)
and r2 (AS 65002), IPv4 and IPv6, with tls "required", ao "opportunistic"
and global ao.backend "kernel": the TCP-AO MACs are the guest kernel's
(draft-piraux-tcp-ao-tls; profile sections 1, 3 and 5). The guest only
gathers (scenarios/kernel_pair.sh); the checks are here:
  - the guest kernel has CONFIG_TCP_AO=y, every step came in time;
  - both sessions Established at both ends, routes exchanged both ways;
  - `show neighbors` at both ends: transport tls+ao, backend kernel,
    generation >= 1, current/RNext KeyIDs of generation 1 for the side's
    role, the default MKT (KeyID 0) deleted, good segments counted on the
    derived keys, no bad MAC, no key-not-found;
  - `show ao`: the kernel backend, its probe found kernel TCP-AO;
  - the veth as r1 saw it (tests/vm/guest/ao_capture, returned by the
    guest with r1's key log): tests/tools/ao_verify verifies every segment
    of both sessions, both kernels' MACs, from the default MKT and the key
    log, and each session shows generation 1's KeyIDs in both directions.

Usage (root, repository root): /usr/bin/python3 -m tests.vm.kernel_pair
"""

import json
import os
import subprocess
import sys
import time

from tests.harness import model
from tests.harness.daemons import bgpd_config
from tests.interop.ao import two_bgpd
from tests.interop.tls import common
from tests.vm import bench
from tests.vm import checks as vm_checks

BUDGET = 870            # below the ctest TIMEOUT (900 s)
GUEST_TIMEOUT = 150     # QEMU bound: the guest runs ~20 s on an idle host
KERNEL_RESERVE = 180    # of the budget, kept from a first-run kernel build
ADDRESSES = {"r1": ("10.71.1.1", "fd00:71:1::1"), "r2": ("10.71.1.2", "fd00:71:1::2")}
ASNS = {"r1": 65001, "r2": 65002}
ROUTES = {
    "r1": [model.Route("10.63.100.0/24", (), ("65001:100",), 10),
           model.Route("fd63:100::/48", (), ())],
    "r2": [model.Route("10.64.100.0/24", (64520,), ("65002:200",), 20),
           model.Route("fd64:100::/48", (), ())],
}
GUEST_PAYLOAD = "/payload"
R1_KEYLOG = "/tmp/r1.aokeys"   # in the guest; the scenario returns it


def other(node):
    return "r2" if node == "r1" else "r1"


def speaker(node, files):
    peer = other(node)
    neighbors = [model.Neighbor(address=ADDRESSES[peer][i], local_address=ADDRESSES[node][i],
                                asn=ASNS[peer], tls=common.tls("required"),
                                ao=model.NeighborAo("opportunistic"), passive=node == "r1")
                 for i in (0, 1)]
    keylog = R1_KEYLOG if node == "r1" else None
    return model.Speaker(node, ASNS[node], ADDRESSES[node][0], neighbors, ROUTES[node],
                         tls=files, ao=model.GlobalAo(backend="kernel", keylog_file=keylog))


def write_payload(payload, bgpd):
    """Certificates (scripts/lab-certs) and both configs with the paths the
    guest sees; each config first checked by `bgpd --check` on the host
    with the host's paths."""
    certs = common.Certs(os.path.join(payload, "certs"))
    ca = certs.ca("lab")
    for node in ("r1", "r2"):
        host = certs.router(node, ca, list(ADDRESSES[node]))
        guest = model.TlsFiles(*(f.replace(payload, GUEST_PAYLOAD, 1) for f in
                                 (host.ca_file, host.cert_file, host.key_file)))
        path = os.path.join(payload, f"{node}.json")
        for files in (host, guest):
            with open(path, "w", encoding="utf-8") as f:
                json.dump(bgpd_config.render(speaker(node, files), f"/run/{node}/bgpd.sock"), f,
                          indent=2)
            if files is host:
                check = subprocess.run([bgpd, "--check", path], capture_output=True, text=True,
                                       timeout=30, check=False)
                if check.returncode != 0:
                    raise RuntimeError(f"bgpd --check {node}.json: {check.stdout}{check.stderr}")


def check_guest(checks, status, result):
    vm_checks.guest_report(checks, status, result, ("capture_ready", "r1_socket", "r2_socket",
                                                    "established", "routes",
                                                    "default_key_deleted"))
    for node in ("r1", "r2"):
        peer = other(node)
        entries = vm_checks.neighbors_of(result[node].get("neighbors"))
        for family, index in (("ipv4", 0), ("ipv6", 1)):
            address = ADDRESSES[peer][index]
            vm_checks.routes_from(checks, f"{node} show rib {family}",
                                  result[node].get(f"rib_{family}"), address,
                                  [r.prefix for r in ROUTES[peer] if r.family == family],
                                  ASNS[peer])
            vm_checks.ao_session(checks, f"{node} show neighbors {address}",
                                 entries.get(address, {}), "kernel")
        vm_checks.ao_service(checks, node, result[node].get("ao"), "kernel")


class GuestCapture:
    """The guest's capture, decoded beside its key log (two_bgpd.ao_verify
    reads `.pcap`)."""

    def __init__(self, workdir, result):
        self.pcap = os.path.join(workdir, "r1-veth.pcap")
        self.keylog = os.path.join(workdir, "r1.aokeys")
        capture = result.get("capture") or {}
        bench.write_base64(self.pcap, capture.get("pcap_base64", []))
        bench.write_base64(self.keylog, result.get("r1_keylog_base64", []))
        self.exit, self.stats = capture.get("exit"), capture.get("stats") or {}


def check_capture(checks, capture):
    """Both kernels' segments on the veth verify from r1's key log; every
    session shows c(1) = 1 client to server and s(1) = 2 back."""
    checks("guest capture: ao_capture ended cleanly, no packet dropped",
           capture.exit == 0 and capture.stats.get("kernel_drops") == 0
           and capture.stats.get("packets", 0) > 0, (capture.exit, capture.stats))
    report = two_bgpd.ao_verify(checks, capture, "r1's key log (kernel <-> kernel)",
                                "--keylog", capture.keylog)
    flows = [f for f in report.get("flows", []) if f["has_ao"]]
    key_ids = [(set(f["directions"]["c2s"]["key_ids"]), set(f["directions"]["s2c"]["key_ids"]))
               for f in flows]
    checks("guest capture: both sessions on generation 1's KeyIDs (c2s 1, s2c 2)",
           len(flows) >= 2 and all({"1"} <= c2s and {"2"} <= s2c for c2s, s2c in key_ids),
           key_ids)


def main():
    common.start_budget(BUDGET, "vm_kernel_pair")
    deadline = time.monotonic() + BUDGET
    checks = common.Checks("vm_kernel_pair")
    with bench.Workdir("bgpd-vm-pair-") as work:
        bins = bench.binaries(work.path, ("bgpd", "bgpcli", "ao_capture"))
        image = bench.kernel(timeout=BUDGET - KERNEL_RESERVE)
        payload = os.path.join(work.path, "payload")
        os.makedirs(payload)
        write_payload(payload, bins["bgpd"])
        initrd = bench.initramfs(os.path.join(work.path, "initrd.gz"),
                                 os.path.join(bench.HERE, "scenarios", "kernel_pair.sh"),
                                 payload, list(bins.values()))
        booted = bench.boot_for_result(checks, work, image, initrd, deadline, GUEST_TIMEOUT)
        if booted is None:
            return checks.exit_code()
        check_guest(checks, *booted)
        check_capture(checks, GuestCapture(work.path, booted[1]))
        work.keep = bool(checks.failed)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
