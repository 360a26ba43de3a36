"""Self-tests of the adapters' pure parts: output parsers on recorded
outputs of the Debian 12 daemons, and config rendering (no root needed).

Run: /usr/bin/python3 -m unittest tests.harness.test_daemons
"""

import json
import os
import tempfile
import unittest

from tests.harness.daemons import bgpd_config, bird, exabgp, frr, gobgp
from tests.harness.model import Neighbor, ReceivedRoute, Route, Speaker

EXPECTED_V4 = ReceivedRoute("10.2.0.0/24", "10.0.0.2", (65002, 64513), ("65002:100", "65002:200"),
                            70)

BIRD_SHOW_ROUTE = """BIRD 2.0.12 ready.
Table master4:
10.2.0.0/24          unicast [n1 19:30:45.860] * (100) [AS64513i]
\tvia 10.0.0.2 on eth1
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65002 64513
\tBGP.next_hop: 10.0.0.2
\tBGP.med: 70
\tBGP.local_pref: 100
\tBGP.community: (65002,200) (65002,100)
"""

FRR_DETAIL = {"routes": {"10.2.0.0/24": [
    {"prefix": "10.2.0.0/24", "advertisedTo": {}},
    {"aspath": {"segments": [{"type": "as-sequence", "list": [65002, 64513]}]},
     "metric": 70, "community": {"list": ["65002:100", "65002:200"]},
     "nexthops": [{"ip": "10.0.0.2", "afi": "ipv4"}], "peer": {"peerId": "10.0.0.2"}},
    {"aspath": {"segments": []}, "nexthops": [{"ip": "0.0.0.0"}], "peer": {"peerId": "0.0.0.0"}},
]}}

GOBGP_ADJ_IN = {"10.2.0.0/24": [{"nlri": {"prefix": "10.2.0.0/24"}, "attrs": [
    {"type": 1, "value": 0},
    {"type": 2, "as_paths": [{"segment_type": 2, "num": 2, "asns": [65002, 64513]}]},
    {"type": 3, "nexthop": "10.0.0.2"}, {"type": 4, "metric": 70},
    {"type": 8, "communities": [(65002 << 16) + 100, (65002 << 16) + 200]}]}]}

EXABGP_EVENTS = [
    {"type": "state", "neighbor": {"address": {"local": "10.0.0.1", "peer": "10.0.0.2"},
                                   "state": "up"}},
    {"type": "update", "neighbor": {"address": {"peer": "10.0.0.2"}, "message": {"update": {
        "attribute": {"as-path": [65002, 64513], "med": 70,
                      "community": [[65002, 200], [65002, 100]]},
        "announce": {"ipv4 unicast": {"10.0.0.2": [{"nlri": "10.2.0.0/24"},
                                                   {"nlri": "10.9.0.0/24"}]}}}}}},
    {"type": "update", "neighbor": {"address": {"peer": "10.0.0.2"}, "message": {"update": {
        "withdraw": {"ipv4 unicast": [{"nlri": "10.9.0.0/24"}]}}}}},
]

SPEAKER = Speaker("r1", 65001, "192.0.2.1",
                  [Neighbor("10.0.0.2", "10.0.0.1", 65002, "pw"),
                   Neighbor("fd00::2", "fd00::1", 65002)],
                  [Route("10.1.0.0/24", (64512, 64513), ("65001:100",), 50),
                   Route("fd01::/48")])


class Parsers(unittest.TestCase):
    def test_bird(self):
        self.assertEqual(bird.parse_routes(BIRD_SHOW_ROUTE), {"10.2.0.0/24": EXPECTED_V4})

    def test_frr_keeps_only_the_neighbors_paths(self):
        self.assertEqual(frr.parse_routes(FRR_DETAIL, "10.0.0.2"), {"10.2.0.0/24": EXPECTED_V4})
        self.assertEqual(frr.parse_routes(FRR_DETAIL, "10.0.0.9"), {})

    def test_gobgp(self):
        self.assertEqual(gobgp.parse_routes(GOBGP_ADJ_IN), {"10.2.0.0/24": EXPECTED_V4})

    def test_exabgp_replays_announcements_and_withdrawals(self):
        with tempfile.TemporaryDirectory() as tmp:
            adapter = exabgp.ExaBgp(SPEAKER, None, tmp)
            with open(adapter.events, "w", encoding="utf-8") as f:
                f.write("".join(json.dumps(e) + "\n" for e in EXABGP_EVENTS) + "done\n")
            self.assertEqual(adapter.states(), {"10.0.0.2": "Established"})
            self.assertEqual(adapter.received_routes(SPEAKER.neighbors[0]),
                             {"10.2.0.0/24": EXPECTED_V4})


class Rendering(unittest.TestCase):
    def test_bird_sets_attributes_in_the_export_filter(self):
        text = bird.render(SPEAKER)
        self.assertIn("bgp_path.prepend(64513); bgp_path.prepend(64512);", text)
        self.assertIn("bgp_med = 50;", text)
        self.assertIn('password "pw";', text)
        self.assertEqual(text.count("password"), 1)

    def test_frr_defines_route_maps_before_use(self):
        text = frr.render(SPEAKER)
        self.assertLess(text.index("route-map RM-0 permit 10"),
                        text.index("network 10.1.0.0/24 route-map RM-0"))
        self.assertIn("network fd01::/48\n", text)
        self.assertIn("neighbor 10.0.0.2 password pw", text)

    def test_gobgp_one_family_per_neighbor(self):
        text = gobgp.render(SPEAKER)
        self.assertIn('afi-safi-name = "ipv4-unicast"', text)
        self.assertIn('afi-safi-name = "ipv6-unicast"', text)
        self.assertEqual(text.count("auth-password"), 1)

    def test_exabgp_writes_the_own_as_in_front(self):
        text = exabgp.render(SPEAKER, "/f", "/e")
        self.assertIn("as-path [ 65001 64512 64513 ]", text)
        self.assertIn('md5-password "pw";', text)

    def test_bgpd_config(self):
        speaker = Speaker("r1", 65001, "192.0.2.1", SPEAKER.neighbors,
                          [Route("10.1.0.0/24", (64512, 64512)), Route("fd01::/48")])
        config = bgpd_config.render(speaker, os.path.join("run", "bgpd.sock"))
        self.assertEqual(config["global"]["asn"], 65001)
        first, second = config["neighbors"]
        self.assertEqual((first["families"], first["md5"]), (["ipv4-unicast"], "pw"))
        self.assertEqual(second["families"], ["ipv6-unicast"])
        self.assertNotIn("md5", second)
        self.assertEqual(first["tls"]["mode"], "off")
        for name in first["import"] + first["export"]:
            self.assertIn(name, config["policies"])
        self.assertEqual([n["prefix"] for n in config["networks"]], ["10.1.0.0/24", "fd01::/48"])

    def test_bgpd_config_prepends_by_export_policy(self):
        speaker = Speaker("r1", 65001, "192.0.2.1", [],
                          [Route("10.1.0.0/24", (64512, 64512)), Route("10.2.0.0/24")])
        config = bgpd_config.render(speaker, "s")
        (term,) = config["policies"][bgpd_config.EXPORT]["terms"]
        self.assertEqual(term["set"], {"prepend_asn": 64512, "prepend_count": 2})
        self.assertEqual(config["prefix_lists"][term["match"]["prefix_list"]][0]["prefix"],
                         "10.1.0.0/24")
        with self.assertRaises(ValueError):
            bgpd_config.render(SPEAKER, "s")  # 64512 64513: two different ASes

if __name__ == "__main__":
    unittest.main()
