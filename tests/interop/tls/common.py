"""What the `tls` label tests share: star topologies built in code, lab
certificates from scripts/lab-certs, a Lab whose speakers get TLS settings,
tshark captures, openssl s_client/s_server peers, and the checks every
negative case repeats (bgpd alive and answering, a reason shown).

Everything runs inside the namespaces of one Lab (unique names per run) and
is stopped by pid; the Lab's teardown deletes the namespaces, which stops
whatever is left inside them.
"""

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time

from tests.harness import netns, process, topology
from tests.harness.lab import Lab
from tests.harness.model import NeighborTls, TlsFiles

LAB_CERTS = os.path.join(topology.REPO_ROOT, "scripts", "lab-certs")
HANDSHAKE_TIMEOUT = 3      # seconds, tls.handshake_timeout of every TLS neighbor
CONNECT_RETRY = 2          # seconds
BGP_MARKER = b"\xff" * 16  # RFC 4271 section 4.1


def step(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def start_budget(seconds, name):
    """The whole test ends (TimeoutError, so the Lab tears down) before
    its ctest TIMEOUT; also removes what killed runs left behind."""
    def on_alarm(_signum, _frame):
        raise TimeoutError(f"{name} exceeded its {seconds}s budget")
    netns.cleanup_stale()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)


def tls(mode="required", **fields):
    """Neighbor TLS settings with the tests' short handshake timeout."""
    fields.setdefault("handshake_timeout", f"{HANDSHAKE_TIMEOUT}s")
    return NeighborTls(mode=mode, **fields)


def star(name, hub, spokes, net):
    """A containerlab topology document: `hub` = (node, daemon, asn) linked
    to each of `spokes` [(node, daemon|None, asn|None)]; link i joins
    hub:eth<i+1> (10.<net>.<i+1>.1, fd00:<net>:<i+1>::1) and spoke:eth1
    (.2, ::2). A spoke without daemon is a bare namespace."""
    def node(daemon, asn):
        labels = {"bgp.daemon": daemon, "bgp.asn": asn} if daemon else {}
        return {"kind": "linux", "image": "debian:bookworm-slim", "labels": labels}
    nodes = {hub[0]: node(hub[1], hub[2])}
    links = []
    for i, (spoke, daemon, asn) in enumerate(spokes, start=1):
        nodes[spoke] = node(daemon, asn)
        links.append({"endpoints": [f"{hub[0]}:eth{i}", f"{spoke}:eth1"],
                      "ipv4": [f"10.{net}.{i}.1/24", f"10.{net}.{i}.2/24"],
                      "ipv6": [f"fd00:{net}:{i}::1/64", f"fd00:{net}:{i}::2/64"]})
    return topology.parse({"name": name, "topology": {"nodes": nodes, "links": links}}, name)


def spoke_addresses(topo, spoke):
    """(hub side, spoke side) IPv4 and IPv6 addresses of the spoke's link:
    {"ipv4": (hub, spoke), "ipv6": (hub, spoke)}."""
    link = next(l for l in topo.links if l.b.node == spoke)
    return {f: (str(getattr(link.a, f).ip), str(getattr(link.b, f).ip))
            for f in ("ipv4", "ipv6")}


class Certs:
    """Certificates in `directory`, made with scripts/lab-certs."""

    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, mode=0o700, exist_ok=True)

    def _run(self, *args):
        proc = subprocess.run([LAB_CERTS, *args], capture_output=True, text=True,
                              timeout=30, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"lab-certs {' '.join(args)}: {proc.stderr.strip()}")

    def ca(self, name):
        """A CA in <dir>/<name>/; returns its path prefix (…/ca)."""
        self._run("ca", os.path.join(self.dir, name), "--name", f"{name} test CA")
        return os.path.join(self.dir, name, "ca")

    def router(self, name, ca, ips, expired=False, trust=None):
        """TlsFiles for a router certificate signed by `ca` with `ips` as
        IP SANs; `trust` is the CA the router itself trusts (default `ca`)."""
        self._run("router", self.dir, name, "--ca", ca, *[a for ip in ips for a in ("--ip", ip)],
                  *(["--expired"] if expired else []))
        return TlsFiles(ca_file=f"{trust or ca}.pem",
                        cert_file=os.path.join(self.dir, f"{name}.pem"),
                        key_file=os.path.join(self.dir, f"{name}.key"))


class TlsLab(Lab):
    """A Lab whose nodes can get TLS files, per-neighbor TLS settings and
    extra neighbors (peers that are not harness daemons: openssl, raw
    sockets) before `start`."""

    def __init__(self, topo):
        super().__init__(topo)
        self._setup = {}

    def __exit__(self, exc_type, exc, tb):
        """A failing test shows every daemon's log tail and our bgpds'
        neighbor tables before the teardown removes them."""
        if exc_type is not None:
            for node, adapter in self.adapters.items():
                print(f"---- {node} ({adapter.kind}) log tail\n{adapter.log_tail(30)}",
                      file=sys.stderr)
                if adapter.kind == "bgpd":
                    try:
                        print(json.dumps(adapter.neighbors(), indent=1), file=sys.stderr)
                    except (RuntimeError, OSError, ValueError) as err:
                        print(f"show neighbors failed: {err}", file=sys.stderr)
        return super().__exit__(exc_type, exc, tb)

    def setup(self, node, files=None, neighbor_tls=None, extra=(), passive=False,
              neighbor_ao=None, global_ao=None):
        """`neighbor_tls(neighbor)` -> NeighborTls or None for each of the
        node's lab neighbors (`neighbor_ao` likewise -> NeighborAo or None);
        `extra`: further model.Neighbor entries; `passive`: the node only
        accepts its lab sessions (a control peer whose sessions must not
        depend on collision resolution); `global_ao`: model.GlobalAo."""
        self._setup[node] = (files, neighbor_tls, list(extra), passive, neighbor_ao, global_ao)

    def _speaker(self, name):
        speaker = super()._speaker(name)
        files, neighbor_tls, extra, passive, neighbor_ao, global_ao = self._setup.get(
            name, (None, None, [], False, None, None))
        speaker.tls = files
        speaker.ao = global_ao
        speaker.neighbors = [dataclasses.replace(n, tls=neighbor_tls(n) if neighbor_tls else None,
                                                 ao=neighbor_ao(n) if neighbor_ao else None,
                                                 connect_retry=CONNECT_RETRY, passive=passive)
                             for n in speaker.neighbors] + extra
        return speaker


def entries(lab, node):
    """{address: show neighbors entry} of our bgpd on `node`."""
    return lab.daemon(node).neighbors()


def tls_state(entry):
    return entry.get("tls") or {}


def failure_text(entry):
    """What bgpd's CLI says went wrong with a neighbor."""
    parts = [tls_state(entry).get("last_failure") or "", (entry.get("last_error") or {}).get("text", "")]
    return " | ".join(p for p in parts if p)


def log_text(lab, node):
    with open(lab.daemon(node).processes[0].log_file, encoding="utf-8", errors="replace") as f:
        return f.read()


def failure_lines(log, address, patterns):
    """Lines of a bgpd log that report a failure with `address` matching
    any of `patterns`."""
    return [line for line in log.splitlines()
            if address in line and "fail" in line.lower() and matches(line, *patterns)]


def attempts(entry):
    """Failed TLS attempts as bgpd counts them (or ConnectRetryCnt)."""
    return max(tls_state(entry).get("failed_attempts", 0), entry.get("connect_retry_counter", 0))


def check_alive(lab, node):
    """bgpd's process runs and its CLI answers; returns its entries."""
    daemon = lab.daemon(node).processes[0]
    if not daemon.alive():
        raise AssertionError(f"bgpd on {node} exited {daemon.proc.returncode}:\n"
                             f"{lab.daemon(node).log_tail()}")
    return entries(lab, node)


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def never_established(lab, node, addresses, until, also=None):
    """Polls our bgpd on `node` until time.monotonic() reaches `until`;
    fails as soon as a neighbor in `addresses` is Established. `also()` is
    called on every round (more checks of the same window)."""
    while True:
        current = check_alive(lab, node)
        up = [a for a in addresses if current.get(a, {}).get("state") == "Established"]
        if up:
            raise AssertionError(f"{node}: Established although it must not: {up}")
        if also:
            also()
        if time.monotonic() >= until:
            return current
        time.sleep(0.5)


class Tool:
    """A long-running command inside a namespace (openssl, tshark), its
    output in a file; stdin is a pipe kept open (openssl s_client/s_server
    would act on end of file); dies with the harness (PDEATHSIG)."""

    def __init__(self, netns_name, argv, log_file):
        self.log_file = log_file
        self.argv = argv
        with open(log_file, "wb") as log:
            self.proc = subprocess.Popen(process.in_netns(netns_name, argv), stdin=subprocess.PIPE,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=process._die_with_parent)

    def output(self):
        with open(self.log_file, "rb") as f:
            return f.read()

    def wait(self, timeout):
        """True when it exited by itself within `timeout` seconds."""
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, sig=signal.SIGTERM, grace=3.0):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            if not self.wait(grace):
                self.proc.kill()
                self.proc.wait(grace)
        if self.proc.stdin:
            self.proc.stdin.close()


def openssl_argv(mode, files, *options):
    """`openssl s_client|s_server` with `files` (TlsFiles) as its identity
    and trust anchor."""
    return ["openssl", mode, "-cert", files.cert_file, "-key", files.key_file,
            "-CAfile", files.ca_file, *options]


class Capture:
    """tshark on one interface of a namespace, TCP port 179, into a pcap;
    `stop` before reading. Port 179 is decoded as TLS (tshark would take it
    for BGP)."""

    def __init__(self, netns_name, interface, directory):
        self.pcap = os.path.join(directory, f"{netns_name}-{interface}.pcap")
        self.tool = Tool(netns_name, ["tshark", "-n", "-i", interface, "-f", "tcp port 179",
                                      "-w", self.pcap],
                         os.path.join(directory, f"{netns_name}-{interface}.tshark.log"))
        process.wait_until(lambda: b"Capturing on" in self.tool.output() or self.tool.proc.poll(),
                           15, f"tshark on {netns_name}:{interface}")
        if self.tool.proc.poll() is not None:
            raise RuntimeError(f"tshark exited: {self.tool.output().decode(errors='replace')}")
        # "Capturing on" comes as dumpcap opens the interface; its filter and
        # ring take hold a moment later, and the first ClientHello of a run
        # was once missed on a loaded machine. Daemons start after this.
        time.sleep(0.5)

    def stop(self):
        self.tool.stop(signal.SIGINT)

    def fields(self, display_filter, *names):
        """Rows (lists of strings) of `names` for the packets matching
        `display_filter`."""
        argv = ["tshark", "-n", "-r", self.pcap, "-d", "tcp.port==179,tls", "-Y", display_filter,
                "-T", "fields", "-E", "separator=|", *[a for n in names for a in ("-e", n)]]
        out = process.run(argv, timeout=30)
        return [line.split("|") for line in out.splitlines() if line.strip()]

    def streams(self):
        """{(tcp stream, source port): payload bytes in capture order} per
        direction of every TCP connection, so a marker split across
        segments is still found."""
        found = {}
        for stream, srcport, payload in self.fields("tcp.len > 0", "tcp.stream", "tcp.srcport",
                                                     "tcp.payload"):
            key = (int(stream), int(srcport))
            found[key] = found.get(key, b"") + bytes.fromhex(payload.replace(":", ""))
        return found


class Checks:
    """Named checks of one test: each printed as it is made; `exit_code`
    at the end (0 when all held)."""

    def __init__(self, name):
        self.name = name
        self.failed = []
        self.passed = 0

    def __call__(self, what, condition, detail=""):
        shown = "" if detail is None or detail == "" else f": {detail}"
        print(f"{'ok  ' if condition else 'FAIL'} {what}{shown}", flush=True)
        if condition:
            self.passed += 1
        else:
            self.failed.append(what)
        return bool(condition)

    def exit_code(self):
        print(f"{self.name}: {self.passed} passed, {len(self.failed)} failed"
              + (f" ({', '.join(self.failed)})" if self.failed else ""), flush=True)
        return 1 if self.failed else 0


def matches(text, *patterns):
    """True when `text` matches any of the regular expressions (any case)."""
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)
