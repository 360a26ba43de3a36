"""vm_static_keys (label vm; issue 6 scenarios 3 and 4): static TCP-AO key
chains between the guest kernel's TCP-AO and our user-space backend.

The pair of tests/vm/kernel_userspace.py (guest bgpd "g" on the kernel
backend, host bgpd "h" on the user-space backend, a tap between them; the
guest opens the IPv4 session, the host the IPv6 one), with ao "static"
keys (RFC 5925 MKTs configured on both sides) instead of TLS-derived ones.
Two runs cover both algorithms with the TCP options included and excluded:
  - run "a": IPv4 plain BGP over TCP-AO with HMAC-SHA-1-96, options
    included; IPv6 BGP over TLS over TCP-AO with AES-128-CMAC-96, options
    excluded;
  - run "b": the options flags swapped.
Checks per session and end: Established, ao static, current KeyID = the
side's SendID and RNextKeyID = its RecvID, the one configured key with
its algorithm and options flag, good segments, no bad MAC, no
key-not-found, routes received; and tests/tools/ao_verify verifies every
captured segment from the host's config file (its key chain).

Run "wrong" (scenario 4): the guest's secrets differ from the host's. No
session may come up within the guest's 20 s; the host's user-space
backend counts bad MACs, and the guest kernel's TCPAOBad counter
(/proc/net/netstat) moves.

Usage (root, repository root):
  /usr/bin/python3 -m tests.vm.kernel_userspace_static [a|b|wrong]...   (default: a b wrong)
"""

import os
import sys
import time

from tests.harness import model
from tests.interop.ao import two_bgpd
from tests.interop.tls import common
from tests.vm import bench
from tests.vm import checks as vm_checks
from tests.vm import kernel_userspace as pair

BUDGET = 870
GUEST_TIMEOUT = 150
KERNEL_RESERVE = 180
NEGATIVE_HOLD = 20      # seconds the guest tries with a wrong key
# Per session (IPv4, IPv6): the host's (SendID, RecvID); the guest swaps them.
KEY_IDS = ((5, 6), (7, 8))
MACS = ("hmac-sha1-96", "aes-128-cmac-96")
OPTIONS = {"a": (True, False), "b": (False, True), "wrong": (True, False)}


def key_ids(node, index):
    send, recv = KEY_IDS[index]
    return (send, recv) if node == "h" else (recv, send)


def keychain(node, index, run, secrets):
    send, recv = key_ids(node, index)
    secret = secrets[index] if node == "h" or run != "wrong" else secrets[index][::-1]
    return ({"id": 1, "send_id": send, "recv_id": recv, "secret_hex": secret,
             "algorithm": MACS[index], "include_options": OPTIONS[run][index]},)


def speaker(node, files, global_ao, run, secrets):
    peer = pair.other(node)
    neighbors = [model.Neighbor(address=pair.ADDRESSES[peer][i],
                                local_address=pair.ADDRESSES[node][i], asn=pair.ASNS[peer],
                                tls=common.tls("required") if i == 1 else None,
                                ao=model.NeighborAo("static",
                                                    keychain=keychain(node, i, run, secrets)),
                                passive=pair.PASSIVE.get((node, i), False))
                 for i in (0, 1)]
    return model.Speaker(node, pair.ASNS[node], pair.ADDRESSES[node][0], neighbors,
                         pair.ROUTES[node], tls=files, ao=global_ao)


def static_session(checks, where, entry, node, index, run, backend):
    """One end's view of a static-key session (scenario 3)."""
    ao = entry.get("ao") or {}
    live = ao.get("session") or {}
    send, recv = key_ids(node, index)
    kind = "tcp-ao " if index == 0 else "tls+ao "
    checks(f"{where}: Established over {kind.strip()}",
           entry.get("state") == "Established" and str(entry.get("transport", "")).startswith(kind),
           (entry.get("state"), entry.get("transport"), common.failure_text(entry)))
    checks(f"{where}: ao static on the {backend} backend",
           (ao.get("mode"), live.get("state"), live.get("backend")) == ("static", "static", backend),
           (ao.get("mode"), live.get("state"), live.get("backend")))
    checks(f"{where}: current KeyID {send}, RNextKeyID {recv}",
           (live.get("current_key_id"), live.get("rnext_key_id")) == (send, recv),
           (live.get("current_key_id"), live.get("rnext_key_id")))
    keys = live.get("keys", [])
    expected = [(send, recv, MACS[index], OPTIONS[run][index])]
    checks(f"{where}: the configured key, {MACS[index]}, options "
           f"{'included' if OPTIONS[run][index] else 'excluded'}",
           [(k.get("send_id"), k.get("recv_id"), k.get("mac"), k.get("include_options"))
            for k in keys] == expected, keys)
    good = sum(k.get("good", 0) for k in keys)
    bad = sum(k.get("bad_mac", 0) for k in keys)
    checks(f"{where}: good segments, no bad MAC, no key-not-found",
           good > 0 and bad == 0 and live.get("key_not_found") == 0,
           f"good {good}, bad {bad}, key_not_found {live.get('key_not_found')}")


def check_positive(checks, run, host, status, result):
    vm_checks.guest_report(checks, status, result, ("g_socket", "established", "routes"))
    views = {"h": vm_checks.neighbors_of(host["neighbors"]),
             "g": vm_checks.neighbors_of((result.get("g") or {}).get("neighbors"))}
    for node, where in (("h", "host"), ("g", "guest")):
        peer = pair.other(node)
        for index in (0, 1):
            address = pair.ADDRESSES[peer][index]
            static_session(checks, f"run {run}: {where} show neighbors {address}",
                           views[node].get(address, {}), node, index, run,
                           "userspace" if node == "h" else "kernel")


def check_negative(checks, host, status, result):
    checks("wrong key: the guest scenario finished", status == 0, f"exit {status}")
    for where, view in (("host", host["neighbors"]),
                        ("guest", (result.get("g") or {}).get("neighbors"))):
        states = {a: e.get("state") for a, e in vm_checks.neighbors_of(view).items()}
        checks(f"wrong key: no session Established at the {where}",
               states and "Established" not in states.values(), states)
    drops = ((host["ao"] or {}).get("userspace") or {}).get("drops", {})
    checks("wrong key: the host's user-space backend counted bad MACs",
           drops.get("bad MAC", 0) > 0, drops)
    bad = result.get("tcp_ao_bad")
    checks("wrong key: the guest kernel's TCPAOBad counter moved",
           isinstance(bad, int) and bad > 0, result.get("tcp_ao_bad"))


def one_run(checks, work, bins, image, timeout, run):
    secrets = (os.urandom(20).hex(), os.urandom(16).hex())
    config, socket, payload = pair.write_configs(
        work, bins["bgpd"], lambda node, files, ao: speaker(node, files, ao, run, secrets),
        model.GlobalAo(backend="userspace", nfqueue_base=4800),
        {"negative": 1, "hold": NEGATIVE_HOLD} if run == "wrong" else None)
    with pair.tap_pair(work, bins, image, timeout, config, socket,
                       payload) as (_ns, capture, host, status, text):
        try:
            result = bench.result_json(text)
        except ValueError as err:
            checks(f"run {run}: the guest printed a JSON result", False, f"{err}: {text[:400]}")
            return
        if run == "wrong":
            check_negative(checks, host, status, result)
        else:
            check_positive(checks, run, host, status, result)
            two_bgpd.ao_verify(checks, capture, f"run {run}: the host's key chain (its config)",
                               "--keys", config)


def main():
    runs = sys.argv[1:] or ["a", "b", "wrong"]
    common.start_budget(BUDGET, "vm_static_keys")
    deadline = time.monotonic() + BUDGET
    checks = common.Checks("vm_static_keys")
    with bench.Workdir("bgpd-vm-static-") as work:
        bins = bench.binaries(work.path)
        image = bench.kernel(timeout=BUDGET - KERNEL_RESERVE)
        for run in runs:
            run_dir = os.path.join(work.path, run)
            os.makedirs(run_dir)
            one_run(checks, run_dir, bins, image, bench.guest_timeout(deadline, GUEST_TIMEOUT), run)
        work.keep = bool(checks.failed)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
