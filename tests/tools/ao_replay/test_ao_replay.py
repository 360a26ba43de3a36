"""ao_replay's self-test (ctest ao_replay_selftest).

ao_replay_fixture writes captures of two user-space engines repaired just
below the 2^32 sequence wrap; ao_replay must verify every segment in every
framing and report SNE 1 after the wrap (exit 0), and must fail on a
tampered frame, a wrong SNE or ISN and an endpoint without packets (exit 1)
and on bad input (exit 2, naming the file and JSON pointer, never a secret).
Needs the binaries in AO_REPLAY_BIN and AO_REPLAY_FIXTURE_BIN.
"""
import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest

REPLAY = os.environ.get("AO_REPLAY_BIN", "")
FIXTURE = os.environ.get("AO_REPLAY_FIXTURE_BIN", "")
SECRETS = ("replay-a2b-secret", "replay-b2a-secret",
           "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100")
PCAP_HEADER_LEN = 24
RECORD_HEADER_LEN = 16


def pcap_records(data: bytes):
    """(offset, length) of each record's bytes in a little-endian pcap."""
    offset = PCAP_HEADER_LEN
    while offset < len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        yield offset + RECORD_HEADER_LEN, caplen
        offset += RECORD_HEADER_LEN + caplen


class AoReplay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (os.access(REPLAY, os.X_OK) and os.access(FIXTURE, os.X_OK)):
            raise RuntimeError("set AO_REPLAY_BIN and AO_REPLAY_FIXTURE_BIN (ctest does)")
        cls.dir = tempfile.mkdtemp(prefix="ao_replay_test.")
        subprocess.run([FIXTURE, cls.dir], check=True, timeout=30)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run_replay(self, capture, keys, repair, json_output=True):
        args = [REPLAY, self.path(capture), "--keys", self.path(keys),
                "--repair", self.path(repair)] + (["--json"] if json_output else [])
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        for secret in SECRETS:
            self.assertNotIn(secret, done.stdout + done.stderr)
        report = json.loads(done.stdout) if json_output and done.returncode != 2 else None
        return done, report

    def write(self, name, content):
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(self.path(name), mode) as f:
            f.write(content if mode == "wb" else json.dumps(content))

    def load(self, name):
        with open(self.path(name)) as f:
            return json.load(f)

    # --- verified captures -------------------------------------------------

    def assert_all_verified(self, capture, prefix):
        done, report = self.run_replay(capture, prefix + "_keys.json", prefix + "_repair.json")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertTrue(report["ok"])
        self.assertEqual(len(report["endpoints"]), 2)
        for endpoint in report["endpoints"]:
            self.assertEqual(endpoint["total"], 8)
            self.assertEqual(endpoint["verified"], 8)
            self.assertEqual((endpoint["min_sne"], endpoint["max_sne"]), (0, 1))
            self.assertEqual(endpoint["final_receive_sne"], 1)
            self.assertEqual(endpoint["failures"], [])

    def test_raw_ipv4(self):
        self.assert_all_verified("v4_raw.pcap", "v4")

    def test_linux_cooked(self):
        self.assert_all_verified("v4_sll.pcap", "v4")

    def test_ethernet_vlan_ipv6_cmac(self):
        self.assert_all_verified("v6_en10mb.pcap", "v6")

    def test_pcapng(self):
        editcap = shutil.which("editcap")
        if editcap is None:
            self.skipTest("editcap (wireshark-common) not installed: pcapng not converted")
        subprocess.run([editcap, "-F", "pcapng", self.path("v4_raw.pcap"),
                        self.path("v4.pcapng")], check=True, timeout=30)
        self.assert_all_verified("v4.pcapng", "v4")

    def test_text_report(self):
        done, _ = self.run_replay("v4_raw.pcap", "v4_keys.json", "v4_repair.json", False)
        self.assertEqual(done.returncode, 0)
        self.assertIn("127.0.0.1:40010 <- 127.0.0.2:40011: verified 8/8", done.stdout)
        self.assertIn("final receive SNE 1", done.stdout)
        self.assertIn("ao_replay: OK", done.stdout)

    # --- failures (exit 1) -------------------------------------------------

    def test_tampered_frame_is_reported(self):
        with open(self.path("v4_raw.pcap"), "rb") as f:
            data = bytearray(f.read())
        records = list(pcap_records(bytes(data)))
        self.assertEqual(len(records), 17)
        offset, length = records[9]  # frame 10: A -> B at sequence number 0
        data[offset + length - 1] ^= 0x01  # last payload byte
        self.write("tampered.pcap", bytes(data))
        done, report = self.run_replay("tampered.pcap", "v4_keys.json", "v4_repair.json")
        self.assertEqual(done.returncode, 1)
        self.assertFalse(report["ok"])
        b_side = report["endpoints"][0]
        self.assertEqual((b_side["verified"], b_side["total"]), (7, 8))
        self.assertEqual(len(b_side["failures"]), 1)
        self.assertEqual(b_side["failures"][0]["frame"], 10)
        self.assertEqual(b_side["failures"][0]["seq"], 0)
        self.assertEqual(b_side["failures"][0]["sne"], 1)
        self.assertEqual(b_side["failures"][0]["reason"], "bad MAC")
        self.assertEqual(report["endpoints"][1]["verified"], 8)

    def replay_with_changed_repair(self, field, value):
        repair = self.load("v4_repair.json")
        repair["endpoints"][0][field] = value
        self.write("changed_repair.json", repair)
        return self.run_replay("v4_raw.pcap", "v4_keys.json", "changed_repair.json")

    def test_wrong_receive_sne_fails(self):
        done, report = self.replay_with_changed_repair("rcv_sne", 1)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(report["endpoints"][0]["verified"], 0)
        self.assertEqual(report["endpoints"][0]["failures"][0]["reason"], "bad MAC")
        self.assertEqual(report["endpoints"][1]["verified"], 8)

    def test_wrong_isn_fails(self):
        isn = self.load("v4_repair.json")["endpoints"][0]["rcv_isn"]
        done, report = self.replay_with_changed_repair("rcv_isn", (isn + 1) % 2**32)
        self.assertEqual(done.returncode, 1)
        self.assertEqual(report["endpoints"][0]["verified"], 0)

    def test_endpoint_without_packets_fails(self):
        repair = self.load("v4_repair.json")
        repair["endpoints"].append(dict(repair["endpoints"][0], local_port=1))
        self.write("extra_repair.json", repair)
        done, report = self.run_replay("v4_raw.pcap", "v4_keys.json", "extra_repair.json")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(report["endpoints"][2]["total"], 0)
        self.assertEqual(report["endpoints"][0]["verified"], 8)

    def test_wrong_key_fails(self):
        keys = self.load("v4_keys.json")
        keys["keys"][0]["secret"] = "another-secret"
        self.write("wrong_keys.json", keys)
        done, report = self.run_replay("v4_raw.pcap", "wrong_keys.json", "v4_repair.json")
        self.assertEqual(done.returncode, 1)
        self.assertEqual(report["endpoints"][0]["verified"], 0)
        self.assertEqual(report["endpoints"][1]["verified"], 8)

    # --- bad input (exit 2) ------------------------------------------------

    def assert_bad_input(self, capture, keys, repair, *expected):
        done, _ = self.run_replay(capture, keys, repair)
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        for text in expected:
            self.assertIn(text, done.stderr)

    def test_unknown_algorithm(self):
        keys = self.load("v4_keys.json")
        keys["keys"][1]["algorithm"] = "hmac-md5"
        self.write("bad_keys.json", keys)
        self.assert_bad_input("v4_raw.pcap", "bad_keys.json", "v4_repair.json",
                              "bad_keys.json", "/keys/1/algorithm")

    def test_broken_json_does_not_quote_the_file(self):
        self.write("broken.json", '{"keys": [{"secret": "replay-a2b-secret" oops')
        self.assert_bad_input("v4_raw.pcap", "broken.json", "v4_repair.json", "broken.json")

    def test_missing_repair_field(self):
        repair = self.load("v4_repair.json")
        del repair["endpoints"][1]["rcv_nxt"]
        self.write("short_repair.json", repair)
        self.assert_bad_input("v4_raw.pcap", "v4_keys.json", "short_repair.json",
                              "/endpoints/1/rcv_nxt: missing")

    def test_isn_out_of_range(self):
        repair = self.load("v4_repair.json")
        repair["endpoints"][0]["snt_isn"] = 2**32
        self.write("range_repair.json", repair)
        self.assert_bad_input("v4_raw.pcap", "v4_keys.json", "range_repair.json",
                              "/endpoints/0/snt_isn")

    def test_unreadable_capture(self):
        self.assert_bad_input("missing.pcap", "v4_keys.json", "v4_repair.json", "missing.pcap")

    def test_unsupported_link_type(self):
        # A pcap header with LINKTYPE_USER0 (147) and no records.
        self.write("user0.pcap", struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
        self.assert_bad_input("user0.pcap", "v4_keys.json", "v4_repair.json",
                              "unsupported link type")

    def test_usage(self):
        done = subprocess.run([REPLAY, self.path("v4_raw.pcap")], capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("usage:", done.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
