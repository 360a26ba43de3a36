"""ExaBGP 4.2: routes announced from its config (`static`), session states
and received updates read from the JSON events its api process
(exabgp_api.py) copies to a file, withdrawals sent as API commands through a
FIFO. ExaBGP is passive (it listens on the speaker's session addresses and
never connects): when it both connects and accepts, a collision now and
then leaves a session stuck in "connected"; when it only connects, a peer
that refuses connections while its own attempt is failing (our bgpd in
Idle) comes up only by chance. Every other daemon connects.

ExaBGP sends a configured `as-path` verbatim even on eBGP, so the
speaker's own AS is written in front of it.
"""

import errno
import ipaddress
import json
import os
import sys

from .. import model, process
from .base import ESTABLISHED, Adapter

API_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exabgp_api.py")


def _static(speaker, route):
    words = [f"route {route.prefix} next-hop self",
             "as-path [ " + " ".join(map(str, (speaker.asn, *route.as_path))) + " ]"]
    if route.communities:
        words.append("community [ " + " ".join(route.communities) + " ]")
    if route.med is not None:
        words.append(f"med {route.med}")
    return "    " + " ".join(words) + ";"


def render(speaker, fifo, events):
    out = ["process harness {",
           f"  run {sys.executable} -u {API_SCRIPT} {fifo} {events};",
           "  encoder json;", "}"]
    for n in speaker.neighbors:
        out += [f"neighbor {n.address} {{", f"  router-id {speaker.router_id};",
                f"  local-address {n.local_address};", f"  local-as {speaker.asn};",
                f"  peer-as {n.asn};", f"  hold-time {model.HOLD_TIME};", "  passive true;"]
        if n.password is not None:
            out.append(f"  md5-password {json.dumps(n.password)};")
        out += [f"  family {{ {n.family} unicast; }}",
                "  api { processes [ harness ]; neighbor-changes; receive { parsed; update; } }",
                "  static {", *(_static(speaker, r) for r in speaker.routes_of(n.family)),
                "  }", "}"]
    return "\n".join(out) + "\n"


def _nlri(entry):
    return entry["nlri"] if isinstance(entry, dict) else entry


def _events(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except FileNotFoundError:
        return
    for line in lines:
        try:
            yield json.loads(line)
        except ValueError:
            continue  # API acknowledgements ("done") and a line still being written


def _global_last(item):
    return not ipaddress.ip_address(item[0]).is_link_local


def _apply_update(rib, update):
    attrs = update.get("attribute", {})
    for entries in update.get("withdraw", {}).values():
        for entry in entries:
            rib.pop(_nlri(entry), None)
    for by_next_hop in update.get("announce", {}).values():
        # An IPv6 prefix is listed under its global and its link-local next
        # hop: the global one, applied last, is the one kept.
        for next_hop, entries in sorted(by_next_hop.items(), key=_global_last):
            for entry in entries:
                prefix = _nlri(entry)
                rib[prefix] = model.ReceivedRoute.make(
                    prefix, next_hop, [a for a in attrs.get("as-path", []) if isinstance(a, int)],
                    [f"{hi}:{lo}" for hi, lo in attrs.get("community", [])], attrs.get("med"))


class ExaBgp(Adapter):
    kind = "exabgp"

    @property
    def fifo(self):
        return self.path("commands.fifo")

    @property
    def events(self):
        return self.path("events.jsonl")

    def write_config(self):
        if not os.path.exists(self.fifo):
            os.mkfifo(self.fifo, 0o600)
        with open(self.path("exabgp.conf"), "w", encoding="utf-8") as f:
            f.write(render(self.speaker, self.fifo, self.events))

    def environment(self):
        local = sorted({n.local_address for n in self.speaker.neighbors})
        return dict(os.environ, **{"exabgp.daemon.user": "root",
                                   "exabgp.daemon.daemonize": "false",
                                   "exabgp.api.cli": "false",
                                   "exabgp.log.destination": "stdout",
                                   "exabgp.tcp.bind": " ".join(local),
                                   "exabgp.tcp.port": "179"})

    def commands(self):
        return [["exabgp", self.path("exabgp.conf")]]

    def _peer_events(self, address):
        for event in _events(self.events):
            if event.get("neighbor", {}).get("address", {}).get("peer") == address:
                yield event

    def states(self):
        if not os.path.exists(self.events):
            raise RuntimeError("exabgp api process has not started yet")
        states = {}
        for event in _events(self.events):
            if event.get("type") == "state":
                state = event["neighbor"]["state"]
                states[event["neighbor"]["address"]["peer"]] = \
                    ESTABLISHED if state == "up" else state
        return states

    def received_routes(self, neighbor):
        rib = {}
        for event in self._peer_events(neighbor.address):
            if event.get("type") == "state" and event["neighbor"]["state"] == "down":
                rib.clear()
            elif event.get("type") == "update":
                _apply_update(rib, event["neighbor"]["message"].get("update", {}))
        return rib

    def _send(self, command):
        def write():
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as err:
                if err.errno == errno.ENXIO:  # the api process is between two opens
                    return False
                raise
            try:
                os.write(fd, (command + "\n").encode())
            finally:
                os.close(fd)
            return True
        process.wait_until(write, 5.0, "the exabgp api process to read commands")

    def _withdraw(self, route):
        self._send(f"withdraw route {route.prefix} next-hop self")
