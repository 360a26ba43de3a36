"""Checks of what the `tls` label tests stand on, without namespaces:
scripts/lab-certs (the certificates are what the profile asks for, errors
are clear) and the rendering of TLS settings into bgpd's JSON config.

Run: /usr/bin/python3 -m unittest tests.interop.tls.test_harness
"""

import datetime
import os
import stat
import subprocess
import tempfile
import unittest

from tests.harness.daemons import bgpd_config
from tests.harness.model import Neighbor, NeighborAo, NeighborTls, Speaker, TlsFiles
from tests.interop.tls.common import LAB_CERTS


def lab_certs(*args):
    return subprocess.run([LAB_CERTS, *args], capture_output=True, text=True, timeout=30,
                          check=False)


def openssl(*args):
    proc = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=30,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


class LabCerts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory()
        cls.dir = cls._tmp.name
        for args in (["ca", cls.dir], ["ca", os.path.join(cls.dir, "other"), "--name", "Other"],
                     ["router", cls.dir, "r1", "--ca", os.path.join(cls.dir, "ca"),
                      "--ip", "10.0.0.1", "--ip", "fd00::1", "--dns", "r1.lab"],
                     ["router", cls.dir, "old", "--ca", cls.dir, "--ip", "10.0.0.3",
                      "--expired"]):
            proc = lab_certs(*args)
            if proc.returncode != 0:
                raise RuntimeError(f"lab-certs {args}: {proc.stderr}")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def text(self, name):
        code, out = openssl("x509", "-in", self.path(name), "-noout", "-text")
        self.assertEqual(code, 0, out)
        return out

    def test_ca_is_a_ca(self):
        text = self.text("ca.pem")
        self.assertIn("CA:TRUE", text)
        self.assertIn("Certificate Sign", text)
        self.assertIn("ecdsa-with-SHA256", text)

    def test_router_certificate(self):
        text = self.text("r1.pem")
        self.assertIn("IP Address:10.0.0.1", text)
        self.assertIn("IP Address:FD00:0:0:0:0:0:0:1", text)
        self.assertIn("DNS:r1.lab", text)
        self.assertIn("TLS Web Server Authentication, TLS Web Client Authentication", text)
        self.assertIn("CA:FALSE", text)
        self.assertIn("NIST CURVE: P-256", text)
        self.assertIn("Subject: CN = r1", text)

    def test_chains_to_its_ca_only(self):
        code, out = openssl("verify", "-CAfile", self.path("ca.pem"), self.path("r1.pem"))
        self.assertEqual(code, 0, out)
        code, out = openssl("verify", "-CAfile", self.path("other/ca.pem"), self.path("r1.pem"))
        self.assertNotEqual(code, 0, out)

    def test_ip_check_passes_only_for_its_addresses(self):
        for ip, ok in (("10.0.0.1", True), ("fd00::1", True), ("10.0.0.2", False)):
            code, out = openssl("verify", "-CAfile", self.path("ca.pem"), "-verify_ip", ip,
                                self.path("r1.pem"))
            self.assertEqual(code == 0, ok, f"{ip}: {out}")

    def test_expired(self):
        code, out = openssl("x509", "-in", self.path("old.pem"), "-noout", "-enddate",
                            "-dateopt", "iso_8601")
        self.assertEqual(code, 0, out)
        end = datetime.datetime.fromisoformat(out.split("=", 1)[1].strip().replace("Z", "+00:00"))
        self.assertLess(end, datetime.datetime.now(datetime.timezone.utc))
        code, out = openssl("verify", "-CAfile", self.path("ca.pem"), self.path("old.pem"))
        self.assertNotEqual(code, 0)
        self.assertIn("expired", out)

    def test_keys_private_to_their_owner(self):
        for key in ("ca.key", "r1.key", "old.key", "other/ca.key"):
            self.assertEqual(stat.S_IMODE(os.stat(self.path(key)).st_mode), 0o600, key)

    def test_refuses_to_overwrite_without_force(self):
        proc = lab_certs("ca", self.dir)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("--force", proc.stderr)

    def test_errors_name_the_problem(self):
        ca = os.path.join(self.dir, "ca")
        cases = [(["router", self.dir, "x", "--ca", ca], "--ip"),
                 (["router", self.dir, "x", "--ca", ca, "--ip", "not-an-ip"], "not-an-ip"),
                 (["router", self.dir, "x", "--ca", ca, "--ip", "1.2"], "bad ip address"),
                 (["router", self.dir, "x", "--ip", "10.0.0.9"], "--ca"),
                 (["router", self.dir, "x", "--ca", self.path("none"), "--ip", "10.0.0.9"],
                  "no CA certificate"),
                 (["router", self.dir, "x", "--ca", ca, "--ip", "10.0.0.9", "--days", "-1"],
                  "--days"),
                 (["frobnicate"], "unknown command")]
        for args, message in cases:
            proc = lab_certs(*args)
            self.assertEqual(proc.returncode, 1, args)
            self.assertIn(message, proc.stderr, args)
        self.assertFalse(os.path.exists(self.path("x.key")), "a failed run left its key")

    def test_help(self):
        proc = lab_certs("--help")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("--expired", proc.stdout)


class Rendering(unittest.TestCase):
    FILES = TlsFiles("/c/ca.pem", "/c/r1.pem", "/c/r1.key")

    def render(self, *neighbors, files=None):
        speaker = Speaker("r1", 65001, "192.0.2.1", list(neighbors), [], tls=files)
        return bgpd_config.render(speaker, "s")

    def test_plain_by_default(self):
        config = self.render(Neighbor("10.0.0.2", "10.0.0.1", 65002))
        (neighbor,) = config["neighbors"]
        self.assertEqual(neighbor["tls"], {"mode": "off"})
        self.assertNotIn("fallback", neighbor)
        self.assertNotIn("passive", neighbor)
        self.assertNotIn("tls", config["global"])

    def test_tls_settings(self):
        preferred = NeighborTls("preferred", fallback_after=2, handshake_timeout="3s",
                                fallback="none")
        config = self.render(Neighbor("10.0.0.2", "10.0.0.1", 65002, tls=preferred,
                                      connect_retry=2),
                             Neighbor("fd00::2", "fd00::1", 65002,
                                      tls=NeighborTls(peer_name="r2.lab"), passive=True),
                             files=self.FILES)
        self.assertEqual(config["global"]["tls"], {"ca_file": "/c/ca.pem",
                                                   "cert_file": "/c/r1.pem",
                                                   "key_file": "/c/r1.key"})
        first, second = config["neighbors"]
        self.assertEqual(first["tls"], {"mode": "preferred", "fallback_after": 2,
                                        "handshake_timeout": "3s"})
        self.assertEqual((first["fallback"], first["connect_retry"]), ("none", "2s"))
        self.assertEqual(second["tls"], {"mode": "required", "peer_name": "r2.lab"})
        self.assertTrue(second["passive"])
        self.assertNotIn("fallback", second)

    def test_ao_rekey_settings(self):
        config = self.render(Neighbor("10.0.0.2", "10.0.0.1", 65002,
                                      ao=NeighborAo(rekey_interval="1s", rekey_after_bytes=4096)),
                             Neighbor("fd00::2", "fd00::1", 65002, ao=NeighborAo()))
        first, second = config["neighbors"]
        self.assertEqual(first["ao"], {"mode": "opportunistic", "rekey_interval": "1s",
                                       "rekey_after_bytes": 4096})
        self.assertEqual(second["ao"], {"mode": "opportunistic"})


if __name__ == "__main__":
    unittest.main()
