"""Daemon adapters by the name topology labels and tests use."""

from .bgpd import Bgpd
from .bird import Bird
from .exabgp import ExaBgp
from .frr import Frr
from .gobgp import GoBgp

ADAPTERS = {cls.kind: cls for cls in (Bird, Frr, GoBgp, ExaBgp, Bgpd)}


def adapter(kind):
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise ValueError(f"unknown daemon {kind!r}; known: {', '.join(sorted(ADAPTERS))}") \
            from None
