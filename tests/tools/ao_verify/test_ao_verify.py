#!/usr/bin/python3
"""Self-tests of ao_verify.

1. The RFC 9235 vectors (../shared/vectors/rfc9235.json): each section's
   four packets form one connection (SYN, SYN-ACK, a segment each way);
   written as pcaps with several link types, they must all verify with the
   section's MKT. A flipped byte that RFC 5925 section 5.1 covers must
   fail; flipped bytes it does not cover (IPv4 TTL/TOS/ID/checksum, IPv6
   hop limit/flow label, the TCP checksum, non-AO options when the MKT
   excludes them) must still verify.
2. Synthesized connections signed here with tcpao's functions (whose
   correctness part 1 establishes against the RFC vectors): key log keys
   matched by the ClientHello random, SNE across a 2^32 wrap, sequence
   gaps, segments without TCP-AO.
"""
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ao_verify  # noqa: E402
import keys as keysrc  # noqa: E402
import tcpao  # noqa: E402

SHARED = Path(os.environ.get("BGPD_SHARED_DIR") or HERE.parents[2] / ".." / "shared")
VECTORS = json.loads((SHARED / "vectors" / "rfc9235.json").read_text())
SECTIONS = sorted({v["section"] for v in VECTORS})
ORDER = {"SYN": 0, "SYN-ACK": 1}


def section_packets(section):
    vs = [v for v in VECTORS if v["section"] == section]
    vs.sort(key=lambda v: (ORDER.get(v["segment"], 2), v["direction"]))
    return vs, [bytearray.fromhex(v["packet_hex"]) for v in vs]


def timestamp_value_offset(packet, ip_len):
    """Offset of a TSval byte (RFC 7323 option kind 8): a non-AO option
    byte whose change keeps the option list well-formed."""
    off, end = ip_len + 20, ip_len + (packet[ip_len + 12] >> 4) * 4
    while off < end:
        if packet[off] == 1:
            off += 1
            continue
        if packet[off] == 8:
            return off + 3
        off += packet[off + 1]
    raise AssertionError("vector packet without timestamps")


def section_key(v):
    # The client's view: it sends with its KeyID and receives the server's.
    return {"send_id": v["keyid"] if v["direction"] == "client->server" else v["rnext_keyid"],
            "recv_id": v["rnext_keyid"] if v["direction"] == "client->server" else v["keyid"],
            "secret": v["mkt_ascii"], "algorithm": v["alg"],
            "include_options": v["include_options"]}


# --- capture writers -------------------------------------------------------

def link_frame(packet, linktype):
    ethertype = 0x0800 if packet[0] >> 4 == 4 else 0x86DD
    if linktype == 1:
        return bytes(6) + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype) + packet
    if linktype == 113:
        return struct.pack("!HHH8sH", 0, 1, 6, bytes(8), ethertype) + packet
    if linktype == 276:
        return struct.pack("!HHIHBB8s", ethertype, 0, 1, 1, 0, 6, bytes(8)) + packet
    return bytes(packet)


def write_pcap(path, packets, linktype=101):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for i, p in enumerate(packets):
            frame = link_frame(p, linktype)
            f.write(struct.pack("<IIII", 1000 + i, 0, len(frame), len(frame)) + frame)


def write_pcapng(path, packets, linktype=1):
    def block(block_type, body):
        body += bytes(-len(body) % 4)
        size = struct.pack("<I", len(body) + 12)
        return struct.pack("<I", block_type) + size + body + size
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", linktype, 0, 262144)))
        for p in packets:
            frame = link_frame(p, linktype)
            f.write(block(6, struct.pack("<IIIII", 0, 0, 0, len(frame), len(frame)) + frame))


class Workdir(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="ao_verify_test_")
        self.dir = Path(self._tmp.name)

    def tearDown(self):
        self._tmp.cleanup()

    def run_verifier(self, packets, key_list=None, keylog_lines=None, extra=(), linktype=101):
        pcap = self.dir / "capture.pcap"
        write_pcap(pcap, packets, linktype)
        argv = [str(pcap), "--json", *extra]
        if key_list is not None:
            (self.dir / "keys.json").write_text(json.dumps(key_list))
            argv += ["--keys", str(self.dir / "keys.json")]
        if keylog_lines is not None:
            (self.dir / "keylog").write_text("".join(line + "\n" for line in keylog_lines))
            argv += ["--keylog", str(self.dir / "keylog")]
        out = io.StringIO()
        with redirect_stdout(out):
            status = ao_verify.main(argv)
        return status, json.loads(out.getvalue()) if status != 2 else None

    def assert_ok(self, status, report, total):
        self.assertEqual(status, 0, report and report["failures"])
        self.assertTrue(report["ok"])
        self.assertEqual((report["verified"], report["total"]), (total, total))

    def assert_fails(self, status, report, reason):
        self.assertEqual(status, 1)
        self.assertFalse(report["ok"])
        reasons = [f["reason"] for f in report["failures"]]
        self.assertTrue(any(reason in r for r in reasons), reasons)


# --- 1. RFC 9235 vectors ---------------------------------------------------

class RfcVectors(Workdir):
    def test_all_32_vectors_verify_per_section(self):
        self.assertEqual(len(VECTORS), 32)
        for section in SECTIONS:
            with self.subTest(section=section):
                vs, packets = section_packets(section)
                status, report = self.run_verifier(packets, [section_key(vs[0])])
                self.assert_ok(status, report, 4)
                dirs = report["flows"][0]["directions"]
                self.assertEqual(dirs["c2s"]["key_ids"]["61"]["verified"], 2)
                self.assertEqual(dirs["s2c"]["key_ids"]["84"]["verified"], 2)

    def test_all_vectors_in_one_capture_for_each_link_type(self):
        packets = [p for s in SECTIONS for p in section_packets(s)[1]]
        key_list = [section_key(section_packets(s)[0][0]) for s in SECTIONS]
        for linktype in (1, 101, 113, 276):
            with self.subTest(linktype=linktype):
                status, report = self.run_verifier(packets, key_list, linktype=linktype)
                self.assert_ok(status, report, 32)
                self.assertEqual(len(report["flows"]), 8)

    def test_link_layer_padding_is_not_payload(self):
        vs, packets = section_packets(SECTIONS[0])
        padded = []
        for p in packets:  # trailing bytes beyond the IPv4 total length (e.g. Ethernet padding)
            frame = bytearray(p + bytes(6))
            padded.append(frame)
        status, report = self.run_verifier(padded, [section_key(vs[0])])
        self.assert_ok(status, report, 4)

    def test_pcapng(self):
        vs, packets = section_packets(SECTIONS[0])
        write_pcapng(self.dir / "c.pcapng", packets)
        (self.dir / "k.json").write_text(json.dumps([section_key(vs[0])]))
        out = io.StringIO()
        with redirect_stdout(out):
            status = ao_verify.main([str(self.dir / "c.pcapng"),
                                     "--keys", str(self.dir / "k.json")])
        self.assertEqual(status, 0, out.getvalue())
        self.assertIn("OK: 4/4 TCP-AO segments verified", out.getvalue())

    def test_wrong_algorithm_or_option_flag_fails(self):
        vs, packets = section_packets(SECTIONS[0])  # HMAC, options included
        for change in ({"algorithm": "aes-128-cmac-96"}, {"include_options": False},
                       {"secret": "testvectoR"}):
            with self.subTest(change=change):
                status, report = self.run_verifier(packets, [{**section_key(vs[0]), **change}])
                self.assert_fails(status, report, "MAC mismatch")
                self.assertEqual(report["verified"], 0)

    def _flip(self, section, index, offset, expect_ok):
        vs, packets = section_packets(section)
        packets[index][offset] ^= 0x01
        status, report = self.run_verifier(packets, [section_key(vs[0])])
        if expect_ok:
            self.assert_ok(status, report, 4)
        else:
            self.assert_fails(status, report, "MAC mismatch")
            self.assertEqual(report["verified"], 3)

    def test_flipped_covered_bytes_fail(self):
        for section in SECTIONS:
            vs, packets = section_packets(section)
            ip_len = 20 if vs[0]["ip_version"] == 4 else 40
            for index, packet in enumerate(packets):
                header_len = (packet[ip_len + 12] >> 4) * 4
                ao = bytes(packet).index(bytes([29, 16, vs[index]["keyid"]]), ip_len + 20)
                covered = {"tcp flags": ip_len + 13, "window": ip_len + 14,
                           "ack": ip_len + 8, "rnext": ao + 3, "mac": ao + 4, "mac end": ao + 15}
                if len(packet) > ip_len + header_len:
                    covered["payload"] = len(packet) - 1
                if vs[index]["include_options"]:
                    covered["other option"] = timestamp_value_offset(packet, ip_len)
                for name, offset in covered.items():
                    with self.subTest(section=section, packet=index, byte=name):
                        self._flip(section, index, offset, expect_ok=False)

    def test_flipped_uncovered_bytes_still_verify(self):
        for section in SECTIONS:
            vs, packets = section_packets(section)
            v4 = vs[0]["ip_version"] == 4
            ip_len = 20 if v4 else 40
            uncovered = ({"tos": 1, "id": 4, "ttl": 8, "ip checksum": 10} if v4
                         else {"traffic class": 1, "flow label": 3, "hop limit": 7})
            uncovered["tcp checksum"] = ip_len + 16
            for index in range(4):
                offsets = dict(uncovered)
                if not vs[0]["include_options"]:
                    offsets["other option"] = timestamp_value_offset(packets[index], ip_len)
                for name, offset in offsets.items():
                    with self.subTest(section=section, packet=index, byte=name):
                        self._flip(section, index, offset, expect_ok=True)

    def test_unknown_key_id_fails(self):
        vs, packets = section_packets(SECTIONS[0])
        ao = bytes(packets[2]).index(bytes([29, 16, 61]))
        packets[2][ao + 2] = 62
        status, report = self.run_verifier(packets, [section_key(vs[0])])
        self.assert_fails(status, report, "KeyID 62: unknown KeyID")

    def test_no_keys_fails(self):
        _, packets = section_packets(SECTIONS[0])
        status, report = self.run_verifier(packets, [])
        self.assert_fails(status, report, "unknown KeyID")
        self.assertEqual(report["verified"], 0)

    def test_missing_handshake_fails(self):
        vs, packets = section_packets(SECTIONS[0])
        status, report = self.run_verifier(packets[2:], [section_key(vs[0])])
        self.assert_fails(status, report, "handshake not captured")

    def test_syn_ack_alone_gives_both_isns_but_syn_is_a_gap(self):
        vs, packets = section_packets(SECTIONS[0])
        status, report = self.run_verifier(packets[1:], [section_key(vs[0])])
        self.assert_fails(status, report, "sequence gap")
        self.assertEqual((report["verified"], report["total"]), (3, 3))

    def test_command_line_exit_status(self):
        vs, packets = section_packets(SECTIONS[0])
        write_pcap(self.dir / "c.pcap", packets)
        (self.dir / "k.json").write_text(json.dumps([section_key(vs[0])]))
        script = str(HERE / "ao_verify.py")
        ok = subprocess.run([script, str(self.dir / "c.pcap"), "--keys", str(self.dir / "k.json")],
                            capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertIn("c2s KeyID  61: 2/2 verified (static #0)", ok.stdout)
        self.assertNotIn("testvector", ok.stdout + ok.stderr)
        bad = subprocess.run([script, str(self.dir / "c.pcap")], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        (self.dir / "junk").write_bytes(b"not a capture")
        junk = subprocess.run([script, str(self.dir / "junk")], capture_output=True, text=True)
        self.assertEqual(junk.returncode, 2)


# --- 2. synthesized connections --------------------------------------------

CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CPORT, SPORT = 40000, 179
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


class Connection:
    """Builds IPv4 segments of one connection, signed per RFC 5925 with
    the given MKT for each segment."""

    def __init__(self, client_isn, server_isn):
        self.isn = {"c2s": client_isn, "s2c": server_isn}
        self.nxt = {"c2s": client_isn, "s2c": server_isn}

    def segment(self, direction, flags, payload=b"", mkt=None, key_id=None, sne=None, seq=None,
                advance=True):
        src, dst, sport, dport = ((CLIENT, SERVER, CPORT, SPORT) if direction == "c2s"
                                  else (SERVER, CLIENT, SPORT, CPORT))
        other = "s2c" if direction == "c2s" else "c2s"
        seq = self.nxt[direction] if seq is None else seq
        ack = (self.nxt[other]) & 0xFFFFFFFF if flags & ACK else 0
        options = b""
        if mkt is not None:
            kid = mkt.send_id if key_id is None else key_id
            options = bytes([29, 16, kid, 0]) + bytes(12)
        header_len = 20 + len(options)
        tcp = bytearray(struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack,
                                    (header_len // 4) << 4, flags, 65535, 0, 0) + options + payload)
        if mkt is not None:
            pure_syn = flags & SYN and not flags & ACK
            context = tcpao.kdf_context(src, dst, sport, dport, self.isn[direction],
                                        0 if pure_syn else self.isn[other])
            key = tcpao.kdf(mkt.algorithm, mkt.secret, context)
            extended_sne = (seq >> 32) if sne is None else sne
            message = tcpao.mac_input(extended_sne, src, dst, bytes(tcp), header_len, 20, 16,
                                      mkt.include_options)
            tcp[header_len - 12:header_len] = tcpao.compute_mac(mkt.algorithm, key, message)
        if advance:
            self.nxt[direction] = seq + len(payload) + bool(flags & SYN) + bool(flags & FIN)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
        return bytearray(ip + bytes(tcp))

    def handshake(self, mkt):
        return [self.segment("c2s", SYN, mkt=mkt), self.segment("s2c", SYN | ACK, mkt=mkt),
                self.segment("c2s", ACK, mkt=mkt)]


def client_hello(random):
    body = b"\x03\x03" + random + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + b"\x00\x00"
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def real_client_hello(workdir):
    """A TLS 1.3 ClientHello made by OpenSSL (Python's ssl over memory BIOs,
    full handshake against an in-memory server) and the client random that
    OpenSSL itself reports in its SSLKEYLOGFILE output."""
    import datetime
    import ssl
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "ao-verify-test")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (workdir / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (workdir / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(workdir / "cert.pem", workdir / "key.pem")
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname, client_ctx.verify_mode = False, ssl.CERT_NONE
    client_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    client_ctx.keylog_filename = str(workdir / "sslkeys")
    bios = [ssl.MemoryBIO() for _ in range(4)]  # client in/out, server in/out
    client = client_ctx.wrap_bio(bios[0], bios[1])
    server = server_ctx.wrap_bio(bios[2], bios[3], server_side=True)
    client_hello = None
    for _ in range(10):  # a TLS 1.3 handshake needs three flights
        for end in (client, server):
            try:
                end.do_handshake()
            except ssl.SSLWantReadError:
                pass
        flight = bios[1].read()
        client_hello = client_hello or flight
        bios[2].write(flight)
        bios[0].write(bios[3].read())
    lines = (workdir / "sslkeys").read_text().split("\n")
    randoms = {line.split()[1] for line in lines if line.startswith("CLIENT_HANDSHAKE")}
    assert len(randoms) == 1, randoms
    return client_hello, bytes.fromhex(randoms.pop())


def keylog_line(random, g, direction, secret, codes="0 0 0"):
    return "TCPAO %s %d %s %d %s %s" % (random.hex(), g, direction,
                                        keysrc.key_id_for(direction, g), codes, secret.hex())


def logged_mkt(g, direction, secret):
    key_id = keysrc.key_id_for(direction, g)
    return keysrc.Mkt(key_id, key_id, secret, tcpao.HMAC_SHA1_96, False, "test")


class KeyLogFlows(Workdir):
    RANDOM = bytes(range(100, 132))
    SECRETS = {(g, d): bytes([g * 16 + (d == "s2c")]) * 32 for g in (1, 2) for d in ("c2s", "s2c")}

    def opportunistic_capture(self):
        conn = Connection(0x1000, 0x9000)
        default = keysrc.default_mkt()
        packets = conn.handshake(default)
        packets.append(conn.segment("c2s", ACK | PSH, client_hello(self.RANDOM), mkt=default))
        packets.append(conn.segment("s2c", ACK | PSH, b"\x16\x03\x03server-flight", mkt=default))
        for g in (1, 2):
            for d in ("c2s", "s2c"):
                mkt = logged_mkt(g, d, self.SECRETS[(g, d)])
                packets += [conn.segment(d, ACK | PSH, b"bgp %d" % i, mkt=mkt) for i in range(3)]
        return packets

    def lines(self, random=None):
        return ["# comment", "CLIENT_RANDOM ignored line"] + [
            keylog_line(random or self.RANDOM, g, d, s) for (g, d), s in self.SECRETS.items()]

    def test_key_log_keys_verify_by_client_random(self):
        status, report = self.run_verifier(self.opportunistic_capture(), keylog_lines=self.lines())
        self.assert_ok(status, report, 17)
        flow = report["flows"][0]
        self.assertEqual(flow["client_random"], self.RANDOM.hex())
        c2s, s2c = flow["directions"]["c2s"]["key_ids"], flow["directions"]["s2c"]["key_ids"]
        self.assertEqual({k: (c["verified"], c["total"]) for k, c in c2s.items()},
                         {"0": (3, 3), "1": (3, 3), "3": (3, 3)})
        self.assertEqual({k: (c["verified"], c["total"]) for k, c in s2c.items()},
                         {"0": (2, 2), "2": (3, 3), "4": (3, 3)})
        self.assertEqual(c2s["3"]["keys"], ["keylog g=2"])

    def test_other_client_random_leaves_derived_key_ids_unknown(self):
        status, report = self.run_verifier(self.opportunistic_capture(),
                                           keylog_lines=self.lines(bytes(32)))
        self.assert_fails(status, report, "KeyID 1: unknown KeyID")
        self.assertEqual(report["verified"], 5)

    def test_swapped_generation_secrets_fail(self):
        lines = self.lines()
        swapped = [keylog_line(self.RANDOM, 1, "c2s", self.SECRETS[(2, "c2s")])]
        kept = [line for line in lines if " 1 c2s " not in line]
        status, report = self.run_verifier(self.opportunistic_capture(),
                                           keylog_lines=kept + swapped)
        self.assert_fails(status, report, "KeyID 1: MAC mismatch")

    def test_random_of_a_real_client_hello_split_over_segments(self):
        hello, random = real_client_hello(self.dir)
        conn = Connection(0xFFFFFFF0, 0x9000)  # the random straddles the 2^32 wrap
        default = keysrc.default_mkt()
        packets = conn.handshake(default)
        packets += [conn.segment("c2s", ACK, hello[:20], mkt=default),
                    conn.segment("c2s", ACK | PSH, hello[20:], mkt=default)]
        mkt = logged_mkt(1, "c2s", self.SECRETS[(1, "c2s")])
        packets.append(conn.segment("c2s", ACK | PSH, b"open", mkt=mkt))
        line = keylog_line(random, 1, "c2s", self.SECRETS[(1, "c2s")])
        status, report = self.run_verifier(packets[:3] + packets[4:] + [packets[3]],
                                           keylog_lines=[line])
        self.assert_ok(status, report, 6)
        self.assertEqual(report["flows"][0]["client_random"], random.hex())

    def test_segment_signed_with_another_key_ids_secret_fails(self):
        conn = Connection(0x1000, 0x9000)
        default = keysrc.default_mkt()
        packets = conn.handshake(default)
        packets.append(conn.segment("c2s", ACK | PSH, client_hello(self.RANDOM), mkt=default))
        # KeyID 1 on the wire, but the MAC made with generation 2's (KeyID 3) secret.
        packets.append(conn.segment("c2s", ACK | PSH, b"x",
                                    mkt=logged_mkt(2, "c2s", self.SECRETS[(2, "c2s")]), key_id=1))
        status, report = self.run_verifier(packets, keylog_lines=self.lines())
        self.assert_fails(status, report, "KeyID 1: MAC mismatch")

    def test_key_id_outside_profile_formula_is_an_input_error(self):
        bad = "TCPAO %s 1 c2s 2 0 0 0 %s" % (self.RANDOM.hex(), bytes(32).hex())
        status, _ = self.run_verifier(self.opportunistic_capture(), keylog_lines=[bad])
        self.assertEqual(status, 2)

    def test_require_ao(self):
        conn = Connection(5, 7)
        default = keysrc.default_mkt()
        packets = conn.handshake(default) + [conn.segment("c2s", ACK | PSH, b"plain")]
        status, report = self.run_verifier(packets, extra=["--default-mkt"])
        self.assert_ok(status, report, 3)
        self.assertEqual(report["flows"][0]["directions"]["c2s"]["without_ao"], 1)
        status, report = self.run_verifier(packets, extra=["--default-mkt", "--require-ao"])
        self.assert_fails(status, report, "segment without TCP-AO")
        self.assertEqual(len(report["failures"]), 1)

    def test_require_ao_also_fails_a_flow_without_any_ao(self):
        default = keysrc.default_mkt()
        protected = Connection(5, 7).handshake(default)
        plain = Connection(100, 200)
        packets = protected + [plain.segment("c2s", SYN, seq=100)]
        packets[-1][20:22] = struct.pack("!H", 40001)  # another client port: another flow
        status, report = self.run_verifier(packets, extra=["--default-mkt"])
        self.assert_ok(status, report, 3)
        self.assertEqual([f["has_ao"] for f in report["flows"]], [True, False])
        status, report = self.run_verifier(packets, extra=["--default-mkt", "--require-ao"])
        self.assert_fails(status, report, "segment without TCP-AO")

    def test_port_filter(self):
        packets = Connection(5, 7).handshake(keysrc.default_mkt())
        status, report = self.run_verifier(packets, extra=["--default-mkt", "--port", "179"])
        self.assert_ok(status, report, 3)
        status, report = self.run_verifier(packets, extra=["--default-mkt", "--port", "180"])
        self.assert_fails(status, report, "no TCP-AO segment in the capture")


class SequenceSpace(Workdir):
    MKT = keysrc.Mkt(7, 7, b"static secret", tcpao.AES_128_CMAC_96, True, "t")
    KEYS = [{"send_id": 7, "recv_id": 7, "secret": "static secret",
             "algorithm": "aes-128-cmac-96", "include_options": True}]

    def wrapping_flow(self, wrong_sne=False):
        conn = Connection(0xFFFFFF00, 0x20)
        packets = conn.handshake(self.MKT)
        data = []
        for i in range(5):  # 100 bytes each from 0xFFFFFF01: the 3rd one wraps
            seq = conn.nxt["c2s"]
            sne = 0 if wrong_sne and seq >= 1 << 32 else None
            data.append(conn.segment("c2s", ACK | PSH, bytes([i]) * 100, mkt=self.MKT, sne=sne))
        packets += data
        packets.append(conn.segment("s2c", ACK, mkt=self.MKT))
        return packets, data

    def test_sne_across_the_wrap(self):
        packets, _ = self.wrapping_flow()
        status, report = self.run_verifier(packets, self.KEYS)
        self.assert_ok(status, report, 9)

    def test_wrong_sne_after_the_wrap_fails(self):
        packets, _ = self.wrapping_flow(wrong_sne=True)
        status, report = self.run_verifier(packets, self.KEYS)
        self.assert_fails(status, report, "MAC mismatch")
        self.assertEqual(report["total"] - report["verified"], 2)

    def test_reordering_across_the_wrap(self):
        packets, data = self.wrapping_flow()
        reordered = packets[:3] + [data[3], data[1], data[4], data[0], data[2]] + packets[-1:]
        status, report = self.run_verifier(reordered, self.KEYS)
        self.assert_ok(status, report, 9)

    def test_gap_never_filled_fails(self):
        packets, data = self.wrapping_flow()
        status, report = self.run_verifier([p for p in packets if p is not data[2]], self.KEYS)
        self.assert_fails(status, report, "sequence gap: 100 bytes")

    def restored_flow(self):
        """A flow as a TCP_REPAIR restore leaves it: no handshake, both
        directions starting just below 2^32 and wrapping."""
        conn = Connection(0xFFFFFF00, 0xFFFFFF80)
        conn.nxt = {"c2s": 0xFFFFFF01, "s2c": 0xFFFFFF81}
        packets = []
        for i in range(4):  # 100 bytes each way: c2s wraps in the 3rd, s2c in the 2nd
            packets.append(conn.segment("c2s", ACK | PSH, bytes([i]) * 100, mkt=self.MKT))
            packets.append(conn.segment("s2c", ACK | PSH, bytes([i]) * 100, mkt=self.MKT))
        return packets

    def isn_args(self, client_isn=0xFFFFFF00, server_isn=0xFFFFFF80):
        return ["--isn", "10.0.0.1:%d=%d" % (CPORT, client_isn),
                "--isn", "10.0.0.2:%d=%d" % (SPORT, server_isn)]

    def test_restored_flow_verifies_with_given_isns(self):
        status, report = self.run_verifier(self.restored_flow(), self.KEYS, extra=self.isn_args())
        self.assert_ok(status, report, 8)
        self.assertEqual(report["flows"][0]["directions"]["c2s"]["gaps"], [])

    def test_restored_flow_without_isns_fails(self):
        status, report = self.run_verifier(self.restored_flow(), self.KEYS)
        self.assert_fails(status, report, "handshake not captured")

    def test_restored_flow_with_a_wrong_isn_fails(self):
        status, report = self.run_verifier(self.restored_flow(), self.KEYS,
                                           extra=self.isn_args(server_isn=0xFFFFFF7F))
        self.assert_fails(status, report, "MAC mismatch")

    def test_bad_isn_argument_is_an_input_error(self):
        with self.assertRaises(SystemExit) as exit_:
            with redirect_stderr(io.StringIO()):
                ao_verify.main(["x.pcap", "--isn", "10.0.0.1=5"])
        self.assertEqual(exit_.exception.code, 2)

    def test_gap_filled_by_retransmission_passes(self):
        packets, data = self.wrapping_flow()
        late = [p for p in packets if p is not data[2]] + [data[2]]
        status, report = self.run_verifier(late, self.KEYS)
        self.assert_ok(status, report, 9)


if __name__ == "__main__":
    unittest.main(verbosity=2)
