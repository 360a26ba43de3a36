"""The adapter interface: one BGP daemon in one namespace, configured from a
Speaker, queried through its own CLI or API."""

import abc
import os

from .. import process

ESTABLISHED = "Established"
READY_TIMEOUT = 15.0


class Adapter(abc.ABC):
    kind = ""

    def __init__(self, speaker, netns, run_dir):
        self.speaker = speaker
        self.netns = netns
        self.dir = os.path.join(run_dir, speaker.name)
        os.makedirs(self.dir, mode=0o700, exist_ok=True)  # configs hold passwords
        self.processes = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self):
        """Writes the config and spawns the daemon's processes; does not
        wait for the daemon to answer, so that every daemon of a lab starts
        before any is waited for. Each process gets <name>.pid and
        <name>.log in self.dir."""
        self.write_config()
        for argv in self.commands():
            name = os.path.basename(argv[0])
            self.processes.append(process.Daemon(self.netns, argv, self.path(f"{name}.pid"),
                                                 self.path(f"{name}.log"),
                                                 env=self.environment()))

    def ready(self):
        """Waits until the daemon answers its CLI; adapters that announce
        routes at run time extend this."""
        process.wait_until(self._answers, READY_TIMEOUT, f"{self.kind} on {self.speaker.name}")

    def _answers(self):
        for daemon in self.processes:
            if not daemon.alive():
                raise RuntimeError(f"{self.kind} on {self.speaker.name}: {daemon.proc.args} "
                                   f"exited {daemon.proc.returncode}:\n{self.log_tail()}")
        try:
            self.states()
        except (RuntimeError, OSError, ValueError):
            return False
        return True

    def stop(self):
        for daemon in reversed(self.processes):
            daemon.stop()

    def log_tail(self, lines=20):
        tails = []
        for daemon in self.processes:
            with open(daemon.log_file, encoding="utf-8", errors="replace") as f:
                tails.append(f"== {daemon.log_file}\n" + "".join(f.readlines()[-lines:]))
        return "".join(tails)

    def withdraw(self, route):
        """Stops announcing `route` to every neighbor."""
        self.speaker.routes.remove(route)
        self._withdraw(route)

    def environment(self):
        """Environment of the daemon's processes; None: the harness's."""
        return None

    @abc.abstractmethod
    def write_config(self):
        """Writes the daemon's config file(s) into self.dir."""

    @abc.abstractmethod
    def commands(self):
        """argv of each process of the daemon, in start order, each run in
        the foreground. Iterated lazily: a generator may wait for one
        process before yielding the next."""

    @abc.abstractmethod
    def states(self):
        """{neighbor address: state}; ESTABLISHED when the session is up."""

    @abc.abstractmethod
    def received_routes(self, neighbor):
        """{prefix: ReceivedRoute} learned from `neighbor` in its family."""

    @abc.abstractmethod
    def _withdraw(self, route):
        """Makes the running daemon withdraw `route` (already removed from
        the speaker)."""
