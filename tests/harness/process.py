"""Processes and polling: run a command (optionally inside a namespace), keep a
daemon alive with a pid file, stop it by pid, and wait with a bounded timeout.

Daemons are started with PR_SET_PDEATHSIG=SIGTERM so that a harness killed
with SIGKILL (e.g. a ctest TIMEOUT) still takes its daemons down with it; the
daemon must therefore be started from the thread that lives as long as the
harness (the main thread).
"""

import ctypes
import os
import signal
import subprocess
import time

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def in_netns(netns, argv):
    """argv prefixed so that it runs inside `netns` (None: the current one)."""
    return list(argv) if netns is None else ["ip", "netns", "exec", netns, *argv]


def run(argv, netns=None, check=True, timeout=10.0):
    """Runs a short command; returns its stdout. Raises RuntimeError on a
    timeout, and on a non-zero exit when `check` (with stderr in the
    message)."""
    try:
        proc = subprocess.run(in_netns(netns, argv), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as err:
        raise RuntimeError(f"{' '.join(argv)} did not finish within {timeout:.0f}s") from err
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: "
                           f"{proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Daemon:
    """One long-running process inside a namespace, with its pid file and
    log file in the run directory. `ip netns exec` execs the command, so the
    pid is the daemon's own."""

    def __init__(self, netns, argv, pid_file, log_file, env=None):
        self.pid_file = pid_file
        self.log_file = log_file
        with open(log_file, "ab") as log:
            self.proc = subprocess.Popen(in_netns(netns, argv), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, env=env,
                                         preexec_fn=_die_with_parent)
        with open(pid_file, "w", encoding="ascii") as f:
            f.write(f"{self.proc.pid}\n")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def stop(self, grace=3.0):
        """SIGTERM, then SIGKILL after `grace` seconds; reaps the process."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(grace)
        if os.path.exists(self.pid_file):
            os.unlink(self.pid_file)


def kill_pid(pid, grace=2.0):
    """Stops a process we do not hold a handle for (stale runs, strays left in
    a namespace): SIGTERM, then SIGKILL. Returns when it is gone or after the
    grace time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)


def pid_alive(pid):
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_until(probe, timeout, what, ok=bool, interval=0.25):
    """Calls `probe()` until `ok(value)` holds, then returns the value.
    Raises TimeoutError naming `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if ok(value):
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}; "
                               f"last seen: {value!r}")
        time.sleep(interval)
