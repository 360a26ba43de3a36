"""vm_bench_selftest (label vm): the bench's own failure paths, so that the
VM tests can only pass on a real result. About 45 s (one guest waits for
its scenario bound).

  - a guest that cannot boot (garbage initramfs) prints no result block:
    run-vm.sh exits 1 and says so;
  - a scenario's exit status and result come back through run-vm.sh;
  - a scenario that hangs is killed at the guest's bound (the QEMU
    timeout minus 30 s): status 137, what it wrote so far still printed;
  - build-kernel.sh refuses to build with less than 3 GB free (a private
    50 MB tmpfs as its cache), before downloading anything;
  - kernel messages inside the result block do not break its JSON, and
    only they are dropped.

Usage (root, repository root): /usr/bin/python3 -m unittest tests.vm.selftest
"""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests.vm import bench


class BenchSelfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.image = bench.kernel(timeout=800)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bgpd-vm-selftest-", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def scenario(self, text):
        path = os.path.join(self.dir, "scenario.sh")
        with open(path, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n" + text)
        return bench.initramfs(os.path.join(self.dir, "initrd.gz"), path, self.dir, [])

    def run_vm(self, initrd, timeout):
        return subprocess.run([os.path.join(bench.HERE, "run-vm.sh"), "--kernel", self.image,
                               "--initrd", initrd, "--console",
                               os.path.join(self.dir, "console.log"), "--timeout", str(timeout)],
                              capture_output=True, text=True, timeout=timeout + 30, check=False)

    def test_unbootable_guest_fails(self):
        initrd = os.path.join(self.dir, "garbage.gz")
        with open(initrd, "w", encoding="ascii") as f:
            f.write("not an initramfs\n")
        proc = self.run_vm(initrd, 90)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertIn("no result block", proc.stderr)

    def test_status_and_result_come_back(self):
        proc = self.run_vm(self.scenario('echo \'{"answer": 42}\' >"$VM_RESULT"\nexit 3\n'), 90)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(bench.result_json(proc.stdout), {"answer": 42})

    def test_hanging_scenario_is_killed_at_its_bound(self):
        proc = self.run_vm(self.scenario('echo partial >"$VM_RESULT"\nsleep 1000\n'), 61)
        self.assertEqual(proc.returncode, 137, proc.stderr)
        self.assertEqual(proc.stdout.strip(), "partial")

    def test_kernel_build_refused_without_disk_space(self):
        cache = os.path.join(self.dir, "cache")
        os.mkdir(cache)
        proc = subprocess.run(
            ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o size=50m tmpfs "$1" && '
             'BGPD_VM_CACHE="$1" "$2"', "sh", cache, os.path.join(bench.HERE, "build-kernel.sh")],
            capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(proc.stdout, "")
        self.assertIn("need ~3 GB free", proc.stderr)

    def test_printk_lines_dropped_from_the_result(self):
        text = '{"a": [\n[    7.123456] virtio_net virtio0: link up\n1]}'
        self.assertEqual(bench.result_json(text), {"a": [1]})
        self.assertEqual(bench.result_json('{"a": [\n[1, 2]\n]}'), {"a": [[1, 2]]})


if __name__ == "__main__":
    unittest.main()
