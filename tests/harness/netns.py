"""Network namespaces, veth pairs and addresses, named per run.

Every name starts with `bgph<pid>-<n>-`: the pid of the harness process that
owns it, so that parallel runs never collide and `cleanup_stale` can tell the
leftovers of a dead run (its pid is gone) from a live one.
"""

import glob
import itertools
import os
import re
import shutil
import tempfile

from . import process

PREFIX = "bgph"
_OWNED = re.compile(rf"^{PREFIX}(\d+)-")
_runs = itertools.count(1)


def new_run_id():
    """Unique among live processes: owner pid plus a per-process counter."""
    return f"{PREFIX}{os.getpid()}-{next(_runs)}"


def new_run_dir(run_id):
    """Traversable by daemons that drop to their own user (FRR); each
    node's directory inside is private to the user its daemon runs as."""
    path = tempfile.mkdtemp(prefix=f"{run_id}-", dir=tempfile.gettempdir())
    os.chmod(path, 0o711)
    return path


def _ip(*args, netns=None):
    return process.run(["ip", *(["-n", netns] if netns else []), *args])


def create(name):
    """A namespace with lo up and IPv6 duplicate address detection off, so
    addresses are usable at once (interfaces created later inherit
    `default`)."""
    _ip("netns", "add", name)
    process.run(["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                 "net.ipv6.conf.default.accept_dad=0"], netns=name)
    _ip("link", "set", "lo", "up", netns=name)


def delete(name):
    """Stops whatever still runs inside (by pid), then removes the namespace
    and with it its veth ends."""
    for pid in pids(name):
        process.kill_pid(pid)
    process.run(["ip", "netns", "del", name], check=False)


def pids(name):
    out = process.run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in out.split()]


def add_veth(ns_a, if_a, ns_b, if_b):
    """Both ends are created directly inside their namespaces, so the
    topology's interface names never meet in the root namespace."""
    _ip("link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b, "netns", ns_b)


def configure(netns, ifname, ipv4, ipv6):
    _ip("addr", "add", str(ipv4), "dev", ifname, netns=netns)
    _ip("addr", "add", str(ipv6), "dev", ifname, "nodad", netns=netns)
    _ip("link", "set", ifname, "up", netns=netns)


def owned():
    """Harness namespaces of any run, as (name, owner pid)."""
    out = process.run(["ip", "netns", "list"], check=False)
    names = (line.split()[0] for line in out.splitlines() if line.strip())
    return [(n, int(m.group(1))) for n in names if (m := _OWNED.match(n))]


def cleanup_stale():
    """Removes namespaces and run directories whose owning process is gone;
    returns what was removed."""
    removed = []
    for name, pid in owned():
        if not process.pid_alive(pid):
            delete(name)
            removed.append(name)
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{PREFIX}*-*")):
        match = _OWNED.match(os.path.basename(path))
        if match and not process.pid_alive(int(match.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
