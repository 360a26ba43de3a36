"""vm_kernel_userspace (label vm): the guest kernel's TCP-AO against our
user-space backend, over a real link.

A QEMU guest (Linux 6.12, CONFIG_TCP_AO) runs bgpd "g" (AS 65002, global
ao.backend "kernel") on eth0, a virtio NIC whose host end is tap0 in a
namespace of this run; there bgpd "h" (AS 65001) runs the user-space
(NFQUEUE) backend with its AO-TLS key log. tls "required" + ao
"opportunistic" on both sessions; the guest opens the IPv4 one, the host
the IPv6 one, so both connect directions meet the other implementation.
tshark records tap0. Checks:
  - both sessions Established at both ends, routes exchanged both ways;
  - both ends: transport tls+ao, its backend, generation >= 1, generation
    1's KeyIDs, the default MKT deleted, good segments on derived keys,
    no bad MAC, no key-not-found; the host's user-space queues drop nothing;
  - tests/tools/ao_verify verifies every captured segment (the guest
    kernel's MACs and ours) from the host's key log and the default MKT.

With --rekey (ctest vm_rekey; issue 7's rollover across the kernel <->
userspace pair, profile section 4): both ends have ao.rekey_interval "1s",
the host's namespace drops REKEY_LOSS of the BGP segments both ways (loss
injected on the host side: the guest kernel retransmits), and the guest
stays up REKEY_HOLD seconds; instead of generation 1's
KeyIDs the checks want, at both ends and on both sessions, at least
MIN_ROLLOVERS completed rollovers, no bad MAC, no key-not-found, no drop
during rollovers (the backends' own counters), at most 4 keys; and the
capture verifies with every generation of the host's key log.

Usage (root, repository root): /usr/bin/python3 -m tests.vm.kernel_userspace [--rekey]
"""

import contextlib
import json
import os
import subprocess
import sys
import time

from tests.harness import model, netns, process
from tests.harness.daemons import bgpd_config
from tests.interop.ao import rekey_loss, two_bgpd
from tests.interop.tls import common
from tests.vm import bench
from tests.vm import checks as vm_checks

BUDGET = 870            # below the ctest TIMEOUT (900 s)
GUEST_TIMEOUT = 150     # QEMU bound: the guest runs ~20 s on an idle host
KERNEL_RESERVE = 180    # of the budget, kept from a first-run kernel build
ADDRESSES = {"h": ("10.72.1.1", "fd00:72:1::1"), "g": ("10.72.1.2", "fd00:72:1::2")}
PREFIXLEN = (24, 64)
ASNS = {"h": 65001, "g": 65002}
ROUTES = {
    "h": [model.Route("10.73.100.0/24", (), ("65001:100",), 10),
          model.Route("fd73:100::/48", (), ())],
    "g": [model.Route("10.74.100.0/24", (64530,), ("65002:200",), 20),
          model.Route("fd74:100::/48", (), ())],
}
# Who waits for the other: the host is passive for IPv4 (the guest
# connects), the guest for IPv6 (the host connects).
PASSIVE = {("h", 0): True, ("g", 1): True}
GUEST_PAYLOAD = "/payload"
TAP = "tap0"
REKEY_HOLD = 30          # seconds the guest keeps its sessions up with --rekey
REKEY_LOSS = 0.1         # share of BGP segments the host drops with --rekey
MIN_ROLLOVERS = 4        # per session and end in that time (one per ~2-5 s)
MAX_KEYS = 4


def other(node):
    return "g" if node == "h" else "h"


def speaker(node, files, global_ao, rekey):
    peer = other(node)
    ao = model.NeighborAo("opportunistic", rekey_interval="1s" if rekey else None)
    neighbors = [model.Neighbor(address=ADDRESSES[peer][i], local_address=ADDRESSES[node][i],
                                asn=ASNS[peer], tls=common.tls("required"), ao=ao,
                                passive=PASSIVE.get((node, i), False))
                 for i in (0, 1)]
    return model.Speaker(node, ASNS[node], ADDRESSES[node][0], neighbors, ROUTES[node],
                         tls=files, ao=global_ao)


def write_configs(work, bgpd, make_speaker, host_ao, extra=None):
    """Certificates, the host's config (host paths) and the guest's (guest
    paths, in the payload); both checked by `bgpd --check` with host paths.
    `make_speaker(node, tls files, global ao)` builds each side; `extra`
    ({name: value}) goes into the payload for the guest scenario. Returns
    (host config path, host control socket, payload directory)."""
    payload = os.path.join(work, "payload")
    os.makedirs(payload)
    for name, value in (extra or {}).items():
        with open(os.path.join(payload, name), "w", encoding="ascii") as f:
            f.write(f"{value}\n")
    certs = common.Certs(os.path.join(payload, "certs"))
    ca = certs.ca("lab")
    files = {node: certs.router(node, ca, list(ADDRESSES[node])) for node in ("h", "g")}
    guest_files = model.TlsFiles(*(f.replace(payload, GUEST_PAYLOAD, 1) for f in
                                   (files["g"].ca_file, files["g"].cert_file,
                                    files["g"].key_file)))
    kernel_ao = model.GlobalAo(backend="kernel")
    host_socket = os.path.join(work, "h.sock")
    for path, config, control, check in (
            (os.path.join(work, "h.json"), make_speaker("h", files["h"], host_ao), host_socket,
             True),
            (os.path.join(work, "g-check.json"), make_speaker("g", files["g"], kernel_ao),
             os.path.join(work, "g.sock"), True),
            (os.path.join(payload, "g.json"), make_speaker("g", guest_files, kernel_ao),
             "/run/g/bgpd.sock", False)):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(bgpd_config.render(config, control), f, indent=2)
        if check:
            result = subprocess.run([bgpd, "--check", path], capture_output=True, text=True,
                                    timeout=30, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"bgpd --check {path}: {result.stdout}{result.stderr}")
    return os.path.join(work, "h.json"), host_socket, payload


def host_link(ns):
    """tap0 in `ns`, addressed, for QEMU to open."""
    process.run(["ip", "-n", ns, "tuntap", "add", "dev", TAP, "mode", "tap"])
    for address, length in zip(ADDRESSES["h"], PREFIXLEN):
        args = ["addr", "add", f"{address}/{length}", "dev", TAP]
        process.run(["ip", "-n", ns, *args, *(["nodad"] if ":" in address else [])])
    process.run(["ip", "-n", ns, "link", "set", TAP, "up"])


def host_cli(bgpcli, socket, *args):
    out = process.run([bgpcli, "--socket", socket, "--json", *args], check=False)
    try:
        return json.loads(out)
    except ValueError:
        return None


def session_ready(entry):
    """Established on derived keys, the default MKT gone, good MACs counted."""
    keys = ((entry.get("ao") or {}).get("session") or {}).get("keys", [])
    return (entry.get("state") == "Established" and bool(keys)
            and all(vm_checks.DEFAULT not in (k.get("send_id"), k.get("recv_id")) for k in keys)
            and sum(k.get("good", 0) for k in keys) > 0)


def rollovers(entry):
    return (((entry.get("ao") or {}).get("session") or {}).get("rekey") or {}).get(
        "rollovers_done", 0)


def host_ready(view, rekey):
    """Both host sessions session_ready (and, with rekey, MIN_ROLLOVERS
    done): the moment to read the host's side."""
    entries = vm_checks.neighbors_of(view)
    return len(entries) == 2 and all(
        session_ready(e) and (not rekey or rollovers(e) >= MIN_ROLLOVERS)
        for e in entries.values())


def host_state(bgpcli, socket, guest, timeout, rekey, on_ready=None):
    """Polls the host's `show neighbors` until host_ready (or the guest is
    gone: the checks then fail on what is left), then reads the rest. With
    rekey, every poll's key count is kept (at most MAX_KEYS at any time).
    `on_ready` runs once, when both sessions are first on derived keys."""
    key_counts = []
    pending = [on_ready] if on_ready else []

    def probe():
        view = host_cli(bgpcli, socket, "show", "neighbors")
        if pending and host_ready(view, False):
            pending.pop()()
        key_counts.extend(len(((e.get("ao") or {}).get("session") or {}).get("keys", []))
                          for e in vm_checks.neighbors_of(view).values())
        return view, not guest.running()
    view, gone = process.wait_until(probe, timeout,
                                    "both host sessions on derived keys with good MACs",
                                    ok=lambda v: v[1] or host_ready(v[0], rekey), interval=1.0)
    bench.step("host side ready" if host_ready(view, rekey) else
               f"host side not ready and the guest is {'gone' if gone else 'up'}")
    return {"neighbors": view, "key_counts": key_counts,
            "ao": host_cli(bgpcli, socket, "show", "ao"),
            "rib_ipv4": host_cli(bgpcli, socket, "show", "rib", "ipv4"),
            "rib_ipv6": host_cli(bgpcli, socket, "show", "rib", "ipv6")}


def check_rollovers(checks, where, entry):
    """Issue 7 across implementations: rollovers done, nothing dropped for
    them by the backend's own counters, no key growth."""
    live = (entry.get("ao") or {}).get("session") or {}
    rekey = live.get("rekey") or {}
    drops = rekey.get("drops_during_rollovers") or {}
    checks(f"{where}: at least {MIN_ROLLOVERS} rollovers completed",
           rekey.get("rollovers_done", 0) >= MIN_ROLLOVERS,
           (rekey.get("rollovers_done"), rekey.get("generation"), rekey.get("last_trigger")))
    checks(f"{where}: no drop during rollovers, at most {MAX_KEYS} keys, old keys deleted",
           drops.get("bad_mac") == 0 and drops.get("key_not_found") == 0
           and len(live.get("keys", [])) <= MAX_KEYS
           and rekey.get("keys_deleted", 0) >= 2 * rekey.get("rollovers_done", 0),
           (drops, len(live.get("keys", [])), rekey.get("keys_deleted")))


def check_session(checks, where, entry, backend, rekey):
    vm_checks.ao_session(checks, where, entry, backend, generation_one=not rekey)
    if rekey:
        check_rollovers(checks, where, entry)


def check_host(checks, host, rekey):
    entries = vm_checks.neighbors_of(host["neighbors"])
    if rekey:
        checks(f"host: never more than {MAX_KEYS} keys on a session while rolling",
               host["key_counts"] and max(host["key_counts"]) <= MAX_KEYS,
               max(host["key_counts"] or [0]))
    for index, family in enumerate(("ipv4", "ipv6")):
        address = ADDRESSES["g"][index]
        check_session(checks, f"host show neighbors {address}", entries.get(address, {}),
                      "userspace", rekey)
        vm_checks.routes_from(checks, f"host show rib {family}", host[f"rib_{family}"], address,
                              [r.prefix for r in ROUTES["g"] if r.family == family], ASNS["g"])
    vm_checks.ao_service(checks, "host", host["ao"], "userspace")
    drops = ((host["ao"] or {}).get("userspace") or {}).get("drops", {})
    checks("host user-space backend dropped nothing", not any(drops.values()), drops)


def check_guest(checks, status, result, rekey):
    vm_checks.guest_report(checks, status, result, ("g_socket", "established", "routes",
                                                    "default_key_deleted"))
    guest = result.get("g") or {}
    entries = vm_checks.neighbors_of(guest.get("neighbors"))
    for index, family in enumerate(("ipv4", "ipv6")):
        address = ADDRESSES["h"][index]
        check_session(checks, f"guest show neighbors {address}", entries.get(address, {}),
                      "kernel", rekey)
        vm_checks.routes_from(checks, f"guest show rib {family}", guest.get(f"rib_{family}"),
                              address, [r.prefix for r in ROUTES["h"] if r.family == family],
                              ASNS["h"])
    vm_checks.ao_service(checks, "guest", guest.get("ao"), "kernel")


@contextlib.contextmanager
def tap_pair(work, bins, image, timeout, config, socket, payload, rekey=False, on_ready=None):
    """The host bgpd (`config`, control `socket`) in a namespace of the run
    and the guest (its scenario and `payload`) on the namespace's tap, with
    tshark on the tap. Yields (namespace, capture, host view, guest status,
    guest text) once the guest is done and the capture stopped; removes
    everything on the way out. `on_ready(namespace)` as in host_state."""
    initrd = bench.initramfs(os.path.join(work, "initrd.gz"),
                             os.path.join(bench.HERE, "scenarios", "kernel_userspace.sh"),
                             payload, [bins["bgpd"], bins["bgpcli"]])
    ns = f"{netns.new_run_id()}-host"
    daemon = capture = guest = None
    try:
        netns.create(ns)
        host_link(ns)
        capture = common.Capture(ns, TAP, work)
        daemon = process.Daemon(ns, [bins["bgpd"], "--config", config, "--log-level", "debug"],
                                os.path.join(work, "h.pid"), os.path.join(work, "h.log"))
        process.wait_until(lambda: os.path.exists(socket), 20, "the host bgpd's control socket")
        guest = bench.Guest(image, initrd, os.path.join(work, "console.log"), timeout,
                            netns=ns, tap=TAP)
        host = host_state(bins["bgpcli"], socket, guest, timeout, rekey,
                          on_ready=(lambda: on_ready(ns)) if on_ready else None)
        status, text = guest.result()
        capture.stop()
        yield ns, capture, host, status, text
    finally:
        for part in (guest, daemon, capture):
            if part is not None:
                part.stop()
        netns.delete(ns)


def run(checks, work, bins, image, timeout, rekey):
    keylog = os.path.join(work.path, "h.aokeys")
    host_ao = model.GlobalAo(backend="userspace", keylog_file=keylog, nfqueue_base=4700)
    config, socket, payload = write_configs(
        work.path, bins["bgpd"], lambda node, files, ao: speaker(node, files, ao, rekey), host_ao,
        {"hold": REKEY_HOLD} if rekey else None)
    # Loss once the sessions are up: a lost SYN would only add connection
    # attempts, and the subject is the rollovers.
    loss = (lambda ns: rekey_loss.drop_rules(ns, REKEY_LOSS)) if rekey else None
    with tap_pair(work.path, bins, image, timeout, config, socket, payload, rekey,
                  loss) as (ns, capture, host, status, text):
        if rekey:
            lost = rekey_loss.dropped(ns)
            checks("the host dropped BGP segments during the rollovers", lost > 0,
                   f"{lost} dropped")
        check_host(checks, host, rekey)
        try:
            check_guest(checks, status, bench.result_json(text), rekey)
        except ValueError as err:
            checks("the guest printed a JSON result", False, f"{err}: {text[:400]}")
        two_bgpd.ao_verify(checks, capture, "the host's key log and the default MKT",
                           "--keylog", keylog)


def main():
    rekey = "--rekey" in sys.argv[1:]
    name = "vm_rekey" if rekey else "vm_kernel_userspace"
    common.start_budget(BUDGET, name)
    deadline = time.monotonic() + BUDGET
    checks = common.Checks(name)
    with bench.Workdir("bgpd-vm-tap-") as work:
        bins = bench.binaries(work.path)
        image = bench.kernel(timeout=BUDGET - KERNEL_RESERVE)
        run(checks, work, bins, image, bench.guest_timeout(deadline, GUEST_TIMEOUT), rekey)
        work.keep = bool(checks.failed)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
