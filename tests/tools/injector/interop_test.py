#!/usr/bin/python3
"""bgp_inject and our bgpd agree on a table (ctest interop_injector_bgpd).

Two network namespaces joined by a veth pair: bgpd (AS 65001, passive
neighbor, import accept-all, both unicast families) in one, bgp_inject
(AS 65002) in the other. bgp_stream writes a 20,000 IPv4 + 2,000 IPv6
prefix table; bgp_inject pushes that file and waits on bgpd's control
socket until it has been received. Then, with the session held open:

- bgpd's neighbor is Established with prefixes.received == accepted ==
  the generated count, and updates_in == the stream's message count;
- `show rib` lists exactly that many IPv4 and IPv6 routes, each from the
  injector, and loc_rib_size agrees;
- SIGTERM ends the injector cleanly (exit 0, JSON "ok"), and bgpd records
  the Cease / Administrative Shutdown it received.

Run from the repository root as root: /usr/bin/python3
tests/tools/injector/interop_test.py (binaries from $BGPD_BIN,
$BGP_INJECT_BIN, $BGP_STREAM_BIN; ctest sets them). Budget: 150 s
(SIGALRM), below the ctest TIMEOUT; every exit path tears down.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..")))

from tests.harness import netns, process  # noqa: E402  (path set just above)

V4, V6, SEED = 20000, 2000, 42
BGPD_ADDR, INJ_ADDR = "10.0.0.1", "10.0.0.2"
BGPD_ADDR6, INJ_ADDR6 = "fd00::1", "fd00::2"
BGPD_AS, INJ_AS = 65001, 65002
BUDGET = 150


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def binary(variable):
    path = os.environ.get(variable)
    if not path or not os.access(path, os.X_OK):
        raise Failure(f"${variable} must name the built binary (ctest sets it)")
    return path


def query(sock_path, command, args=None, timeout=20.0):
    """One request on the control socket (bgpd/api/protocol.hpp)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(json.dumps({"command": command, "args": args or {}}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    reply = json.loads(data)
    if not reply.get("ok"):
        raise Failure(f"{command}: {reply.get('error')}")
    return reply["result"]


def neighbor(sock_path):
    found = query(sock_path, "show neighbors", {"address": INJ_ADDR})
    check(len(found) == 1, f"show neighbors {INJ_ADDR}: {found!r}")
    return found[0]


def bgpd_config(sock_path):
    return {
        "global": {"asn": BGPD_AS, "router_id": BGPD_ADDR,
                   "listen": {"addresses": [BGPD_ADDR], "port": 179},
                   "control_socket": sock_path},
        "policies": {"accept-all": {"terms": [], "default": "accept"}},
        "neighbors": [{"address": INJ_ADDR, "asn": INJ_AS, "passive": True,
                       "families": ["ipv4-unicast", "ipv6-unicast"],
                       "import": ["accept-all"], "export": ["accept-all"]}],
    }


def last_json_line(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [line for line in f if line.startswith("{")]
    check(lines, f"no JSON summary in {path}")
    return json.loads(lines[-1])


def tail(path, lines=25):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def stream_file(run_dir):
    """Writes the table with bgp_stream and checks that --scan reads back
    the same summary."""
    path = os.path.join(run_dir, "table.bgp")
    tool = binary("BGP_STREAM_BIN")
    written = json.loads(process.run(
        [tool, "--out", path, "--v4", str(V4), "--v6", str(V6), "--seed", str(SEED),
         "--peer-asn", str(INJ_AS), "--next-hop-v4", INJ_ADDR, "--next-hop-v6", INJ_ADDR6],
        timeout=60))
    scanned = json.loads(process.run([tool, "--scan", path], timeout=60))
    check(written == scanned, f"bgp_stream wrote {written} but scans {scanned}")
    check(written["ipv4"] == V4 and written["ipv6"] == V6, f"stream summary {written}")
    check(written["bytes"] == os.path.getsize(path), "stream size differs from its summary")
    return path, written


def run(run_id, run_dir, started):
    ns_bgpd, ns_inj = f"{run_id}-d", f"{run_id}-i"
    netns.create(ns_bgpd)
    netns.create(ns_inj)
    netns.add_veth(ns_bgpd, "veth0", ns_inj, "veth0")
    netns.configure(ns_bgpd, "veth0", f"{BGPD_ADDR}/24", f"{BGPD_ADDR6}/64")
    netns.configure(ns_inj, "veth0", f"{INJ_ADDR}/24", f"{INJ_ADDR6}/64")

    sock = os.path.join(run_dir, "bgpd.sock")
    config = os.path.join(run_dir, "bgpd.json")
    with open(config, "w", encoding="utf-8") as f:
        json.dump(bgpd_config(sock), f, indent=2)
    bgpd_log = os.path.join(run_dir, "bgpd.log")
    bgpd = process.Daemon(ns_bgpd, [binary("BGPD_BIN"), "--config", config],
                          os.path.join(run_dir, "bgpd.pid"), bgpd_log)
    started.append(bgpd)

    def answers():
        check(bgpd.alive(), f"bgpd exited:\n{tail(bgpd_log)}")
        try:
            return neighbor(sock)
        except (OSError, ValueError, Failure):
            return None
    process.wait_until(answers, 15, "bgpd's control socket")

    path, summary = stream_file(run_dir)
    total = V4 + V6
    inj_log = os.path.join(run_dir, "bgp_inject.log")
    injector = process.Daemon(ns_inj, [
        binary("BGP_INJECT_BIN"), "--peer", BGPD_ADDR, "--local-address", INJ_ADDR,
        "--asn", str(INJ_AS), "--peer-as", str(BGPD_AS), "--hold", "30",
        "--stream", path, "--control-socket", sock, "--expect", str(total),
        "--converge-timeout", "90", "--hold-open", "120", "--log-level", "info"],
        os.path.join(run_dir, "bgp_inject.pid"), inj_log)
    started.append(injector)

    def received_all():
        check(injector.alive(), f"bgp_inject exited early:\n{tail(inj_log)}")
        n = neighbor(sock)
        got = n.get("prefixes", {}).get("received", 0)
        return n if n["state"] == "Established" and got >= total else None
    n = process.wait_until(received_all, 100, f"bgpd to receive {total} prefixes", interval=0.5)

    prefixes = n["prefixes"]
    check(prefixes["received"] == total, f"received {prefixes['received']}, sent {total}")
    check(prefixes["accepted"] == total, f"accepted {prefixes['accepted']} of {total}")
    check(prefixes["rejected"] == 0, f"rejected {prefixes['rejected']}")
    check(n["updates_in"] == summary["messages"],
          f"bgpd counted {n['updates_in']} UPDATEs, the stream has {summary['messages']}")
    for family, expected in (("ipv4", V4), ("ipv6", V6)):
        rib = query(sock, "show rib", {"family": family}, timeout=60)
        routes = rib["routes"]
        check(len(routes) == expected, f"show rib {family}: {len(routes)} routes, sent {expected}")
        foreign = [r["prefix"] for r in routes
                   if [p["source"] for p in r["paths"]] != [INJ_ADDR]]
        check(not foreign, f"show rib {family}: routes not (only) from {INJ_ADDR}: {foreign[:5]}")
        check(rib["loc_rib_size"] == total, f"loc_rib_size {rib['loc_rib_size']} != {total}")

    os.kill(injector.pid, signal.SIGTERM)
    check(injector.proc.wait(15) == 0, f"bgp_inject exit {injector.proc.returncode}:\n"
                                      f"{tail(inj_log)}")
    report = last_json_line(inj_log)
    check(report["ok"], f"bgp_inject: {report}")
    check(report["prefixes"] == total and report["messages"] == summary["messages"]
          and report["bytes"] == summary["bytes"], f"bgp_inject pushed {report}")
    check(report["peer"]["received"] >= total, f"bgp_inject saw {report['peer']}")
    for key in ("established_ms", "push_ms", "converge_ms"):
        check(isinstance(report[key], (int, float)) and report[key] >= 0, f"{key}: {report}")

    def ceased():
        n = neighbor(sock)
        return n if n["state"] != "Established" and "last_error" in n else None
    n = process.wait_until(ceased, 15, "bgpd to see the Cease")
    error = n["last_error"]
    check((error["direction"], error["code"], error["subcode"]) == ("received", 6, 2),
          f"bgpd's last error: {error}")
    print(f"ok: {total} prefixes in {summary['messages']} messages; injector {report}")


def main():
    if os.geteuid() != 0:
        print("interop_injector_bgpd needs root (network namespaces)", file=sys.stderr)
        return 77
    def stop(signum, _frame):
        raise Failure(f"stopped by signal {signum} (budget {BUDGET}s)")
    signal.signal(signal.SIGALRM, stop)
    signal.signal(signal.SIGTERM, stop)
    signal.alarm(BUDGET)
    netns.cleanup_stale()
    run_id = netns.new_run_id()
    run_dir = netns.new_run_dir(run_id)
    started = []
    try:
        run(run_id, run_dir, started)
        return 0
    except (Failure, TimeoutError, RuntimeError, OSError, subprocess.SubprocessError) as err:
        print(f"FAIL: {err}", file=sys.stderr)
        for name in ("bgpd.log", "bgp_inject.log"):
            print(f"--- {name}\n{tail(os.path.join(run_dir, name))}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        for daemon in reversed(started):
            daemon.stop()
        for name, _pid in netns.owned():
            if name.startswith(f"{run_id}-"):
                netns.delete(name)
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
