"""ExaBGP api process (run by ExaBGP itself, see exabgp.py).

ExaBGP writes its JSON events (session state, received updates) to our
stdin; we append them to EVENTS for the harness to read. The harness writes
API commands ("withdraw route ...") into FIFO; we pass them to ExaBGP on
stdout. When ExaBGP goes away our stdin closes and we exit with it.

Usage: exabgp_api.py FIFO EVENTS
"""

import os
import sys
import threading


def copy_events(path):
    with open(path, "a", encoding="utf-8", buffering=1) as out:
        for line in sys.stdin:
            out.write(line)
    os._exit(0)  # the main thread may be blocked in open(FIFO): leave at once


def main():
    fifo, events = sys.argv[1:3]
    threading.Thread(target=copy_events, args=(events,), daemon=True).start()
    while True:
        with open(fifo, encoding="utf-8") as commands:
            for line in commands:
                sys.stdout.write(line)
                sys.stdout.flush()


if __name__ == "__main__":
    main()
