"""The VM test bench's host side (issue 6): a real Linux TCP-AO under QEMU.

This machine's kernel has no CONFIG_TCP_AO, so tests of the kernel backend
boot a small Linux 6.12 (build-kernel.sh, cached under ~/.cache/bgpd-vm)
with an initramfs of busybox, our binaries and a scenario script
(make-initramfs.sh, init), and read back the result block the guest prints
on its serial console (run-vm.sh). This module drives those scripts with
time bounds; nothing here skips: a missing QEMU or a failed kernel build is
a failure.
"""

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def step(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _run(args, timeout, what):
    """Runs a bench script in its own process group (so a timeout also ends
    make or QEMU below it); its stderr streams to ours. Returns the
    CompletedProcess; raises TimeoutError after `timeout` seconds."""
    start = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        step(f"{what}: stopped after {time.monotonic() - start:.0f}s")
        raise
    step(f"{what}: {time.monotonic() - start:.0f}s, exit {proc.returncode}")
    return subprocess.CompletedProcess(args, proc.returncode, out)


# Executables the tests copy: (environment variable, path in build/release).
BINARIES = {
    "bgpd": ("BGPD_BIN", "bgpd/daemon/bgpd"),
    "bgpcli": ("BGPCLI_BIN", "bgpd/cli/bgpcli"),
    "ao_capture": ("AO_CAPTURE_BIN", "tests/vm/ao_capture"),
    "ao_seq_wrap": ("AO_SEQ_WRAP_BIN", "tests/vm/ao_seq_wrap"),
    "ao_replay": ("AO_REPLAY_BIN", "tests/tools/ao_replay/ao_replay"),
}


def binaries(workdir, names=("bgpd", "bgpcli")):
    """Private copies of the executables `names` (from BINARIES: the
    variable's path, else the release tree), so a rebuild during the run
    cannot change them."""
    found = {}
    for name in names:
        variable, built = BINARIES[name]
        source = os.environ.get(variable) or os.path.join(REPO, "build", "release", built)
        if not os.access(source, os.X_OK):
            raise RuntimeError(f"{name} not found at {source}: build it or set {variable}")
        found[name] = os.path.join(workdir, name)
        shutil.copy2(source, found[name])
    return found


def kernel(timeout):
    """The cached bzImage, built first if missing (build-kernel.sh)."""
    proc = _run([os.path.join(HERE, "build-kernel.sh")], timeout, "kernel (cached or built)")
    image = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not os.path.isfile(image):
        raise RuntimeError(f"build-kernel.sh failed (exit {proc.returncode})")
    return image


def guest_timeout(deadline, wanted):
    """The QEMU bound for a guest started now: `wanted` seconds, or what is
    left before `deadline` (time.monotonic()) minus teardown time. Raises
    when a first-run kernel build left too little (it resumes next run)."""
    left = int(deadline - time.monotonic()) - 30
    if left < 70:
        raise RuntimeError(f"only {left}s left for the guest after the kernel build; "
                           "the next run finds the kernel cached (or resumes its build)")
    return min(wanted, left)


def initramfs(out, scenario, payload, bins, timeout=300):
    args = [os.path.join(HERE, "make-initramfs.sh"), "--out", out, "--scenario", scenario,
            "--payload", payload]
    for path in bins:
        args += ["--bin", path]
    if _run(args, timeout, "initramfs").returncode != 0:
        raise RuntimeError("make-initramfs.sh failed")
    return out


class Guest:
    """A guest booting in the background (run-vm.sh in its own process
    group): the host can drive its side while the scenario runs."""

    def __init__(self, image, initrd, console, timeout, netns=None, tap=None):
        args = [os.path.join(HERE, "run-vm.sh"), "--kernel", image, "--initrd", initrd,
                "--console", console, "--timeout", str(timeout)]
        if tap:
            args += ["--netns", netns, "--tap", tap]
        self.console, self.timeout = console, timeout
        self.start = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)

    def running(self):
        return self.proc.poll() is None

    def result(self):
        """(scenario exit status, result block text) once the guest is
        down; raises when it printed no result block (crash, hang)."""
        try:
            out, _ = self.proc.communicate(timeout=self.timeout + 30)
        finally:
            self.stop()
        step(f"guest boot + scenario: {time.monotonic() - self.start:.0f}s, "
             f"exit {self.proc.returncode}")
        if not out.strip() and self.proc.returncode != 0:
            raise RuntimeError(f"no result from the guest (exit {self.proc.returncode}); "
                               f"console {self.console}")
        return self.proc.returncode, out

    def stop(self):
        if self.running():
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def boot_for_result(checks, work, image, initrd, deadline, wanted):
    """Boots the guest (console.log in the Workdir `work`) for at most
    `wanted` seconds and parses its JSON result: (status, result), or None
    after a failed check when the result is no JSON (`work` is kept)."""
    console = os.path.join(work.path, "console.log")
    status, text = Guest(image, initrd, console, guest_timeout(deadline, wanted)).result()
    try:
        return status, result_json(text)
    except ValueError as err:
        checks("the guest printed a JSON result", False, f"{err}: {text[:400]}")
        work.keep = True
        return None


def write_base64(path, lines):
    """Writes a file the guest returned as base64 lines (guest-lib.sh
    base64_json)."""
    with open(path, "wb") as f:
        f.write(base64.b64decode("".join(lines)))


PRINTK = re.compile(r"^\[\s*\d+\.\d+\] ")


def result_json(text):
    """The guest's JSON result; kernel messages that slipped into the block
    ("[   12.345678] ...") are dropped before parsing."""
    return json.loads("\n".join(l for l in text.splitlines() if not PRINTK.match(l)))


class Workdir:
    """A temporary directory, removed on success and kept (path printed)
    on failure for the console log."""

    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        self.keep = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None or self.keep:
            print(f"kept {self.path} (console.log, payload)", flush=True)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
        return False
