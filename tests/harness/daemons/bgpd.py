"""Our own daemon: `bgpd --config FILE`, queried with `bgpcli --socket PATH
--json ...`. The config comes from bgpd_config.py (the one place to adjust).

Binaries: $BGPD_BIN / $BGPCLI_BIN (ctest sets them from the build), else
whatever `bgpd` / `bgpcli` PATH finds. FRR's binary is also called bgpd but
lives in /usr/lib/frr, off PATH.

CLI used (bgpd/cli): `show neighbors` -> [{"address", "state", ...}]
(or {"neighbors": [...]}); `show rib <afi>` -> {"routes": [{"prefix",
"paths": [{"source": <neighbor address>|"local", "next_hop", "as_path":
"65001 64512", "communities": ["a:b"], "med"}]}]}. A rewritten config
file is applied on SIGHUP (used to withdraw a route).
"""

import json
import os
import shutil
import signal

from .. import model, process
from . import bgpd_config
from .base import ESTABLISHED, Adapter


def _binary(variable, name):
    path = os.environ.get(variable) or shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: build it, or set {variable}")
    return path


class Bgpd(Adapter):
    kind = "bgpd"

    @property
    def socket(self):
        return self.path("bgpd.sock")

    def write_config(self):
        with open(self.path("bgpd.json"), "w", encoding="utf-8") as f:
            json.dump(bgpd_config.render(self.speaker, self.socket), f, indent=2)

    def commands(self):
        return [[_binary("BGPD_BIN", "bgpd"), "--config", self.path("bgpd.json")]]

    def bgpcli(self, *args):
        return json.loads(process.run([_binary("BGPCLI_BIN", "bgpcli"), "--socket",
                                       self.socket, "--json", *args]))

    def neighbors(self):
        """{address: the neighbor's `show neighbors` entry} (state, counters,
        transport, tls, last_error ...)."""
        reply = self.bgpcli("show", "neighbors")
        neighbors = reply["neighbors"] if isinstance(reply, dict) else reply
        return {n["address"]: n for n in neighbors}

    def states(self):
        return {address: ESTABLISHED if n["state"] == "Established" else n["state"]
                for address, n in self.neighbors().items()}

    def received_routes(self, neighbor):
        found = {}
        for route in self.bgpcli("show", "rib", neighbor.family)["routes"]:
            for path in route["paths"]:
                if path["source"] == neighbor.address:
                    found[route["prefix"]] = model.ReceivedRoute.make(
                        route["prefix"], path["next_hop"],
                        [a for a in path["as_path"].split() if a.isdigit()],
                        path["communities"], path.get("med"))
        return found

    def _withdraw(self, route):
        self.write_config()
        os.kill(self.processes[0].pid, signal.SIGHUP)
