#!/usr/bin/python3
"""BGP over TLS against plain BGP: time to Established and full-table
transfer (issue 4's benchmark; results in docs/benchmarks.md).

Run by hand as root, from anywhere (not a ctest):

  tests/bench/tls/bench_tls.py established [--runs N]     # default 15
  tests/bench/tls/bench_tls.py full-table [--runs R] [--prefixes P]

`established`: per transport (plain TCP, TLS with tls.mode required) two
network namespaces joined by a veth pair; certificates from
scripts/lab-certs (EC P-256, IP SANs) made once. bgpd B is passive, bgpd A
active (log level info, JSON lines). A's time is its log timestamp of the
FSM transition into Connect to its "session established" line: TCP
connect, TLS handshake (both ends verify a chain and sign), OPEN,
KEEPALIVE. The log has millisecond timestamps, so single values are whole
milliseconds. Runs alternate the transports (which goes first flips every
run) so that load drift hits both alike. Three measurements, N each:

- cold: fresh daemons each run (B started; once its control socket
  answers, A started): the first session of two new processes, where
  OpenSSL also loads and fetches its algorithms.
- bgp_inject -> B, right after the cold run: the injector (a third
  address, its own neighbor entry on B) connects, reaches Established and
  ends with a Cease; its `established_ms` (steady clock, from the start
  of the TCP connect; a new process) and for TLS its `handshake_us` come
  from its JSON report.
- warm: both daemons stay up; `clear neighbor` on B (it sends a Cease
  and is at once ready to accept again), then, once A has left
  Established, `clear neighbor` on A, whose ManualStart goes straight to
  Connect (it also cancels the IdleHoldTimer the Cease started, so no
  damping delays the N sessions); timed from that ManualStart.
- baseline: the same handshake without bgpd - Python's ssl module (the
  same OpenSSL 3 library), a server process in B's namespace and a client
  process in A's, same certificates and settings (TLS 1.3, ALPN botls,
  mutual authentication, IP SAN check, no tickets); N+1 sequential
  handshakes, the first one dropped; the client times its handshake from
  the end of the TCP connect, like bgp_inject's handshake_us. The server
  exits non-zero if any handshake failed on its side.

`full-table`: tests/tools/injector/bench_full_table.sh R times over TCP
and R times over TLS, interleaved; medians of its results and the
TLS/TCP ratios.

Binaries: $BUILD_DIR (default <repo>/build/release) or $BGPD_BIN and
$BGP_INJECT_BIN (and $BGP_STREAM_BIN for full-table). Namespaces and the
run directory are named per run (tests/harness: bgph<pid>-<n>); every
exit path, including SIGINT/SIGTERM/SIGHUP, stops the daemons by pid and
removes them.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, REPO)

from tests.harness import netns, process  # noqa: E402  (path set just above)

B_ADDR, A_ADDR, INJ_ADDR = "10.0.0.1", "10.0.0.2", "10.0.0.3"
BASELINE_PORT = 1790
B_AS, A_AS, INJ_AS = 65001, 65002, 65003
MODES = ("tcp", "tls")


class Failure(Exception):
    pass


def binary(variable, relative):
    build = os.environ.get("BUILD_DIR", os.path.join(REPO, "build", "release"))
    path = os.environ.get(variable) or os.path.join(build, relative)
    if not os.access(path, os.X_OK):
        raise Failure(f"{path} is not built (set BUILD_DIR or ${variable})")
    return path


def query(sock_path, command, args=None, timeout=10.0):
    """One request on bgpd's control socket (bgpd/api/protocol.hpp)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(json.dumps({"command": command, "args": args or {}}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    reply = json.loads(data)
    if not reply.get("ok"):
        raise Failure(f"{command}: {reply.get('error')}")
    return reply["result"]


def tail(path, lines=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def make_certs(run_dir):
    certs = os.path.join(run_dir, "certs")
    tool = os.path.join(REPO, "scripts", "lab-certs")
    process.run([tool, "ca", certs], timeout=30)
    for name, address in (("b", B_ADDR), ("a", A_ADDR), ("inject", INJ_ADDR)):
        process.run([tool, "router", certs, name, "--ca", os.path.join(certs, "ca"),
                     "--ip", address], timeout=30)
    return certs


def bgpd_config(run_dir, name, certs, mode, own, own_as, neighbors):
    """A bgpd config; neighbors: (address, asn, passive, local_address)."""
    tls_mode = {"tls": {"mode": "required", "handshake_timeout": "10s"}} if mode == "tls" else {}
    config = {
        "global": {
            "asn": own_as, "router_id": own,
            "listen": {"addresses": [own] if any(n[2] for n in neighbors) else [], "port": 179},
            "control_socket": os.path.join(run_dir, f"{name}-{mode}.sock"),
            "log": {"level": "info", "format": "json"},
        },
        "neighbors": [
            {"address": address, "asn": asn, "passive": passive, "connect_retry": "1s",
             **({"local_address": local} if local else {}), **tls_mode}
            for address, asn, passive, local in neighbors],
    }
    if mode == "tls":
        config["global"]["tls"] = {"ca_file": os.path.join(certs, "ca.pem"),
                                   "cert_file": os.path.join(certs, f"{name}.pem"),
                                   "key_file": os.path.join(certs, f"{name}.key")}
    path = os.path.join(run_dir, f"{name}-{mode}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    return path, config["global"]["control_socket"]


def handshake_ms(sock_path, address):
    """The TLS handshake time a bgpd shows for its neighbor (steady clock,
    microseconds), or None over plain TCP."""
    found = query(sock_path, "show neighbors", {"address": address})
    return found[0].get("tls", {}).get("handshake_ms") if found else None


def log_time(line):
    return datetime.datetime.strptime(line["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")


def connect_to_established_ms(log_path, offset=0):
    """From bgpd A's JSON log after `offset`: the last transition into
    Connect before the first "session established", and how many connects
    failed first."""
    start = None
    failures = 0
    with open(log_path, encoding="utf-8", errors="replace") as f:
        f.seek(offset)
        for raw in f:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            msg = line.get("msg", "")
            if msg.startswith("FSM ") and "-> Connect " in msg:
                start = log_time(line)
            elif msg.startswith("connect failed"):
                failures += 1
            elif msg.startswith("session established") and start is not None:
                return (log_time(line) - start).total_seconds() * 1000, failures
    return None, failures


class Lab:
    """One transport's namespaces and configs for `established`; daemons
    started here are stopped by pid in stop_all()."""

    def __init__(self, run_id, run_dir, mode, certs):
        self.run_dir, self.mode, self.certs = run_dir, mode, certs
        self.ns_b, self.ns_a = f"{run_id}-{mode}b", f"{run_id}-{mode}a"
        self.namespaces = []
        self.daemons = []
        self.bgpd = binary("BGPD_BIN", "bgpd/daemon/bgpd")
        self.inject = binary("BGP_INJECT_BIN", "tests/tools/injector/bgp_inject")

    def build(self):
        for ns in (self.ns_b, self.ns_a):
            netns.create(ns)
            self.namespaces.append(ns)
        netns.add_veth(self.ns_b, "veth0", self.ns_a, "veth0")
        netns.configure(self.ns_b, "veth0", f"{B_ADDR}/24", "fd00::1/64")
        netns.configure(self.ns_a, "veth0", f"{A_ADDR}/24", "fd00::2/64")
        process.run(["ip", "addr", "add", f"{INJ_ADDR}/24", "dev", "veth0"], netns=self.ns_a)
        self.configs = {
            "b": bgpd_config(self.run_dir, "b", self.certs, self.mode, B_ADDR, B_AS,
                             [(A_ADDR, A_AS, True, None), (INJ_ADDR, INJ_AS, True, None)]),
            "a": bgpd_config(self.run_dir, "a", self.certs, self.mode, A_ADDR, A_AS,
                             [(B_ADDR, B_AS, False, A_ADDR)]),
        }

    def start_bgpd(self, name, run):
        config, sock = self.configs[name]
        ns = self.ns_b if name == "b" else self.ns_a
        log = os.path.join(self.run_dir, f"{name}-{self.mode}-{run}.log")
        daemon = process.Daemon(ns, [self.bgpd, "--config", config],
                                os.path.join(self.run_dir, f"{name}-{self.mode}.pid"), log)
        self.daemons.append(daemon)
        return daemon, sock, log

    def stop(self, daemon):
        daemon.stop()
        self.daemons.remove(daemon)

    def start_pair(self, run):
        """B, then A once B's control socket answers; returns when A's
        session is Established: (a, a_sock, a_log, b, b_sock, measured)."""
        b, b_sock, b_log = self.start_bgpd("b", run)

        def b_answers():
            if not b.alive():
                raise Failure(f"bgpd B exited:\n{tail(b_log)}")
            try:
                return query(b_sock, "show neighbors")
            except (OSError, ValueError, Failure):
                return None
        process.wait_until(b_answers, 15, "bgpd B's control socket", interval=0.02)
        a, a_sock, a_log = self.start_bgpd("a", run)
        ms, failures = self.wait_established(a, a_log, 0)
        return a, a_sock, a_log, b, b_sock, {"bgpd_ms": ms, "connect_failures": failures,
                                             "bgpd_handshake_ms": handshake_ms(a_sock, B_ADDR)}

    def wait_established(self, a, a_log, offset):
        def established_ms():
            if not a.alive():
                raise Failure(f"bgpd A exited:\n{tail(a_log)}")
            ms, failures = connect_to_established_ms(a_log, offset)
            return (ms, failures) if ms is not None else None
        return process.wait_until(established_ms, 30, f"bgpd A Established ({self.mode})",
                                  interval=0.02)

    def warm_run(self, pair):
        """One clear cycle on running daemons (see the module comment)."""
        a, a_sock, a_log, _, b_sock = pair[:5]
        query(b_sock, "clear neighbor", {"address": A_ADDR})

        def a_left():
            state = query(a_sock, "show neighbors", {"address": B_ADDR})[0]["state"]
            return state if state != "Established" else None
        process.wait_until(a_left, 15, "bgpd A to leave Established", interval=0.005)
        offset = os.path.getsize(a_log)
        query(a_sock, "clear neighbor", {"address": B_ADDR})
        ms, failures = self.wait_established(a, a_log, offset)
        return {"bgpd_ms": ms, "connect_failures": failures,
                "bgpd_handshake_ms": handshake_ms(a_sock, B_ADDR)}

    def cold_run(self, run):
        """Fresh daemons: A -> B, then bgp_inject -> B."""
        a, _, _, b, _, measured = self.start_pair(run)
        self.stop(a)

        argv = [self.inject, "--peer", B_ADDR, "--local-address", INJ_ADDR,
                "--asn", str(INJ_AS), "--peer-as", str(B_AS), "--v4", "1"]
        if self.mode == "tls":
            argv += ["--tls-ca", os.path.join(self.certs, "ca.pem"),
                     "--tls-cert", os.path.join(self.certs, "inject.pem"),
                     "--tls-key", os.path.join(self.certs, "inject.key")]
        proc = subprocess.run(process.in_netns(self.ns_a, argv), capture_output=True, text=True,
                              timeout=60, check=False)
        try:
            report = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError) as err:
            raise Failure(f"bgp_inject ({self.mode}) printed no report: {proc.stderr}") from err
        if not report.get("ok"):
            raise Failure(f"bgp_inject ({self.mode}): {report}")
        self.stop(b)
        handshake = report.get("tls", {}).get("handshake_us") if self.mode == "tls" else None
        return {**measured, "inject_ms": report["established_ms"],
                "inject_handshake_ms": handshake / 1000 if handshake is not None else None}

    def stop_all(self):
        for daemon in reversed(self.daemons):
            daemon.stop()
        self.daemons.clear()
        for ns in self.namespaces:
            netns.delete(ns)
        self.namespaces.clear()


def baseline_context(certs, name, server):
    import ssl  # only the baseline needs it
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(os.path.join(certs, f"{name}.pem"), os.path.join(certs, f"{name}.key"))
    context.load_verify_locations(os.path.join(certs, "ca.pem"))
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["botls"])
    context.options |= ssl.OP_NO_TICKET
    return context


def baseline_server(args):
    """Hidden subcommand, run in B's namespace: accepts `count`
    connections one by one, each handshake to its end (wrap_socket raises
    on a failed one), then waits for the client's close."""
    context = baseline_context(args.certs, "b", server=True)
    with socket.create_server((B_ADDR, BASELINE_PORT)) as listener:
        listener.settimeout(30)
        print("ready", flush=True)
        for _ in range(args.count):
            conn, _ = listener.accept()
            with context.wrap_socket(conn, server_side=True) as tls:
                try:
                    tls.recv(1)  # the client closes without close_notify
                except OSError:
                    pass
    return 0


def baseline_client(args):
    """Hidden subcommand, run in A's namespace: prints a JSON list of the
    handshake times (ms, from the end of the TCP connect)."""
    context = baseline_context(args.certs, "a", server=False)
    times = []
    for _ in range(args.count):
        with socket.create_connection((B_ADDR, BASELINE_PORT), timeout=30) as conn:
            start = time.perf_counter()
            with context.wrap_socket(conn, server_hostname=B_ADDR):
                times.append((time.perf_counter() - start) * 1000)
    print(json.dumps(times))
    return 0


def baseline(lab, runs):
    """N+1 handshakes of plain OpenSSL (Python ssl) over the TLS lab's link."""
    me = os.path.abspath(__file__)
    count = str(runs + 1)
    server = subprocess.Popen(
        process.in_netns(lab.ns_b, [sys.executable, me, "_tls-server", lab.certs, count]),
        stdout=subprocess.PIPE, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise Failure("the baseline TLS server did not start")
        out = process.run([sys.executable, me, "_tls-client", lab.certs, count], netns=lab.ns_a,
                          timeout=120)
        if server.wait(30) != 0:
            raise Failure(f"the baseline TLS server exited {server.returncode}")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return {"handshake_ms": json.loads(out)[1:]}


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "mean": statistics.fmean(values), "n": len(values)}


def fmt_summary(s, digits):
    if s is None:
        return "-"
    return (f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f}, "
            f"mean {s['mean']:.{digits}f})")


def ratio(results, key):
    tcp, tls = summary(results["tcp"][key]), summary(results["tls"][key])
    return tls["median"] / tcp["median"] if tcp and tls and tcp["median"] > 0 else None


def record(results, mode, what, run, measured):
    for key, value in measured.items():
        results[mode].setdefault(key, []).append(value)
    print(f"   {what} run {run + 1:2d} {mode}: {json.dumps(measured)}", flush=True)


def established(args, run_id, run_dir):
    certs = make_certs(run_dir)
    labs = {mode: Lab(run_id, run_dir, mode, certs) for mode in MODES}
    cold = {mode: {} for mode in MODES}
    warm = {mode: {} for mode in MODES}
    try:
        for lab in labs.values():
            lab.build()
        for run in range(args.runs):
            for mode in MODES if run % 2 == 0 else tuple(reversed(MODES)):
                record(cold, mode, "cold", run, labs[mode].cold_run(run))
        base = baseline(labs["tls"], args.runs)
        pairs = {mode: labs[mode].start_pair("warm") for mode in MODES}
        for run in range(args.runs):
            for mode in MODES if run % 2 == 0 else tuple(reversed(MODES)):
                record(warm, mode, "warm", run, labs[mode].warm_run(pairs[mode]))
    finally:
        for lab in labs.values():
            lab.stop_all()

    print()
    print(f"Time to Established, {args.runs} runs per transport: median (min-max, mean), ms")
    print()
    print("| transport | bgpd -> bgpd, warm | of which TLS handshake (A) | bgpd -> bgpd, cold "
          "| of which TLS handshake (A) | bgp_inject -> bgpd | of which TLS handshake "
          "| connect retries |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for mode in MODES:
        c, w = cold[mode], warm[mode]
        print(f"| {mode} | {fmt_summary(summary(w['bgpd_ms']), 1)} "
              f"| {fmt_summary(summary(w['bgpd_handshake_ms']), 2)} "
              f"| {fmt_summary(summary(c['bgpd_ms']), 1)} "
              f"| {fmt_summary(summary(c['bgpd_handshake_ms']), 2)} "
              f"| {fmt_summary(summary(c['inject_ms']), 2)} "
              f"| {fmt_summary(summary(c['inject_handshake_ms']), 2)} "
              f"| {sum(c['connect_failures']) + sum(w['connect_failures'])} |")
    print()
    print(f"Baseline, OpenSSL without bgpd (Python ssl), {args.runs} handshakes: "
          f"{fmt_summary(summary(base['handshake_ms']), 2)} ms")
    for results, key, what in ((warm, "bgpd_ms", "bgpd -> bgpd, warm"),
                               (cold, "bgpd_ms", "bgpd -> bgpd, cold"),
                               (cold, "inject_ms", "bgp_inject -> bgpd")):
        value = ratio(results, key)
        print(f"TLS / TCP median, {what}: {value:.2f}" if value else f"{what}: no ratio")
    print("result: " + json.dumps({"cold": cold, "warm": warm, "baseline": base}))


def full_table(args, run_id, run_dir):
    del run_id, run_dir  # bench_full_table.sh names and cleans up its own
    script = os.path.join(REPO, "tests", "tools", "injector", "bench_full_table.sh")
    results = {mode: [] for mode in MODES}
    for run in range(args.runs):
        order = MODES if run % 2 == 0 else tuple(reversed(MODES))
        for mode in order:
            env = dict(os.environ, TLS="1" if mode == "tls" else "0", PREFIXES=str(args.prefixes))
            proc = subprocess.run([script], env=env, capture_output=True, text=True,
                                  timeout=args.timeout, check=False)
            sys.stdout.write(proc.stdout)
            if proc.returncode != 0:
                raise Failure(f"bench_full_table.sh ({mode}) exited {proc.returncode}:\n"
                              f"{proc.stderr}")
            lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("result: ")]
            if not lines:
                raise Failure(f"bench_full_table.sh ({mode}) printed no result line")
            results[mode].append(json.loads(lines[-1][len("result: "):]))

    keys = ("established_ms", "push_s", "converge_s", "routes_per_s", "bgpd_cpu_s",
            "inject_cpu_s", "rss_before_kb", "rss_after_kb", "hwm_kb", "bytes_per_route")
    medians = {mode: {k: statistics.median(r[k] for r in results[mode]) for k in keys}
               for mode in MODES}
    # The best run: what each transport costs with the least interference.
    best = {mode: min(results[mode], key=lambda r: r["converge_s"]) for mode in MODES}
    print()
    print(f"Full table ({args.prefixes:,} IPv4 prefixes), {args.runs} runs per transport")
    print()
    print("| transport | statistic | established ms | push s | transfer+convergence s | routes/s "
          "| bgpd CPU s | bgp_inject CPU s | RSS before MB | RSS after MB | VmHWM MB | bytes/route |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for what, table in (("median", medians), ("fastest run", best)):
        for mode in MODES:
            m = table[mode]
            print(f"| {mode} | {what} | {m['established_ms']:.1f} | {m['push_s']:.2f} "
                  f"| {m['converge_s']:.2f} | {m['routes_per_s']:,.0f} | {m['bgpd_cpu_s']:.2f} "
                  f"| {m['inject_cpu_s']:.2f} | {m['rss_before_kb'] / 1024:.1f} "
                  f"| {m['rss_after_kb'] / 1024:.1f} "
                  f"| {m['hwm_kb'] / 1024:.1f} | {m['bytes_per_route']:.0f} |")
    ratios = {k: medians["tls"][k] / medians["tcp"][k] for k in keys if medians["tcp"][k]}
    print("| TLS / TCP | median | "
          + " | ".join(f"{ratios[k]:.2f}" if k in ratios else "-" for k in keys) + " |")
    print("result: " + json.dumps({"runs": results, "medians": medians, "ratios": ratios}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    est = sub.add_parser("established", help="time to Established, TCP vs TLS")
    est.add_argument("--runs", type=int, default=15)
    full = sub.add_parser("full-table", help="full-table transfer, TCP vs TLS")
    full.add_argument("--runs", type=int, default=3)
    full.add_argument("--prefixes", type=int, default=1000000)
    full.add_argument("--timeout", type=float, default=3600, help="seconds per script run")
    for hidden in ("_tls-server", "_tls-client"):
        helper = sub.add_parser(hidden)
        helper.add_argument("certs")
        helper.add_argument("count", type=int)
    args = parser.parse_args()
    if args.what == "_tls-server":
        return baseline_server(args)
    if args.what == "_tls-client":
        return baseline_client(args)
    if os.geteuid() != 0:
        print("bench_tls: needs root (network namespaces)", file=sys.stderr)
        return 1
    if args.runs < 1 or args.runs > 1000:
        print("bench_tls: --runs must be 1..1000", file=sys.stderr)
        return 2

    def interrupted(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    run_id = netns.new_run_id()
    run_dir = netns.new_run_dir(run_id)
    started = time.monotonic()
    print(f"== bench_tls {args.what}: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        (established if args.what == "established" else full_table)(args, run_id, run_dir)
    except (Failure, RuntimeError, TimeoutError, subprocess.TimeoutExpired) as err:
        print(f"bench_tls: {err}", file=sys.stderr)
        if os.environ.get("KEEP"):
            print(f"run directory kept: {run_dir}", file=sys.stderr)
        return 1
    finally:
        if not os.environ.get("KEEP"):
            shutil.rmtree(run_dir, ignore_errors=True)
    print(f"== done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
