"""A topology brought up as one network namespace per node, one veth pair per
link and one BGP daemon per node that names one; torn down on every exit
path: the context manager, atexit, and SIGINT/SIGTERM/SIGHUP (turned into
SystemExit so that both run). What a SIGKILL leaves behind, `cleanup_stale`
removes (see netns.py); most daemons die with the harness
(PR_SET_PDEATHSIG, see process.py).

Sessions follow the links: every link carries one IPv4 and one IPv6 eBGP
session between its two endpoint addresses, with the link's TCP-MD5
passwords. Routes are given per node with `announce` before `start`.
"""

import atexit
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass

from . import daemons, netns, process
from .model import Neighbor, ReceivedRoute, Speaker
from .daemons.base import ESTABLISHED
from .topology import Link

FAMILIES = ("ipv4", "ipv6")
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_active = []
_installed = []


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def _teardown_all():
    for lab in list(_active):
        lab.down()


def _install_teardown():
    if _installed:
        return
    atexit.register(_teardown_all)
    if threading.current_thread() is threading.main_thread():
        for sig in _SIGNALS:
            signal.signal(sig, _exit_on_signal)
    _installed.append(True)


@dataclass(frozen=True)
class Session:
    link: Link
    family: str
    asns: tuple   # (AS of link.a's node, AS of link.b's node)

    @property
    def name(self):
        return f"{self.link.name}/{self.family}"

    @property
    def nodes(self):
        return self.link.a.node, self.link.b.node

    def _ends(self, node):
        a, b = self.link.a, self.link.b
        return (a, b, self.asns[1]) if a.node == node else (b, a, self.asns[0])

    def neighbor(self, node):
        """The session as `node` sees it."""
        local, peer, peer_asn = self._ends(node)
        return Neighbor(address=str(getattr(peer, self.family).ip),
                        local_address=str(getattr(local, self.family).ip),
                        asn=peer_asn, password=local.md5)

    def address(self, node):
        return str(getattr(self._ends(node)[0], self.family).ip)


class Lab:
    def __init__(self, topology, daemons_by_node=None):
        """`daemons_by_node` ({node: kind}) overrides the topology's
        bgp.daemon labels, so one topology serves every pair of daemons."""
        self.topology = topology
        overrides = daemons_by_node or {}
        unknown = set(overrides) - set(topology.nodes)
        if unknown:
            raise ValueError(f"no such node in {topology.name}: {', '.join(sorted(unknown))}")
        self.kinds = {name: overrides.get(name, node.daemon)
                      for name, node in topology.nodes.items()}
        for kind in filter(None, self.kinds.values()):
            daemons.adapter(kind)  # an unknown daemon fails here, before any bring-up
        self.run_id = netns.new_run_id()
        self.run_dir = None
        self.namespaces = {}
        self.adapters = {}
        self.routes = {name: [] for name in topology.nodes}
        asn = {name: node.asn for name, node in topology.nodes.items()}
        self.sessions = [Session(link, family, (asn[link.a.node], asn[link.b.node]))
                         for link in topology.links for family in FAMILIES
                         if self.kinds[link.a.node] and self.kinds[link.b.node]]

    def __enter__(self):
        try:
            self.up()
        except BaseException:
            self.down()  # __exit__ does not run when __enter__ fails
            raise
        return self

    def __exit__(self, *_exc):
        self.down()

    def netns(self, node):
        return f"{self.run_id}-{node}"

    def up(self):
        """Namespaces, links and addresses; no daemon yet."""
        _install_teardown()
        _active.append(self)
        self.run_dir = netns.new_run_dir(self.run_id)
        for node in self.topology.nodes:
            self.namespaces[node] = self.netns(node)  # recorded first: down() removes it
            netns.create(self.netns(node))
        for link in self.topology.links:
            netns.add_veth(self.netns(link.a.node), link.a.interface,
                           self.netns(link.b.node), link.b.interface)
            for end in (link.a, link.b):
                netns.configure(self.netns(end.node), end.interface, end.ipv4, end.ipv6)

    def session(self, endpoint, family):
        """The session of `family` on the link with endpoint 'node:iface'."""
        node, ifname = endpoint.split(":")
        for s in self.sessions:
            if s.family == family and (node, ifname) in (
                    (s.link.a.node, s.link.a.interface), (s.link.b.node, s.link.b.interface)):
                return s
        raise KeyError(f"no {family} session on {endpoint}")

    def announce(self, node, *routes):
        self.routes[node].extend(routes)

    def _speaker(self, name):
        node = self.topology.nodes[name]
        neighbors = [s.neighbor(name) for s in self.sessions if name in s.nodes]
        first_v4 = next((s.address(name) for s in self.sessions
                         if name in s.nodes and s.family == "ipv4"), "192.0.2.1")
        return Speaker(name, node.asn, node.router_id or first_v4, neighbors,
                       list(self.routes[name]))

    def start(self, sequential=False):
        """Starts every daemon, then waits until each answers its CLI;
        `sequential`: each answers before the next starts (in topology
        order), so no daemon ever meets a peer that is not up yet."""
        for name, kind in self.kinds.items():
            if kind:
                adapter = daemons.adapter(kind)(self._speaker(name), self.netns(name),
                                                self.run_dir)
                self.adapters[name] = adapter
                adapter.start()
                if sequential:
                    adapter.ready()
        for adapter in self.adapters.values():
            adapter.ready()

    def daemon(self, node):
        return self.adapters[node]

    def _states(self, sessions):
        """[(session, node, state)] for both ends of every session."""
        states = {node: adapter.states() for node, adapter in self.adapters.items()}
        return [(s, node, states[node].get(s.neighbor(node).address, "absent"))
                for s in sessions for node in s.nodes]

    def _pending(self, sessions):
        return [f"{s.name} at {node}: {state}"
                for s, node, state in self._states(sessions) if state != ESTABLISHED]

    def wait_established(self, sessions, timeout=30.0):
        """Both ends of every session report Established."""
        process.wait_until(lambda: self._pending(sessions), timeout,
                           "sessions to be Established", ok=lambda pending: not pending)

    def assert_never_established(self, sessions, until):
        """Polls until time.monotonic() reaches `until`; fails as soon as
        either end of a session reports Established."""
        while True:
            up = [f"{s.name} at {node}"
                  for s, node, state in self._states(sessions) if state == ESTABLISHED]
            if up:
                raise AssertionError(f"established although it must not: {up}")
            if time.monotonic() >= until:
                return
            time.sleep(0.5)

    def received(self, node, session):
        """{prefix: ReceivedRoute} that `node` learned over `session`."""
        return self.adapters[node].received_routes(session.neighbor(node))

    def wait_routes(self, node, session, prefixes, expected, timeout=20.0):
        """Waits until the routes `node` learned over `session`, restricted
        to `prefixes`, equal `expected` ({prefix: ReceivedRoute}); absent
        prefixes are how a withdrawal shows."""
        process.wait_until(
            lambda: {p: r for p, r in self.received(node, session).items() if p in prefixes},
            timeout, f"routes at {node} over {session.name}", ok=lambda got: got == expected)

    def expected_routes(self, peer, session, routes):
        """What the other end of `session` must hold from `peer`: the
        peer's routes ({node: [Route]}) of that family, next hop the peer's
        address, path led by the peer's AS."""
        asn = self.topology.nodes[peer].asn
        return {r.prefix: ReceivedRoute.make(r.prefix, session.address(peer), (asn, *r.as_path),
                                             r.communities, r.med)
                for r in routes[peer] if r.family == session.family}

    def wait_exchanged(self, sessions, routes):
        """Each end of each session holds exactly the other end's `routes`."""
        for session in sessions:
            for node, peer in (session.nodes, tuple(reversed(session.nodes))):
                wanted = self.expected_routes(peer, session, routes)
                self.wait_routes(node, session, set(wanted), wanted)

    def down(self):
        """Idempotent; signals are held off so a second Ctrl-C cannot cut
        the teardown short."""
        if self not in _active:
            return
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for adapter in self.adapters.values():
                _best_effort(adapter.stop)
            for name in self.namespaces.values():
                _best_effort(netns.delete, name)
            if self.run_dir:
                shutil.rmtree(self.run_dir, ignore_errors=True)
            _active.remove(self)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _best_effort(step, *args):
    """Teardown goes on past a failing step; the failure is reported."""
    try:
        step(*args)
    except Exception as err:  # every leftover must still be removed
        print(f"teardown: {step.__qualname__}{args}: {err}", file=sys.stderr)
