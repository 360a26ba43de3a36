"""A raw BGP peer: brings a session up by hand, then sends one crafted
message and reports what came back, as one JSON line on stdout.

  raw_peer.py CASE DUT_ADDRESS SOURCE LOCAL_ASN ROUTER_ID
  raw_peer.py keepalive DUT_ADDRESS SOURCE LOCAL_ASN ROUTER_ID SECONDS

Run inside the peer's network namespace (ip netns exec). For the
treat-as-withdraw cases it reads the daemon's RIB through the control
socket named by $BGPD_CONTROL (a file-system Unix socket, reachable from
any network namespace).
"""

import json
import os
import socket
import sys
import time

from tests.interop.malformed import bgp_bytes as b
from tests.interop.malformed.cases import CASES


def connect(address, source, asn, router_id, open_message=None):
    sock = socket.create_connection((address, 179), timeout=10, source_address=(source, 0))
    sock.sendall(open_message or b.open_msg(asn, router_id))
    return sock


def establish(sock):
    """OPEN received, KEEPALIVE exchanged: the session is Established."""
    reply = b.read_message(sock)
    if not reply or reply[0] != b.OPEN:
        raise RuntimeError(f"expected OPEN, got {reply}")
    sock.sendall(b.keepalive())
    while True:
        reply = b.read_message(sock)
        if reply is None or reply[0] == b.NOTIFICATION:
            raise RuntimeError(f"session refused: {reply}")
        if reply[0] == b.KEEPALIVE:
            return


KEEPALIVE_INTERVAL = 3.0  # a third of the 9 s hold time we announce (RFC 4271 10)


def outcome(sock, wait):
    """The NOTIFICATION received within `wait` seconds, or None if the
    session stayed up. Sends its own KEEPALIVE every KEEPALIVE_INTERVAL, as
    a real speaker does, whatever the daemon sends."""
    deadline = time.monotonic() + wait
    next_keepalive = time.monotonic() + KEEPALIVE_INTERVAL
    while True:
        now = time.monotonic()
        if now >= deadline:
            return {"closed": False, "notification": None}
        if now >= next_keepalive:
            sock.sendall(b.keepalive())
            next_keepalive = now + KEEPALIVE_INTERVAL
        sock.settimeout(max(0.05, min(deadline, next_keepalive) - now))
        try:
            reply = b.read_message(sock)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return {"closed": True, "notification": None}
        if reply is None:
            return {"closed": True, "notification": None}
        if reply[0] == b.NOTIFICATION:
            return {"closed": True, "notification": [reply[1][0], reply[1][1]]}


def route_present(prefix, source):
    """Does the daemon hold a path for `prefix` learned from `source`?"""
    with socket.socket(socket.AF_UNIX) as control:
        control.connect(os.environ["BGPD_CONTROL"])
        control.sendall((json.dumps({"command": "show rib", "args": {"prefix": prefix}}) + "\n")
                        .encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = control.recv(65536)
            if not chunk:
                break
            reply += chunk
    routes = json.loads(reply)["result"]["routes"]
    return any(p["source"] == source for r in routes for p in r["paths"])


def run_case(name, address, source, asn, router_id):
    case = CASES[name]
    sock = connect(address, source, asn, router_id, case.get("open"))
    if case.get("open") is None:
        establish(sock)
        if case.get("before"):
            sock.sendall(case["before"])
            time.sleep(0.5)
    else:
        # A bad OPEN: the answer comes before any KEEPALIVE.
        b.read_message(sock)
    present_before = route_present(case["prefix"], source) if "prefix" in case else None
    sock.sendall(case["send"])
    result = outcome(sock, case.get("wait", 2.0))
    if "prefix" in case:
        result["present_before"] = present_before
        result["present_after"] = route_present(case["prefix"], source)
    sock.close()
    return result


def keep_alive(address, source, asn, router_id, seconds):
    sock = connect(address, source, asn, router_id)
    establish(sock)
    sock.sendall(b.route(asn, "10.99.2.2", "10.77.0.0/24"))
    result = outcome(sock, seconds)
    sock.close()
    return result


def main():
    name, address, source = sys.argv[1], sys.argv[2], sys.argv[3]
    asn, router_id = int(sys.argv[4]), sys.argv[5]
    if name == "keepalive":
        result = keep_alive(address, source, asn, router_id, float(sys.argv[6]))
    else:
        result = run_case(name, address, source, asn, router_id)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
