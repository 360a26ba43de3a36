"""Checks shared by the VM scenarios: one bgpd's view of a TCP-AO session
(from `bgpcli --json show neighbors`), its backend (`show ao`), received
routes (`show rib`), and the guest's own report (kernel, waits)."""

import json

from tests.interop.tls import common

# Profile section 3: generation 1's KeyIDs (client c(1) = 1, server s(1) = 2);
# 0 is the default MKT.
C1, S1, DEFAULT = 1, 2, 0


def neighbors_of(reply):
    """{address: entry} from a `show neighbors` reply (a list, or
    {"neighbors": [...]}); {} for null."""
    listed = (reply or {}).get("neighbors", []) if isinstance(reply, dict) else (reply or [])
    return {n["address"]: n for n in listed}


def ao_session(checks, where, entry, backend, generation_one=True):
    """A neighbor Established over TLS + TCP-AO on `backend`, on derived
    keys (generation 1's unless `generation_one` is False: a rekeying run)
    with the default MKT deleted, good MACs counted on derived keys, no bad
    MAC, no key-not-found, no secret shown."""
    ao = entry.get("ao") or {}
    live = ao.get("session") or {}
    checks(f"{where}: Established", entry.get("state") == "Established",
           (entry.get("state"), common.failure_text(entry)))
    checks(f"{where}: transport tls+ao", str(entry.get("transport", "")).startswith("tls+ao "),
           entry.get("transport"))
    checks(f"{where}: ao opportunistic on the {backend} backend",
           (ao.get("mode"), ao.get("backend"), live.get("backend"))
           == ("opportunistic", backend, backend),
           (ao.get("mode"), ao.get("backend"), live.get("backend")))
    checks(f"{where}: keys derived (generation >= 1, state past default-mkt-only)",
           live.get("generation", 0) >= 1 and live.get("state") not in
           (None, "idle", "default-mkt-only"), (live.get("state"), live.get("generation")))
    pair = (live.get("current_key_id"), live.get("rnext_key_id"))
    if generation_one:
        checks(f"{where}: current/RNext KeyIDs are generation 1's for its role",
               pair in ((C1, S1), (S1, C1)), pair)
    keys = live.get("keys", [])
    ids = sorted((k.get("send_id"), k.get("recv_id")) for k in keys)
    checks(f"{where}: the default MKT (KeyID 0) was deleted, derived keys remain",
           bool(keys) and all(DEFAULT not in ids_pair for ids_pair in ids), ids)
    good = sum(k.get("good", 0) for k in keys if k.get("recv_id") != DEFAULT)
    bad = sum(k.get("bad_mac", 0) for k in keys)
    checks(f"{where}: good segments on derived keys, no bad MAC, no key-not-found",
           good > 0 and bad == 0 and live.get("key_not_found") == 0,
           f"good {good}, bad {bad}, key_not_found {live.get('key_not_found')}")
    checks(f"{where}: no secret in the status", "secret" not in json.dumps(ao).lower(), "")


def ao_service(checks, where, service, backend):
    """`show ao`: the backend in use; for the kernel one, the probe found
    kernel TCP-AO."""
    service = service or {}
    ok = service.get("backend") == backend
    if backend == "kernel":
        ok = ok and str(service.get("kernel_probe", "")).startswith("kernel TCP-AO present")
    checks(f"{where} show ao: the {backend} backend"
           + (", kernel TCP-AO probed" if backend == "kernel" else ""), ok, service)


def received(rib, source):
    """{prefix: path} of the `show rib` reply's paths learned from `source`."""
    return {route["prefix"]: path for route in (rib or {}).get("routes", [])
            for path in route.get("paths", []) if path.get("source") == source}


def routes_from(checks, where, rib, source, prefixes, first_as):
    """Every prefix in `rib` from `source`, with `first_as` nearest."""
    got = received(rib, source)
    paths = {p: got.get(p) for p in prefixes}
    checks(f"{where}: {', '.join(prefixes)} from {source} with AS {first_as} first",
           all(p and p.get("as_path", "").split()[:1] == [str(first_as)] for p in paths.values()),
           paths)


def guest_report(checks, status, result, steps):
    """The guest scenario ended normally, runs a TCP-AO kernel, and every
    wait in `steps` (if any) ended in time."""
    checks("the guest scenario finished (exit 0)", status == 0, f"exit {status}")
    checks("guest kernel has CONFIG_TCP_AO=y", result.get("tcp_ao_config") == "CONFIG_TCP_AO=y",
           f"{result.get('kernel')}: {result.get('tcp_ao_config')}")
    if not steps:
        return
    waits = result.get("waits", {})
    checks(f"guest steps in time ({', '.join(steps)})",
           set(waits) >= set(steps) and "timeout" not in waits.values(), waits)
