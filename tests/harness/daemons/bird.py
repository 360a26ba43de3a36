"""BIRD 2: config with one static protocol per family (blackhole routes) and
one `protocol bgp` per neighbor; queried with `birdc -s <socket>`.

Attributes are set in the BGP export filter, not on the static routes:
BIRD drops a MED on eBGP export unless the export filter set it.
"""

import re

from .. import model, process
from .base import ESTABLISHED, Adapter

_NET = re.compile(r"^(\S+)\s+unicast\s+\[")
_COMMUNITY = re.compile(r"\((\d+),(\d+)\)")


def _quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _route_actions(route):
    # prepend() puts an AS in front, so the path is built back to front.
    actions = [f"bgp_path.prepend({asn});" for asn in reversed(route.as_path)]
    actions += [f"bgp_community.add(({c.replace(':', ',')}));" for c in route.communities]
    if route.med is not None:
        actions.append(f"bgp_med = {route.med};")
    return actions


def render(speaker):
    out = [f"router id {speaker.router_id};", "protocol device {}",
           "filter harness_export {", "  if source != RTS_STATIC then reject;"]
    for route in speaker.routes:
        actions = _route_actions(route)
        if actions:
            out.append(f"  if net = {route.prefix} then {{ {' '.join(actions)} }}")
    out += ["  accept;", "}"]
    for family in ("ipv4", "ipv6"):
        routes = speaker.routes_of(family)
        if routes:
            out.append(f"protocol static static_{family} {{ {family};")
            out += [f"  route {r.prefix} blackhole;" for r in routes]
            out.append("}")
    for n in speaker.neighbors:
        out += [f"protocol bgp {n.ident} {{",
                f"  local {n.local_address} as {speaker.asn};",
                f"  neighbor {n.address} as {n.asn};",
                f"  hold time {model.HOLD_TIME}; keepalive time {model.HOLD_TIME // 3};",
                f"  connect retry time {model.CONNECT_RETRY}; connect delay time 1;",
                "  error wait time 1, 5;"]
        if n.password is not None:
            out.append(f"  password {_quote(n.password)};")
        out += [f"  {n.family} {{ import all; export filter harness_export; }};", "}"]
    return "\n".join(out) + "\n"


def parse_routes(text):
    """`show route all` output -> {prefix: ReceivedRoute}."""
    found, current = {}, None
    for line in text.splitlines():
        net = _NET.match(line)
        if net:
            current = found.setdefault(net.group(1), {"as_path": "", "communities": "",
                                                      "med": None, "next_hop": None})
            continue
        key, _, value = line.strip().partition(": ")
        if current is None or not key.startswith("BGP."):
            continue
        if key == "BGP.as_path":
            current["as_path"] = value
        elif key == "BGP.next_hop":
            current["next_hop"] = value.split()[0]
        elif key == "BGP.med":
            current["med"] = value
        elif key == "BGP.community":
            current["communities"] = value
    return {prefix: model.ReceivedRoute.make(
                prefix, a["next_hop"], [t for t in a["as_path"].split() if t.isdigit()],
                [f"{x}:{y}" for x, y in _COMMUNITY.findall(a["communities"])], a["med"])
            for prefix, a in found.items()}


class Bird(Adapter):
    kind = "bird"

    @property
    def socket(self):
        return self.path("bird.ctl")

    def write_config(self):
        with open(self.path("bird.conf"), "w", encoding="utf-8") as f:
            f.write(render(self.speaker))

    def commands(self):
        return [["bird", "-f", "-c", self.path("bird.conf"), "-s", self.socket]]

    def birdc(self, *args):
        return process.run(["birdc", "-s", self.socket, *args])

    def states(self):
        names = {n.ident: n.address for n in self.speaker.neighbors}
        states = {}
        for line in self.birdc("show", "protocols").splitlines():
            cols = line.split()
            if len(cols) >= 6 and cols[1] == "BGP" and cols[0] in names:
                states[names[cols[0]]] = ESTABLISHED if cols[5] == "Established" else cols[5]
        return states

    def received_routes(self, neighbor):
        return parse_routes(self.birdc("show", "route", "all", "protocol", neighbor.ident))

    def _withdraw(self, route):
        self.write_config()
        reply = self.birdc("configure")
        if "Reconfigur" not in reply:
            raise RuntimeError(f"bird did not reconfigure: {reply.strip()}")
