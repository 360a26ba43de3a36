#!/usr/bin/python3
"""ao test of the userspace TCP-AO backend end to end, with static MKTs.

Usage: static_ao_test.py PATH/TO/ao_static_tool   (as root)

Two network namespaces joined by a veth pair; ao_static_tool runs the
NFQUEUE shell with the engine adapter (aotls/backend/nfqueue/
engine_processor.hpp) and ONE static MKT on each side: the server side a
listener on port 179, the client side a connection socket bound to the
4-tuple (the client binds a fixed local port this script picks). Cases:
  hmac      HMAC-SHA-1-96, options excluded (RFC 5925 section 3.1 prot=0)
  cmac      AES-128-CMAC-96, options included
            each: 256 KB each way arrive intact; tshark on the veth sees
            TCP-AO (option 29, tcp.options.ao.keyid) on every segment of the
            flow; tests/tools/ao_verify verifies every segment (exit 0,
            verified == total > 100) with the two MKTs as a static key file;
            both sides count good > 0 and bad MAC == 0
  mismatch  the two secrets differ: no connection is made, and the
            server's listener counts bad MACs (the client's SYNs)
Every namespace and process this test makes is removed on every exit path
(finally + SIGTERM handler); processes are stopped by pid.
"""
import json
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TCP_PAIR = os.path.join(SOURCE, "tests", "ao", "nfqueue", "tcp_pair.py")
AO_VERIFY = os.path.join(SOURCE, "tests", "tools", "ao_verify", "ao_verify.py")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, os.path.dirname(HERE))
import ao_lab  # noqa: E402  (tests/ao, shared by the ao namespace tests)
from ao_lab import expect, log, ns, run, spawn  # noqa: E402

TAG = "usao%d" % os.getpid()
NS_C, NS_S = TAG + "c", TAG + "s"
DEV_C, DEV_S = TAG + "x", TAG + "y"
CLIENT, SERVER = "10.78.0.1", "10.78.0.2"
PORT = 179
LENGTH = 256 << 10
BUDGET_S = 60



def temp_path(suffix):
    return ao_lab.temp_path(TAG, suffix)


def setup():
    ao_lab.veth_pair(((NS_C, DEV_C, [CLIENT + "/24"]), (NS_S, DEV_S, [SERVER + "/24"])))


class Tool(ao_lab.ReadyTool):
    """ao_static_tool for one side; stopped by pid."""

    def __init__(self, tool, role, key, client_port, base):
        ready = temp_path(".ready")
        name = NS_S if role == "server" else NS_C
        super().__init__(
            ns(name, tool, "--role", role, "--client", CLIENT,
               "--client-port", str(client_port), "--server", SERVER,
               "--server-port", str(PORT), "--send-id", str(key["send_id"]),
               "--recv-id", str(key["recv_id"]), "--algorithm", key["tool_algorithm"],
               "--include-options", "1" if key["include_options"] else "0",
               "--secret-hex", key["secret_hex"], "--queue-base", str(base),
               "--ready-file", ready),
            ready)


class Capture:
    """tshark on the client's veth, TCP port 179 only."""

    def __init__(self):
        self.path = temp_path(".pcap")
        # A 16 MiB kernel buffer: the 0.5 MB transfer must never overrun it.
        self.proc = spawn(ns(NS_C, "tshark", "-q", "-B", "16", "-i", DEV_C, "-f",
                             "tcp port %d" % PORT, "-w", self.path))
        # tshark says "Capturing on" once the interface is open; the pcap
        # file exists from then on too.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not os.path.exists(self.path):
            if self.proc.poll() is not None:
                raise RuntimeError("tshark failed: " + self.proc.stderr.read())
            time.sleep(0.05)
        time.sleep(0.3)

    def stop(self, expected):
        """Stops once `expected` segments are in the file (or after 5 s):
        dumpcap hands packets over in blocks, so a SIGTERM right after the
        traffic can cut off the last ones."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and keyids_per_segment(self.path, False)[0] < expected:
            time.sleep(0.2)
        self.proc.send_signal(signal.SIGTERM)
        summary = self.proc.communicate(timeout=15)[1].strip().splitlines()
        log("tshark: %s" % "; ".join(summary[-2:]))
        return self.path


def keyids_per_segment(pcap, complete=True):
    """(segments, segments with a TCP-AO KeyID) of the captured TCP flow.
    complete=False reads a file still being written (its end may be cut)."""
    out = run(["tshark", "-r", pcap, "-Y", "tcp.port == %d" % PORT, "-T", "fields",
               "-e", "frame.number", "-e", "tcp.options.ao.keyid"], check=complete).stdout
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    return len(rows), sum(1 for row in rows if len(row) > 1 and row[1] != "")


def ao_verify(pcap, key_file):
    result = run([PYTHON, AO_VERIFY, pcap, "--keys", key_file, "--require-ao",
                  "--port", str(PORT), "--json"], check=False)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = {"verified": 0, "total": 0, "stderr": result.stderr.strip()}
    return result.returncode, report


def mkt_pair(send_id, recv_id, algorithm, include_options, secret_c, secret_s):
    """The client's and the server's view of one MKT (mirror IDs)."""
    tool_algorithm, verify_algorithm = algorithm
    client = {"send_id": send_id, "recv_id": recv_id, "secret_hex": secret_c,
              "tool_algorithm": tool_algorithm, "algorithm": verify_algorithm,
              "include_options": include_options}
    server = dict(client, send_id=recv_id, recv_id=send_id, secret_hex=secret_s)
    return client, server


def key_file(client, server):
    path = temp_path(".keys.json")
    fields = ("send_id", "recv_id", "secret_hex", "algorithm", "include_options")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"keys": [{k: m[k] for k in fields} for m in (client, server)]}, f)
    return path


def wait_closed():
    # The tools stop after the last FIN/ACK went through them.
    return ao_lab.wait_closed((NS_C, NS_S), PORT)


def start_pair(tool, client_key, server_key, client_port, base):
    server_tool = Tool(tool, "server", server_key, client_port, base)
    client_tool = Tool(tool, "client", client_key, client_port, base + 10)
    ready = server_tool.wait_ready() and client_tool.wait_ready()
    server = spawn(ns(NS_S, PYTHON, TCP_PAIR, "serve", SERVER, str(PORT)))
    if '"listening"' not in server.stdout.readline():
        raise RuntimeError("server did not start: " + server.stderr.read())
    return ready, server_tool, client_tool, server


def send(client_port, timeout):
    result = run(ns(NS_C, PYTHON, TCP_PAIR, "send", SERVER, str(PORT), str(LENGTH),
                    str(timeout), str(client_port)), check=False, timeout=timeout + 40)
    return result.returncode, json.loads(result.stdout or "{}")


def key_counts(ring):
    keys = (ring or {}).get("keys", [])
    return sum(k["good"] for k in keys), sum(k["bad_mac"] for k in keys)


def case_transfer(tool, label, algorithm, include_options, send_id, recv_id, client_port, base):
    secret = os.urandom(20).hex()
    client_key, server_key = mkt_pair(send_id, recv_id, algorithm, include_options,
                                      secret, secret)
    capture = Capture()
    ready, server_tool, client_tool, server = start_pair(tool, client_key, server_key,
                                                         client_port, base)
    expect(ready, "%s: both tools started" % label)
    status, out = send(client_port, 10)
    expect(status == 0 and out.get("ok") and out.get("received") == LENGTH,
           "%s: 256 KB each way intact through TCP-AO %s" % (label, out))
    expect(wait_closed(), "%s: connection closed before the tools stop" % label)
    time.sleep(0.2)
    server.kill()
    served = [json.loads(line) for line in server.communicate(timeout=10)[0].splitlines()
              if line.strip()]
    expect(len(served) == 1 and served[0]["ok"] and served[0]["length"] == LENGTH,
           "%s: server got every byte %s" % (label, served))
    counters_s, counters_c = server_tool.stop(), client_tool.stop()
    log("%s counters server: %s" % (label, json.dumps(counters_s)))
    log("%s counters client: %s" % (label, json.dumps(counters_c)))
    queued = counters_c["outbound"]["packets"] + counters_c["inbound"]["packets"]
    pcap = capture.stop(queued)

    segments, with_ao = keyids_per_segment(pcap)
    expect(segments > 100 and with_ao == segments,
           "%s: every captured segment carries TCP-AO (%d/%d)" % (label, with_ao, segments))
    expect(queued == segments,
           "%s: each captured segment went through the client's queues (%d)" % (label, queued))
    status, report = ao_verify(pcap, key_file(client_key, server_key))
    expect(status == 0 and report["verified"] == report["total"] > 100,
           "%s: ao_verify exit %d, %d/%d verified %s" % (
               label, status, report["verified"], report["total"],
               report.get("failures", report.get("stderr", ""))[:3]))
    for side, counters, ring in (("server", counters_s, counters_s["connection"]),
                                 ("client", counters_c, counters_c["socket"])):
        good, bad = key_counts(ring)
        expect(good > 0 and bad == 0 and ring["key_not_found"] == 0 and
               ring["ao_required_missing"] == 0,
               "%s %s: good %d > 0, bad MAC %d == 0, no key-not-found or missing AO"
               % (label, side, good, bad))
        expect(counters["overruns"] == 0 and not counters["failure"],
               "%s %s: no queue overrun or failure" % (label, side))


def case_mismatch(tool, client_port, base):
    client_key, server_key = mkt_pair(4, 6, ("hmac-sha1", "hmac-sha1-96"), False,
                                      os.urandom(20).hex(), os.urandom(20).hex())
    ready, server_tool, client_tool, server = start_pair(tool, client_key, server_key,
                                                         client_port, base)
    expect(ready, "mismatch: both tools started")
    status, out = send(client_port, 3)
    expect(status == 1 and not out.get("connected"), "mismatch: no connection %s" % out)
    server.kill()
    served = [line for line in server.communicate(timeout=10)[0].splitlines() if line.strip()]
    expect(served == [], "mismatch: the server accepted nothing")
    counters_s, counters_c = server_tool.stop(), client_tool.stop()
    log("mismatch counters server: %s" % json.dumps(counters_s))
    log("mismatch counters client: %s" % json.dumps(counters_c))
    good, bad = key_counts(counters_s["socket"])
    expect(bad > 0 and good == 0 and counters_s["connection"] is None,
           "mismatch: listener counted %d bad MAC(s), %d good, no connection" % (bad, good))
    expect(counters_s["drops"]["bad MAC"] == bad,
           "mismatch: the server dropped each of them for its MAC (%d)"
           % counters_s["drops"]["bad MAC"])


def main(argv):
    cases = (
        lambda tool: case_transfer(tool, "hmac", ("hmac-sha1", "hmac-sha1-96"), False, 3, 7,
                                   40101, 5200),
        lambda tool: case_transfer(tool, "cmac", ("aes-cmac", "aes-128-cmac-96"), True, 5, 9,
                                   40102, 5300),
        lambda tool: case_mismatch(tool, 40103, 5400),
    )
    return ao_lab.main(argv, __doc__, (NS_C, NS_S), setup, cases, BUDGET_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
