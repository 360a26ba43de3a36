"""What a daemon adapter is asked to do (Speaker, Neighbor, Route) and the one
shape every adapter reports received routes in (ReceivedRoute)."""

import ipaddress
from dataclasses import dataclass, field

HOLD_TIME = 9        # seconds; keepalive is a third of it
CONNECT_RETRY = 1    # seconds, where the daemon lets us choose


def family_of(address_or_prefix):
    """'ipv4' or 'ipv6'."""
    net = ipaddress.ip_network(address_or_prefix, strict=False)
    return f"ipv{net.version}"


@dataclass(frozen=True)
class TlsFiles:
    """A speaker's TLS identity (BGP over TLS, profile section 1): PEM files
    as scripts/lab-certs makes them; the key must be private to its owner."""
    ca_file: str
    cert_file: str
    key_file: str


@dataclass(frozen=True)
class NeighborTls:
    """A neighbor's TLS settings (profile section 7 names); None leaves the
    daemon's default. `fallback` (none|static|md5) only means something
    with mode "preferred"."""
    mode: str = "required"              # required | preferred | off
    fallback_after: int | None = None   # failed TLS attempts before plain BGP
    handshake_timeout: str | None = None  # e.g. "3s"
    peer_name: str | None = None        # DNS name the peer certificate must carry
    fallback: str | None = None


@dataclass(frozen=True)
class NeighborAo:
    """A neighbor's TCP-AO settings (profile section 7 names); None leaves
    the daemon's default. `announce` is (prot, auth, kdf)."""
    mode: str = "opportunistic"         # opportunistic | required | static | off
    announce: tuple | None = None
    fallback_after: int | None = None   # connect timeouts before one attempt without AO
    keychain: tuple | None = None       # mode "static": neighbors[].ao.keychain entries (dicts)
    rekey_interval: str | None = None   # e.g. "1s": a rollover that often (profile section 4)
    rekey_after_bytes: int | None = None  # a rollover after that many bytes


@dataclass(frozen=True)
class GlobalAo:
    """The speaker's TCP-AO settings (global.ao)."""
    backend: str | None = None          # auto | kernel | userspace
    keylog_file: str | None = None
    nfqueue_base: int | None = None
    tls_extension_type: int | None = None


@dataclass(frozen=True)
class Neighbor:
    """One BGP session as seen from the local speaker. A session carries one
    address family, the one of its transport addresses."""
    address: str          # the peer's address
    local_address: str
    asn: int              # the peer's AS
    password: str | None = None   # TCP-MD5 (RFC 2385); never logged
    tls: NeighborTls | None = None  # None: plain BGP
    ao: NeighborAo | None = None    # None: ao off
    passive: bool = False           # never connects, only accepts
    connect_retry: int | None = None  # seconds; None: CONNECT_RETRY

    @property
    def family(self):
        return family_of(self.address)

    @property
    def ident(self):
        """A name safe in any daemon's config syntax."""
        return "n_" + self.address.replace(".", "_").replace(":", "_")


@dataclass(frozen=True)
class Route:
    """A route the speaker originates. `as_path` is what follows the
    speaker's own AS in the path its eBGP peers receive."""
    prefix: str
    as_path: tuple = ()        # ints
    communities: tuple = ()    # "asn:value" strings
    med: int | None = None

    @property
    def family(self):
        return family_of(self.prefix)


@dataclass(frozen=True)
class ReceivedRoute:
    """A route as learned from one neighbor (its Adj-RIB-In)."""
    prefix: str
    next_hop: str
    as_path: tuple             # ints, nearest AS first
    communities: tuple         # sorted "asn:value" strings
    med: int | None

    @staticmethod
    def make(prefix, next_hop, as_path, communities, med):
        """Normalises textual forms (address spelling, community order)."""
        return ReceivedRoute(str(ipaddress.ip_network(prefix)),
                             str(ipaddress.ip_address(next_hop)),
                             tuple(int(a) for a in as_path),
                             tuple(sorted(communities, key=_community_key)),
                             None if med is None else int(med))


def _community_key(community):
    high, low = community.split(":")
    return int(high), int(low)


def community_text(value):
    """RFC 1997 community from its 32-bit integer form."""
    return f"{value >> 16}:{value & 0xFFFF}"


@dataclass
class Speaker:
    """Everything one daemon is configured with."""
    name: str
    asn: int
    router_id: str
    neighbors: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    tls: TlsFiles | None = None   # needed by neighbors with TLS
    ao: GlobalAo | None = None    # None: the daemon's defaults

    def routes_of(self, family):
        return [r for r in self.routes if r.family == family]

    def families(self):
        return sorted({n.family for n in self.neighbors})
