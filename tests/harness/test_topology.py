"""Self-tests of topology validation (no root needed).

Run: /usr/bin/python3 -m unittest tests.harness.test_topology
"""

import copy
import glob
import ipaddress
import os
import tempfile
import unittest

from tests.harness import topology

VALID = {
    "name": "t",
    "topology": {
        "nodes": {
            "r1": {"kind": "linux", "image": "debian:bookworm-slim",
                   "labels": {"bgp.daemon": "bird", "bgp.asn": 65001}},
            "r2": {"kind": "linux", "image": "debian:bookworm-slim",
                   "labels": {"bgp.daemon": "frr", "bgp.asn": 65002}},
        },
        "links": [{"endpoints": ["r1:eth1", "r2:eth1"],
                   "ipv4": ["192.0.2.1/30", "192.0.2.2/30"],
                   "vars": {"md5": {"r1": "a", "r2": "b"}}},
                  {"endpoints": ["r1:eth2", "r2:eth2"], "vars": {"md5": "same"}}],
    },
}


def variant(edit):
    doc = copy.deepcopy(VALID)
    edit(doc)
    return doc


class TopologyValidation(unittest.TestCase):
    def assert_rejected(self, doc, fragment):
        with self.assertRaises(topology.TopologyError) as caught:
            topology.parse(doc)
        self.assertTrue(any(fragment in e for e in caught.exception.errors),
                        caught.exception.errors)

    def test_repository_topologies_are_valid(self):
        files = glob.glob(os.path.join(topology.REPO_ROOT, "topologies", "*.clab.yml"))
        self.assertTrue(files)
        for path in files:
            with self.subTest(path=path):
                self.assertTrue(topology.load(path).links)

    def test_valid_document_gives_the_model(self):
        topo = topology.parse(VALID)
        self.assertEqual(topo.nodes["r2"].daemon, "frr")
        self.assertEqual(topo.nodes["r1"].asn, 65001)
        first, second = topo.links
        self.assertEqual(first.a.ipv4, ipaddress.ip_interface("192.0.2.1/30"))
        self.assertEqual((first.a.md5, first.b.md5), ("a", "b"))
        self.assertEqual((second.a.md5, second.b.md5), ("same", "same"))
        # no addresses given: assigned from the link's index
        self.assertEqual(str(second.b.ipv4), "10.255.1.2/24")
        self.assertEqual(str(second.a.ipv6), "fd00:255:1::1/64")

    def test_link_with_one_endpoint_fails(self):
        doc = variant(lambda d: d["topology"]["links"][0].update(endpoints=["r1:eth1"]))
        # containerlab's schema lets it through (prefixItems is not draft-07) ...
        self.assertEqual(topology.schema_errors(doc), [])
        # ... our own check does not
        self.assert_rejected(doc, "exactly two endpoints")

    def test_endpoint_on_unknown_node_fails(self):
        doc = variant(lambda d: d["topology"]["links"][0].update(endpoints=["r1:eth1", "r9:e1"]))
        self.assert_rejected(doc, "names no node")

    def test_interface_name_longer_than_ifnamsiz_fails(self):
        doc = variant(lambda d: d["topology"]["links"][0].update(
            endpoints=["r1:eth1", "r2:a-very-long-ifname"]))
        self.assert_rejected(doc, "at most 15 characters")

    def test_schema_violation_fails(self):
        doc = variant(lambda d: d["topology"]["nodes"]["r1"].update(kind="no-such-kind"))
        self.assert_rejected(doc, "topology/nodes/r1")
        self.assert_rejected(variant(lambda d: d.pop("name")), "'name' is a required property")

    def test_unicode_class_patterns_use_the_regex_module(self):
        # mgmt-ipv4's pattern has %[\p{N}\p{L}]+, which `re` cannot compile
        def mgmt(value):
            return variant(lambda d: d["topology"]["nodes"]["r1"].update({"mgmt-ipv4": value}))
        self.assertEqual(topology.schema_errors(mgmt("172.20.20.2%eth0")), [])
        self.assertEqual(topology.schema_errors(mgmt("172.20.20.2%é1")), [])
        self.assertTrue(topology.schema_errors(mgmt("172.20.20.2%-")))

    def test_unreadable_file_fails_with_a_topology_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".clab.yml") as f:
            f.write("name: [unclosed\n")
            f.flush()
            with self.assertRaises(topology.TopologyError):
                topology.load(f.name)
        with self.assertRaises(topology.TopologyError):
            topology.load("/nonexistent.clab.yml")
        self.assert_rejected(["not", "a", "mapping"], "is not of type 'object'")

    def test_daemon_without_asn_fails(self):
        doc = variant(lambda d: d["topology"]["nodes"]["r1"]["labels"].pop("bgp.asn"))
        self.assert_rejected(doc, "bgp.daemon needs bgp.asn")
        doc = variant(lambda d: d["topology"]["nodes"]["r1"]["labels"].update({"bgp.asn": "x"}))
        self.assert_rejected(doc, "is not an AS number")

    def test_address_list_needs_one_prefix_per_endpoint(self):
        doc = variant(lambda d: d["topology"]["links"][0].update(ipv4=["192.0.2.1/30"]))
        self.assert_rejected(doc, "one prefix per endpoint")


if __name__ == "__main__":
    unittest.main()
