"""What the `ao` label's namespace tests share: two namespaces joined by a
veth pair, commands run in them, processes and temporary files tracked for
cleanup on every exit path (finally + SIGTERM), checks that print and count,
and the case runner with its time budget. Processes are stopped by pid.

Used by tests/ao/nfqueue/nfqueue_shell_test.py and
tests/ao/userspace/static_ao_test.py (they add this directory to sys.path).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

processes = []
temp_files = []
failures = []


def log(text):
    print(text, flush=True)


def expect(condition, what):
    log(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def run(argv, check=True, timeout=30):
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), result.returncode,
                                               result.stderr.strip()))
    return result


def ns(name, *argv):
    return ["ip", "netns", "exec", name] + list(argv)


def temp_path(tag, suffix):
    path = os.path.join(tempfile.gettempdir(), "%s-%d%s" % (tag, len(temp_files), suffix))
    temp_files.append(path)
    return path


def spawn(argv, **kwargs):
    """A process removed at cleanup; stdout and stderr piped as text."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)
    processes.append(proc)
    return proc


def veth_pair(ends):
    """ends: two (namespace, device, [address/prefix, ...]); IPv6 addresses
    skip duplicate address detection so they are usable at once."""
    (ns_a, dev_a, _), (ns_b, dev_b, _) = ends
    run(["ip", "netns", "add", ns_a])
    run(["ip", "netns", "add", ns_b])
    run(["ip", "link", "add", dev_a, "netns", ns_a, "type", "veth",
         "peer", "name", dev_b, "netns", ns_b])
    for name, dev, addresses in ends:
        for address in addresses:
            run(ns(name, "ip", "addr", "add", address, "dev", dev,
                   *(["nodad"] if ":" in address else [])))
        run(ns(name, "ip", "link", "set", dev, "up"))
        run(ns(name, "ip", "link", "set", "lo", "up"))


def cleanup(namespaces):
    for proc in processes:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for name in namespaces:
        # A concurrent "ip netns exec" can keep the mount busy for a moment.
        for _ in range(50):
            if not os.path.exists("/run/netns/" + name):
                break
            run(["ip", "netns", "del", name], check=False)
            time.sleep(0.1)
    for path in temp_files:
        if os.path.exists(path):
            os.unlink(path)


def wait_closed(namespaces, port, timeout=5):
    """Until no connection on `port` is still closing in the namespaces
    (TIME-WAIT sends nothing on its own): a shell stopped while a FIN or the
    last ACK is in flight lets that segment past unprocessed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [line for name in namespaces
                for line in run(ns(name, "ss", "-Htan")).stdout.splitlines()
                if ":%d " % port in line and not line.startswith(("LISTEN", "TIME-WAIT"))]
        if not busy:
            return True
        time.sleep(0.05)
    return False


class ReadyTool:
    """A test tool that creates `ready` once it serves its queues, and
    prints its counters as JSON when SIGTERM stops it."""

    def __init__(self, argv, ready):
        self.ready = ready
        self.proc = spawn(argv)

    def wait_ready(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.ready):
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        out, err = self.proc.communicate(timeout=15)
        if self.proc.returncode != 0:
            raise RuntimeError("tool exit %d: %s" % (self.proc.returncode, err.strip()))
        return json.loads(out)


class Terminated(Exception):
    pass


def _on_sigterm(signum, frame):
    # Unwind to main's finally (subprocess.run kills its child on the way);
    # cleaning up here, in the middle of whatever was running, raced with it.
    raise Terminated()


def main(argv, doc, namespaces, setup, cases, budget_s):
    """argv: [script, tool path]. Runs setup() then each case(tool) until
    the budget is spent; cleans up whatever happens. Exit status 1 on any
    failed check."""
    if len(argv) != 2:
        print(doc, file=sys.stderr)
        return 64
    if os.geteuid() != 0:
        print("needs root (network namespaces, iptables, NFQUEUE)", file=sys.stderr)
        return 1
    tool = os.path.abspath(argv[1])
    signal.signal(signal.SIGTERM, _on_sigterm)
    start = time.monotonic()
    try:
        setup()
        for case in cases:
            case(tool)
            if time.monotonic() - start > budget_s:
                failures.append("time budget of %d s exceeded" % budget_s)
                break
    except Terminated:
        failures.append("terminated by SIGTERM")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup(namespaces)
    log("%.1f s, %d failure(s)" % (time.monotonic() - start, len(failures)))
    return 1 if failures else 0
