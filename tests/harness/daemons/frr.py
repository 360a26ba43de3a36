"""FRR: zebra and bgpd (no watchfrr), sockets and pid files in the run
directory, queried with `vtysh --vty_socket DIR`.

zebra is needed for IPv6: peers that send a link-local next hop besides the
global one (BIRD does) are treated as withdrawals by a bgpd that has no
interface information ("no peer interface information"), which only zebra
gives. Both run as user frr (zebra insists on a user of group frrvty), so
the node's directory belongs to frr; the kernel then clears their
parent-death signal, and a harness killed outright leaves them to
`cleanup --stale`. bgpd's -n keeps its routes out of the kernel.

`no bgp network import-check` lets `network` originate a prefix no RIB
holds; `no bgp ebgp-requires-policy` drops RFC 8212's default deny; each
originated route gets its attributes from its own route-map.
"""

import json
import os
import pwd

from .. import model, process
from .base import ESTABLISHED, Adapter

FRR_LIB = "/usr/lib/frr"


def _route_map(name, route):
    sets = []
    if route.as_path:
        sets.append("set as-path prepend " + " ".join(map(str, route.as_path)))
    if route.communities:
        sets.append("set community " + " ".join(route.communities))
    if route.med is not None:
        sets.append(f"set metric {route.med}")
    return [f"route-map {name} permit 10", *(" " + s for s in sets)] if sets else []


def render(speaker):
    # Route-maps come first: a `network` naming a route-map not defined yet
    # is only announced after FRR's route-map delay timer (5 s).
    route_maps = {}   # prefix -> route-map name, for routes with attributes
    out = ["frr defaults traditional", f"hostname {speaker.name}", "log stdout"]
    for i, route in enumerate(speaker.routes):
        lines = _route_map(f"RM-{i}", route)
        if lines:
            route_maps[route.prefix] = f"RM-{i}"
            out += lines
    out += [f"router bgp {speaker.asn}", f" bgp router-id {speaker.router_id}",
            " no bgp ebgp-requires-policy", " no bgp network import-check",
            " no bgp default ipv4-unicast"]
    for n in speaker.neighbors:
        out += [f" neighbor {n.address} remote-as {n.asn}",
                f" neighbor {n.address} update-source {n.local_address}",
                f" neighbor {n.address} timers {model.HOLD_TIME // 3} {model.HOLD_TIME}",
                f" neighbor {n.address} timers connect {model.CONNECT_RETRY}",
                f" neighbor {n.address} advertisement-interval 0"]
        if n.password is not None:
            out.append(f" neighbor {n.address} password {n.password}")
    for family in speaker.families():
        out.append(f" address-family {family} unicast")
        for route in speaker.routes_of(family):
            rmap = route_maps.get(route.prefix)
            out.append(f"  network {route.prefix}" + (f" route-map {rmap}" if rmap else ""))
        out += [f"  neighbor {n.address} activate"
                for n in speaker.neighbors if n.family == family]
        out.append(" exit-address-family")
    return "\n".join(out) + "\n"


def parse_routes(detail, peer):
    """`show bgp <afi> unicast json detail` -> {prefix: ReceivedRoute} of
    the paths learned from `peer`. Each prefix maps to a list whose first
    element describes the prefix and the others are its paths."""
    found = {}
    for prefix, entries in detail.get("routes", {}).items():
        for path in entries:
            if path.get("peer", {}).get("peerId") != peer:
                continue
            found[prefix] = model.ReceivedRoute.make(
                prefix, path["nexthops"][0]["ip"],
                [a for seg in path["aspath"]["segments"] for a in seg["list"]],
                path.get("community", {}).get("list", []), path.get("metric"))
    return found


class Frr(Adapter):
    kind = "frr"

    def write_config(self):
        with open(self.path("frr.conf"), "w", encoding="utf-8") as f:
            f.write(render(self.speaker))
        user = pwd.getpwnam("frr")
        for path in (self.dir, self.path("frr.conf")):
            os.chown(path, user.pw_uid, user.pw_gid)

    def commands(self):
        zserv = self.path("zserv.api")
        common = ["-u", "frr", "-g", "frr", "-P", "0", "--vty_socket", self.dir, "-z", zserv]
        yield [f"{FRR_LIB}/zebra", *common, "-f", "/dev/null", "-i", self.path("zebra.frr.pid")]
        # bgpd retries zebra's socket only after a delay: start it once it is there
        process.wait_until(lambda: os.path.exists(zserv), 10.0, "zebra's socket",
                           interval=0.05)
        yield [f"{FRR_LIB}/bgpd", *common, "-n", "-f", self.path("frr.conf"),
               "-i", self.path("bgpd.frr.pid")]

    def vtysh(self, *commands):
        argv = ["vtysh", "--vty_socket", self.dir]
        for command in commands:
            argv += ["-c", command]
        return process.run(argv)

    def states(self):
        summary = json.loads(self.vtysh("show bgp summary json"))
        return {address: ESTABLISHED if peer["state"] == "Established" else peer["state"]
                for family in summary.values() for address, peer in family["peers"].items()}

    def received_routes(self, neighbor):
        detail = json.loads(self.vtysh(f"show bgp {neighbor.family} unicast json detail"))
        return parse_routes(detail, neighbor.address)

    def _withdraw(self, route):
        self.vtysh("configure terminal", f"router bgp {self.speaker.asn}",
                   f"address-family {route.family} unicast", f"no network {route.prefix}")
