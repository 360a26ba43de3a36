"""Malformed input from a peer never crashes bgpd and never touches other
sessions (RFC 4271 section 6, RFC 7606).

Three namespaces: `dut` runs bgpd; `raw` hosts one raw peer per case, each
from its own address (so each case meets a fresh FSM, not the IdleHold
backoff of the previous one); `good` hosts a well-behaved peer that keeps
its session for the whole run. Each case must get exactly its expected
NOTIFICATION, or treat-as-withdraw with the session kept; at the end the
good session must never have flapped and bgpd must still run.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.malformed.run
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

from tests.harness import netns, process
from tests.interop.malformed.cases import CASES, PEER_ASN

BUDGET = 90
DUT_RAW, DUT_GOOD = "10.99.1.1", "10.99.2.1"
GOOD_ADDRESS, GOOD_ASN = "10.99.2.2", 65020


def raw_address(index):
    return f"10.99.1.{10 + index}"


def bgpd_config(control):
    neighbors = [{"address": raw_address(i), "asn": PEER_ASN, "passive": True,
                  "import": ["all"], "export": ["all"], "hold_time": "9s"}
                 for i in range(len(CASES))]
    neighbors.append({"address": GOOD_ADDRESS, "asn": GOOD_ASN, "passive": True,
                      "import": ["all"], "export": ["all"], "hold_time": "9s"})
    return {"global": {"asn": 65000, "router_id": "10.99.0.1", "control_socket": control,
                       "listen": {"addresses": ["0.0.0.0"], "port": 179}},
            "neighbors": neighbors,
            "policies": {"all": {"terms": [], "default": "accept"}}}


def control(path, command, args=None):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall((json.dumps({"command": command, "args": args or {}}) + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            reply += s.recv(65536)
    return json.loads(reply)["result"]


def peer_argv(ns, *args):
    return process.in_netns(ns, [sys.executable, "-m", "tests.interop.malformed.raw_peer", *args])


def check(name, case, result):
    expect = case["expect"]
    if expect == "withdraw":
        ok = (not result["closed"] and result["present_before"] is True
              and result["present_after"] is False)
    else:
        ok = result["notification"] == expect
    print(f"{'ok  ' if ok else 'FAIL'} {name}: expected {expect}, got {result}", flush=True)
    return ok


def main():
    netns.cleanup_stale()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("budget")))
    signal.alarm(BUDGET)
    run_id = netns.new_run_id()
    run_dir = netns.new_run_dir(run_id)
    names = {role: f"{run_id}-{role}" for role in ("dut", "raw", "good")}
    good = bgpd = None
    try:
        for name in names.values():
            netns.create(name)
        netns.add_veth(names["dut"], "eth1", names["raw"], "eth1")
        netns.add_veth(names["dut"], "eth2", names["good"], "eth1")
        netns.configure(names["dut"], "eth1", f"{DUT_RAW}/24", "fd99:1::1/64")
        netns.configure(names["dut"], "eth2", f"{DUT_GOOD}/24", "fd99:2::1/64")
        netns.configure(names["raw"], "eth1", "10.99.1.2/24", "fd99:1::2/64")
        for i in range(len(CASES)):
            process.run(["ip", "addr", "add", f"{raw_address(i)}/24", "dev", "eth1"],
                        netns=names["raw"])
        netns.configure(names["good"], "eth1", f"{GOOD_ADDRESS}/24", "fd99:2::2/64")

        control_path = os.path.join(run_dir, "bgpd.sock")
        config_path = os.path.join(run_dir, "bgpd.json")
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(bgpd_config(control_path), f)
        bgpd = process.Daemon(names["dut"], [os.environ.get("BGPD_BIN", "bgpd"), "--config",
                                             config_path],
                              os.path.join(run_dir, "bgpd.pid"), os.path.join(run_dir, "bgpd.log"))
        process.wait_until(lambda: os.path.exists(control_path), 10, "bgpd control socket")

        os.environ["BGPD_CONTROL"] = control_path  # read by the raw peers
        good = subprocess.Popen(peer_argv(names["good"], "keepalive", DUT_GOOD, GOOD_ADDRESS,
                                          str(GOOD_ASN), GOOD_ADDRESS, str(BUDGET)),
                                stdout=subprocess.PIPE, text=True)

        def good_state():
            return next(n for n in control(control_path, "show neighbors")
                        if n["address"] == GOOD_ADDRESS)

        process.wait_until(lambda: good_state()["state"] == "Established", 15, "good session")

        failures = []
        for i, (name, case) in enumerate(CASES.items()):
            out = process.run(peer_argv(names["raw"], name, DUT_RAW, raw_address(i), str(PEER_ASN),
                                        raw_address(i)), timeout=20)
            if not check(name, case, json.loads(out.strip().splitlines()[-1])):
                failures.append(name)

        state = good_state()
        print(f"good session: {state['state']}, established {state['established_transitions']} time(s)")
        if state["state"] != "Established" or state["established_transitions"] != 1:
            failures.append("good session disturbed")
        if not bgpd.alive():
            failures.append("bgpd died")
        print(f"{len(CASES) - len([f for f in failures if f in CASES])} passed, "
              f"{len(failures)} failed")
        return 1 if failures else 0
    finally:
        if good:
            good.kill()
            good.wait()
        if bgpd:
            bgpd.stop()
        for name in names.values():
            netns.delete(name)
        if os.environ.get("KEEP_RUN_DIR") is None:
            subprocess.run(["rm", "-rf", run_dir], check=False)


if __name__ == "__main__":
    sys.exit(main())
