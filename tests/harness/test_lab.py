"""Self-tests of bring-up and teardown (root: they create namespaces).

Run: /usr/bin/python3 -m unittest tests.harness.test_lab
"""

import json
import os
import signal
import subprocess
import sys
import unittest

from tests.harness import netns, process, topology
from tests.harness.lab import Lab
from tests.harness.test_topology import VALID

PAIR = os.path.join(topology.REPO_ROOT, "topologies", "pair.clab.yml")


def namespaces():
    return {name for name, _ in netns.owned()}


def addresses(ns, ifname):
    out = process.run(["ip", "-n", ns, "-j", "addr", "show", "dev", ifname])
    return {f"{a['local']}/{a['prefixlen']}" for a in json.loads(out)[0]["addr_info"]}


class BringUp(unittest.TestCase):
    def test_up_builds_the_links_and_down_removes_everything(self):
        topo = topology.parse(VALID)
        with Lab(topo, {"r1": None, "r2": None}) as lab:
            ns = set(lab.namespaces.values())
            self.assertLessEqual(ns, namespaces())
            self.assertIn("192.0.2.2/30", addresses(lab.netns("r2"), "eth1"))
            self.assertIn("fd00:255:1::1/64", addresses(lab.netns("r1"), "eth2"))
            run_dir = lab.run_dir
            self.assertTrue(os.path.isdir(run_dir))
        self.assertFalse(ns & namespaces())
        self.assertFalse(os.path.exists(run_dir))

    def test_parallel_labs_do_not_collide(self):
        topo = topology.parse(VALID)
        with Lab(topo, {"r1": None, "r2": None}) as one, Lab(topo, {"r1": None, "r2": None}) as two:
            self.assertFalse(set(one.namespaces.values()) & set(two.namespaces.values()))

    def test_sigterm_to_cli_up_tears_down_daemons_and_namespaces(self):
        up = subprocess.Popen([sys.executable, "-m", "tests.harness", "up", PAIR,
                               "--daemon", "r2=gobgp", "--timeout", "5"],
                              cwd=topology.REPO_ROOT, stdout=subprocess.PIPE, text=True)
        try:
            lines = []
            for line in up.stdout:
                lines.append(line)
                if line.startswith("up;"):
                    break
            self.assertTrue(lines and lines[-1].startswith("up;"), lines)
            # eth3's passwords differ (see the topology): only its sessions wait
            pending = next(line for line in lines if line.startswith("timed out"))
            self.assertIn("eth3", pending)
            self.assertNotIn("eth1", pending)
            self.assertNotIn("eth2", pending)
            mine = [n for n, pid in netns.owned() if pid == up.pid]
            self.assertEqual(len(mine), 2)
            daemon_pids = [p for n in mine for p in netns.pids(n)]
            self.assertTrue(daemon_pids)
            up.send_signal(signal.SIGTERM)
            self.assertEqual(up.wait(30), 128 + signal.SIGTERM)
        finally:
            if up.poll() is None:
                up.kill()
                up.wait()
                netns.cleanup_stale()
            up.stdout.close()
        self.assertFalse(set(mine) & namespaces())
        self.assertFalse([p for p in daemon_pids if process.pid_alive(p)])

    def test_cleanup_stale_removes_a_dead_runs_namespace_and_processes(self):
        dead = subprocess.Popen(["true"])
        dead.wait()
        name = f"{netns.PREFIX}{dead.pid}-1-x"
        netns.create(name)
        stray = subprocess.Popen(["ip", "netns", "exec", name, "sleep", "60"])
        try:
            process.wait_until(lambda: netns.pids(name), 5.0, "the stray process")
            live = Lab(topology.parse(VALID), {"r1": None, "r2": None})
            with live:
                self.assertIn(name, netns.cleanup_stale())
                # a live run is never stale
                self.assertLessEqual(set(live.namespaces.values()), namespaces())
            self.assertNotIn(name, namespaces())
            self.assertEqual(stray.wait(5), -signal.SIGTERM)
        finally:
            if stray.poll() is None:
                stray.kill()
                stray.wait()
            netns.delete(name)


if __name__ == "__main__":
    unittest.main()
