"""Manual use of the harness (run from the repository root, as root):

  /usr/bin/python3 -m tests.harness validate topologies/pair.clab.yml ...
  /usr/bin/python3 -m tests.harness up topologies/pair.clab.yml [--daemon r2=gobgp ...]
  /usr/bin/python3 -m tests.harness down pair          (or the topology file)
  /usr/bin/python3 -m tests.harness cleanup --stale

`up` stays in the foreground and owns the lab: Ctrl-C, SIGTERM or `down`
(which signals it) tears everything down. Its state file
/run/bgp-harness/<name>.json tells `down` whom to signal.
"""

import argparse
import json
import os
import signal
import sys

from . import netns, process, topology
from .lab import Lab

STATE_DIR = "/run/bgp-harness"


def _state_file(name):
    return os.path.join(STATE_DIR, f"{name}.json")


def _validate(args):
    failed = 0
    for path in args.files:
        try:
            topology.load(path)
            print(f"ok      {path}")
        except topology.TopologyError as err:
            failed += 1
            print(f"invalid {path}")
            for line in err.errors:
                print(f"  {line}")
    return 1 if failed else 0


def _print_lab(lab):
    for node, name in lab.namespaces.items():
        kind = lab.kinds[node] or "-"
        print(f"  {node:8} {kind:7} ip netns exec {name} bash")
    print(f"  run dir: {lab.run_dir}")


def _up(args):
    topo = topology.load(args.file)
    state = _state_file(topo.name)
    if os.path.exists(state):
        with open(state, encoding="utf-8") as f:
            if process.pid_alive(json.load(f)["pid"]):
                print(f"{topo.name} is already up (see {state})", file=sys.stderr)
                return 1
    os.makedirs(STATE_DIR, exist_ok=True)
    with Lab(topo, dict(args.daemon)) as lab:
        try:
            with open(state, "w", encoding="utf-8") as f:
                json.dump({"pid": os.getpid(), "run_dir": lab.run_dir,
                           "namespaces": lab.namespaces}, f)
            lab.start()
            _print_lab(lab)
            try:
                lab.wait_established(lab.sessions, args.timeout)
                print(f"all {len(lab.sessions)} sessions Established")
            except TimeoutError as err:
                print(err)
            print("up; Ctrl-C or `down` tears it down", flush=True)
            while True:
                signal.pause()
        finally:
            os.unlink(state)


def _down(args):
    name = topology.load(args.target).name if args.target.endswith(".yml") else args.target
    state = _state_file(name)
    try:
        with open(state, encoding="utf-8") as f:
            pid = json.load(f)["pid"]
    except FileNotFoundError:
        print(f"{name} is not up", file=sys.stderr)
        return 1
    process.kill_pid(pid, grace=20.0)
    if os.path.exists(state):  # the owner died without cleaning up
        os.unlink(state)
        netns.cleanup_stale()
    print(f"{name} down")
    return 0


def _cleanup(args):
    if not args.stale:
        print("cleanup only removes what dead runs left: pass --stale", file=sys.stderr)
        return 2
    for item in netns.cleanup_stale():
        print(f"removed {item}")
    for name in os.listdir(STATE_DIR) if os.path.isdir(STATE_DIR) else []:
        with open(os.path.join(STATE_DIR, name), encoding="utf-8") as f:
            owner = json.load(f)["pid"]
        if not process.pid_alive(owner):
            os.unlink(os.path.join(STATE_DIR, name))
            print(f"removed {os.path.join(STATE_DIR, name)}")
    return 0


def _node_daemon(spec):
    node, sep, kind = spec.partition("=")
    if not (node and sep and kind):
        raise argparse.ArgumentTypeError(f"{spec!r} is not NODE=KIND")
    return node, kind


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m tests.harness")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="schema and link checks")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=_validate)
    p = sub.add_parser("up", help="bring a topology up; stays in the foreground")
    p.add_argument("file")
    p.add_argument("--daemon", action="append", default=[], metavar="NODE=KIND",
                   type=_node_daemon,
                   help="override a node's bgp.daemon label")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds to wait for the sessions before reporting")
    p.set_defaults(run=_up)
    p = sub.add_parser("down", help="tear down a topology brought up with `up`")
    p.add_argument("target", help="topology name or file")
    p.set_defaults(run=_down)
    p = sub.add_parser("cleanup", help="remove leftovers of dead runs")
    p.add_argument("--stale", action="store_true")
    p.set_defaults(run=_cleanup)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ValueError as err:  # TopologyError included
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
