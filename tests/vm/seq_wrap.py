"""vm_seq_wrap (label vm): scenario 5 of issue 6, a capture made by a real
Linux TCP-AO across the 2^32 sequence wrap.

In a QEMU guest running Linux 6.12 with CONFIG_TCP_AO (tests/vm/bench.py),
tests/vm/guest/ao_seq_wrap connects a client and a server over loopback
under one static MKT, checkpoints both sockets with TCP_REPAIR and
TCP_AO_REPAIR, and restores them with each direction's sequence numbers
just below 2^32 (ISN one below, SNE 0), then streams data both ways so
both directions wrap, at different points. It captures loopback with
AF_PACKET (the guest's scenarios/seq_wrap.sh returns the pcap in base64).
Two runs: IPv4 with HMAC-SHA-1-96 and options included, IPv6 with
AES-128-CMAC-96 and options excluded. Checks, per run:
  - the tool worked; every byte arrived intact both ways;
  - the guest kernel: SNE 0 at the restore and 1 afterwards, both ways, at
    both ends (TCP_AO_REPAIR); good MACs counted, no bad MAC, no
    key-not-found, TcpExt TCPAOBad 0; no capture drops;
  - the capture shows each direction's payload on both sides of the wrap;
  - tests/tools/ao_verify (Python, from the RFCs) verifies every TCP-AO
    segment of the capture, the restored flow with the ISNs the kernel
    reported (--isn); with one ISN off by one it fails;
  - tests/tools/ao_replay feeds the restored flow into our user-space
    TCP-AO engine (aotls/backend/userspace), each endpoint repaired with
    the kernel's ISNs and SNEs: every segment is accepted and the final
    receive SNE is 1; repaired with SNE 1 instead of 0 it rejects them.

Usage (root, repository root): /usr/bin/python3 -m tests.vm.seq_wrap
"""

import ipaddress
import json
import os
import subprocess
import sys
import time

from tests.interop.tls import common
from tests.vm import bench
from tests.vm import checks as vm_checks

BUDGET = 600            # below the ctest TIMEOUT (900 s)
GUEST_TIMEOUT = 120     # QEMU bound: the guest runs ~10 s on an idle host
KERNEL_RESERVE = 180    # of the budget, kept from a first-run kernel build
AO_VERIFY = os.path.join(bench.REPO, "tests", "tools", "ao_verify", "ao_verify.py")
sys.path.insert(0, os.path.dirname(AO_VERIFY))
import capture as pcap_reader  # noqa: E402  (tests/tools/ao_verify/capture.py)

RUNS = {
    "ipv4": {"family": 4, "client": "127.0.0.1", "server": "127.0.0.2", "port": 41000,
             "key": {"send_id": 100, "recv_id": 100, "secret": "seq-wrap-test-key-v4",
                     "algorithm": "hmac-sha1-96", "include_options": True}},
    "ipv6": {"family": 6, "client": "::1", "server": "::1", "port": 42000,
             "key": {"send_id": 101, "recv_id": 101, "secret": "seq-wrap-test-key-v6",
                     "algorithm": "aes-128-cmac-96", "include_options": False}},
}
MESSAGES, SIZE = 32, 400
WRAP = 1 << 32


def runs_file(path):
    """/payload/runs: one line per run, the tool's arguments (words: the
    secrets have no spaces)."""
    with open(path, "w", encoding="utf-8") as f:
        for name, run in RUNS.items():
            key = run["key"]
            words = [name, "--family", str(run["family"]), "--client", run["client"],
                     "--server", run["server"], "--port", str(run["port"]),
                     "--key-id", str(key["send_id"]), "--secret", key["secret"],
                     "--algorithm", key["algorithm"], "--messages", str(MESSAGES),
                     "--size", str(SIZE)]
            if not key["include_options"]:
                words.append("--exclude-options")
            f.write(" ".join(words) + "\n")


def endpoint_text(address, port):
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def payload_seqs(path, endpoint):
    """Sequence numbers of the payload segments the restored `endpoint`
    (its JSON entry) sent, from the capture."""
    local = (ipaddress.ip_address(endpoint["local"]).packed,
             endpoint["local_port"])
    seqs = []
    for frame in pcap_reader.read_frames(path):
        packet, _ = pcap_reader.ip_packet(frame)
        seg = pcap_reader.tcp_segment(frame.number, packet) if packet is not None else None
        if seg is not None and (seg.src, seg.sport) == local and seg.payload_len:
            seqs.append(seg.seq)
    return seqs


def run_tool(args, timeout=120):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    try:
        return result.returncode, json.loads(result.stdout), result.stderr
    except ValueError:
        return result.returncode, None, (result.stdout + result.stderr)[:400]


def check_kernel(checks, name, report, netstat):
    data = report.get("data", {})
    checks(f"{name}: the guest tool worked", "error" not in report, report.get("error"))
    checks(f"{name}: {MESSAGES * SIZE} bytes arrived intact each way",
           data.get("client_to_server") == data.get("server_to_client") == MESSAGES * SIZE
           and data.get("corrupt_bytes") == 0, data)
    endpoints = report.get("restored", {}).get("endpoints", [])
    checks(f"{name}: restored at SNE 0, sequence numbers within {MESSAGES * SIZE} of 2^32",
           len(endpoints) == 2 and all(e["snd_sne"] == e["rcv_sne"] == 0
                                       and WRAP - e["snd_una"] <= MESSAGES * SIZE
                                       for e in endpoints), endpoints)
    for role, after in report.get("after", {}).items():
        checks(f"{name}: {role}'s kernel SNE is 1 both ways after the wrap (TCP_AO_REPAIR)",
               (after.get("snd_sne"), after.get("rcv_sne")) == (1, 1), after)
        checks(f"{name}: {role}'s kernel counted good MACs, no bad MAC, no key-not-found",
               after.get("good", 0) > MESSAGES and after.get("bad_mac") == 0
               and after.get("key_not_found") == 0, after)
    checks(f"{name}: the capture lost nothing", report.get("capture", {}).get("kernel_drops") == 0
           and report.get("capture", {}).get("packets", 0) > 2 * MESSAGES, report.get("capture"))
    checks(f"{name}: guest TcpExt TCPAOBad 0", netstat.get("TCPAOBad") == 0, netstat)


def check_capture(checks, name, pcap, keys, endpoints, replay):
    for endpoint in endpoints:
        seqs = payload_seqs(pcap, endpoint)
        checks(f"{name}: the {endpoint['role']}'s payload is captured on both sides of the wrap",
               any(s > WRAP - MESSAGES * SIZE for s in seqs) and any(s < MESSAGES * SIZE
                                                                     for s in seqs),
               f"{len(seqs)} segments, first {seqs[:1]}, last {seqs[-1:]}")
    isns = [a for e in endpoints
            for a in ("--isn", f"{endpoint_text(e['local'], e['local_port'])}={e['snt_isn']}")]
    base = ["/usr/bin/python3", AO_VERIFY, pcap, "--keys", keys, "--require-ao", "--json"]
    status, report, err = run_tool(base + isns)
    report = report or {"verified": 0, "total": 0, "failures": [err]}
    checks(f"{name}: ao_verify verifies every TCP-AO segment (restored flow by --isn)",
           status == 0 and report["verified"] == report["total"] > 2 * MESSAGES,
           f"exit {status}, {report['verified']}/{report['total']}, {report['failures'][:3]}")
    wrong = isns[:-1] + [isns[-1].rsplit("=", 1)[0] + f"={(endpoints[-1]['snt_isn'] + 1) % WRAP}"]
    status, report, _ = run_tool(base + wrong)
    checks(f"{name}: ao_verify with one ISN off by one fails", status == 1,
           f"exit {status}, {report and report['verified']}/{report and report['total']}")

    repair = os.path.join(os.path.dirname(pcap), f"{name}.repair.json")
    with open(repair, "w", encoding="utf-8") as f:
        json.dump({"endpoints": endpoints}, f)
    status, report, err = run_tool([replay, pcap, "--keys", keys, "--repair", repair, "--json"])
    listed = (report or {}).get("endpoints", [])
    checks(f"{name}: our user-space engine (ao_replay) accepts every restored segment, "
           "final receive SNE 1",
           status == 0 and len(listed) == 2 and all(
               e["verified"] == e["total"] > MESSAGES and e["final_receive_sne"] == 1
               for e in listed), f"exit {status}: {listed or err}")
    bad = os.path.join(os.path.dirname(pcap), f"{name}.bad-sne.json")
    with open(bad, "w", encoding="utf-8") as f:
        json.dump({"endpoints": [dict(e, rcv_sne=1) for e in endpoints]}, f)
    status, report, err = run_tool([replay, pcap, "--keys", keys, "--repair", bad, "--json"])
    listed = (report or {}).get("endpoints", [])
    checks(f"{name}: ao_replay repaired with receive SNE 1 (not 0) rejects the segments",
           status == 1 and listed and all(e["verified"] < e["total"] for e in listed),
           f"exit {status}: {[(e['verified'], e['total']) for e in listed] or err}")


def main():
    common.start_budget(BUDGET, "vm_seq_wrap")
    deadline = time.monotonic() + BUDGET
    checks = common.Checks("vm_seq_wrap")
    with bench.Workdir("bgpd-vm-seqwrap-") as work:
        bins = bench.binaries(work.path, ("ao_seq_wrap", "ao_replay"))
        image = bench.kernel(timeout=BUDGET - KERNEL_RESERVE)
        payload = os.path.join(work.path, "payload")
        os.makedirs(payload)
        for name, run in RUNS.items():
            with open(os.path.join(work.path, f"{name}.keys.json"), "w", encoding="utf-8") as f:
                json.dump({"keys": [run["key"]]}, f)
        runs_file(os.path.join(payload, "runs"))
        initrd = bench.initramfs(os.path.join(work.path, "initrd.gz"),
                                 os.path.join(bench.HERE, "scenarios", "seq_wrap.sh"),
                                 payload, [bins["ao_seq_wrap"]])
        booted = bench.boot_for_result(checks, work, image, initrd, deadline, GUEST_TIMEOUT)
        if booted is None:
            return checks.exit_code()
        status, result = booted
        vm_checks.guest_report(checks, status, result, ())
        for name in RUNS:
            run = result.get("runs", {}).get(name)
            if not checks(f"{name}: the guest ran it (exit 0)", run and run.get("exit") == 0,
                          run and (run.get("exit"), run.get("stderr"))):
                continue
            pcap = os.path.join(work.path, f"{name}.pcap")
            bench.write_base64(pcap, run["pcap_base64"])
            check_kernel(checks, name, run["report"], result.get("tcp_ao_netstat", {}))
            check_capture(checks, name, pcap, os.path.join(work.path, f"{name}.keys.json"),
                          run["report"]["restored"]["endpoints"], bins["ao_replay"])
        work.keep = bool(checks.failed)
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
