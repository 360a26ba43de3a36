"""GoBGP: gobgpd with a TOML config and its gRPC API on a unix socket in the
run directory (no TCP port to collide on, reachable from the root
namespace); routes are added with `gobgp global rib add` once the API
answers, since gobgpd's config file cannot originate routes. gobgpd
retries a failed connect after 5 s at the earliest, whatever connect-retry
says: against a passive peer (ExaBGP here) sessions take 5-10 s.
"""

import json

from .. import model, process
from .base import ESTABLISHED, Adapter

# gobgp's numeric session states (api.PeerState.SessionState).
_STATES = {1: "Idle", 2: "Connect", 3: "Active", 4: "OpenSent", 5: "OpenConfirm",
           6: ESTABLISHED}
_AS_PATH, _NEXT_HOP, _MED, _COMMUNITIES, _MP_REACH = 2, 3, 4, 8, 14


def _quote(text):
    return json.dumps(text)  # TOML basic strings escape like JSON strings


def render(speaker):
    out = ["[global.config]", f"  as = {speaker.asn}",
           f"  router-id = {_quote(speaker.router_id)}"]
    for n in speaker.neighbors:
        out += ["[[neighbors]]", "  [neighbors.config]",
                f"    neighbor-address = {_quote(n.address)}", f"    peer-as = {n.asn}"]
        if n.password is not None:
            out.append(f"    auth-password = {_quote(n.password)}")
        out += ["  [neighbors.timers.config]", f"    connect-retry = {model.CONNECT_RETRY}",
                f"    hold-time = {model.HOLD_TIME}",
                f"    keepalive-interval = {model.HOLD_TIME // 3}",
                "  [neighbors.transport.config]",
                f"    local-address = {_quote(n.local_address)}",
                "  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                f"      afi-safi-name = \"{n.family}-unicast\""]
    return "\n".join(out) + "\n"


def _route(prefix, attrs):
    by_type = {a["type"]: a for a in attrs}
    next_hop = (by_type.get(_NEXT_HOP) or by_type[_MP_REACH])["nexthop"]
    as_path = [asn for seg in by_type.get(_AS_PATH, {}).get("as_paths", [])
               for asn in seg.get("asns", [])]
    communities = [model.community_text(c)
                   for c in by_type.get(_COMMUNITIES, {}).get("communities", [])]
    return model.ReceivedRoute.make(prefix, next_hop, as_path, communities,
                                    by_type.get(_MED, {}).get("metric"))


def parse_routes(adj_in):
    """`gobgp -j neighbor X adj-in` -> {prefix: ReceivedRoute}."""
    return {prefix: _route(prefix, paths[0]["attrs"]) for prefix, paths in adj_in.items()}


class GoBgp(Adapter):
    kind = "gobgp"

    @property
    def target(self):
        return "unix://" + self.path("gobgp.sock")

    def write_config(self):
        with open(self.path("gobgpd.toml"), "w", encoding="utf-8") as f:
            f.write(render(self.speaker))

    def commands(self):
        return [["gobgpd", "-f", self.path("gobgpd.toml"), "-t", "toml", "-p",
                "--api-hosts", self.target, "--pprof-disable"]]

    def gobgp(self, *args):
        return process.run(["gobgp", "--target", self.target, *args])

    def ready(self):
        super().ready()
        for route in self.speaker.routes:
            args = ["global", "rib", "add", "-a", route.family, route.prefix]
            if route.as_path:
                args += ["aspath", ",".join(map(str, route.as_path))]
            if route.communities:
                args += ["community", ",".join(route.communities)]
            if route.med is not None:
                args += ["med", str(route.med)]
            self.gobgp(*args)

    def states(self):
        return {p["state"]["neighbor_address"]: _STATES.get(p["state"].get("session_state"),
                                                             "Unknown")
                for p in json.loads(self.gobgp("-j", "neighbor"))}

    def received_routes(self, neighbor):
        adj_in = json.loads(self.gobgp("-j", "neighbor", neighbor.address, "adj-in",
                                       "-a", neighbor.family) or "{}")
        return parse_routes(adj_in)

    def _withdraw(self, route):
        self.gobgp("global", "rib", "del", "-a", route.family, route.prefix)
