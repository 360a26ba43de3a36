"""Key sources for ao_verify: the default MKT, static MKTs from JSON, and
TLS-derived MKTs from the AO-TLS key log (profile section 6).

Owns: reading and validating key material into Mkt values, and the
profile's KeyID formulas (section 3). Secrets stay inside Mkt.secret and
are never part of any text this tool prints (repr excludes them, and error
messages name line numbers and fields, never values).
"""
import json
import re
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from tcpao import ALGORITHMS_BY_CODE, ALGORITHMS_BY_NAME, HMAC_SHA1_96, Algorithm

C2S, S2C = "c2s", "s2c"
# Profile section 3 / draft-piraux-tcp-ao-tls section 4.2: the default MKT.
DEFAULT_MKT_SECRET = bytes.fromhex("1cebb1ff")


class KeyFileError(Exception):
    """A key file or key log that cannot be used (exit status 2)."""


@dataclass(frozen=True)
class Mkt:
    """A Master Key Tuple (RFC 5925 section 3.1), minus the connection
    identifier: the verifier applies static keys to every flow."""
    send_id: int
    recv_id: int
    secret: bytes = field(repr=False)
    algorithm: Algorithm = field(repr=False)
    include_options: bool
    origin: str  # for reports: "default", "static #2", "keylog g=3"


def default_mkt() -> Mkt:
    """SendID = RecvID = 0, HMAC-SHA-1-96 with KDF_HMAC_SHA1, options
    excluded (profile section 3)."""
    return Mkt(0, 0, DEFAULT_MKT_SECRET, HMAC_SHA1_96, False, "default")


def client_key_id(g: int) -> int:
    """Profile section 3: c(g) = ((2g - 2) mod 254) + 1."""
    return ((2 * g - 2) % 254) + 1


def server_key_id(g: int) -> int:
    """Profile section 3: s(g) = ((2g - 1) mod 254) + 1."""
    return ((2 * g - 1) % 254) + 1


def key_id_for(direction: str, g: int) -> int:
    return client_key_id(g) if direction == C2S else server_key_id(g)


# --- static keys -----------------------------------------------------------

def load_static_keys(path: str) -> List[Mkt]:
    """A JSON list of MKTs, {"keys": [...]}, or a bgpd config (every
    neighbor's ao.keychain). Each MKT: send_id, recv_id, secret (text) or
    secret_hex, algorithm (default hmac-sha1-96), include_options (default
    true, RFC 5925 section 3.1's default)."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise KeyFileError("%s: %s" % (path, e)) from None
    entries = _key_entries(doc)
    return [_static_mkt(entry, "%s[%d]" % (path, i), i) for i, entry in enumerate(entries)]


def _key_entries(doc) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        return doc["keys"]
    if isinstance(doc, dict) and isinstance(doc.get("neighbors"), list):
        entries = []
        for neighbor in doc["neighbors"]:
            ao = neighbor.get("ao") if isinstance(neighbor, dict) else None
            chain = ao.get("keychain") if isinstance(ao, dict) else None
            entries.extend(chain or [])
        return entries
    raise KeyFileError("key file: expected a list of MKTs, {\"keys\": [...]} or a bgpd config")


def _static_mkt(entry, where: str, index: int) -> Mkt:
    if not isinstance(entry, dict):
        raise KeyFileError("%s: not an object" % where)
    ids = []
    for name in ("send_id", "recv_id"):
        value = entry.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 255:
            raise KeyFileError("%s: %s must be an integer 0..255" % (where, name))
        ids.append(value)
    if ("secret" in entry) == ("secret_hex" in entry):
        raise KeyFileError("%s: give exactly one of secret and secret_hex" % where)
    try:
        secret = (entry["secret"].encode("utf-8") if "secret" in entry
                  else bytes.fromhex(entry["secret_hex"]))
    except (AttributeError, ValueError):
        raise KeyFileError("%s: secret is not text / secret_hex is not hex" % where) from None
    if not secret:
        raise KeyFileError("%s: empty secret" % where)
    name = entry.get("algorithm", "hmac-sha1-96")
    algorithm = ALGORITHMS_BY_NAME.get(str(name).lower())
    if algorithm is None:
        raise KeyFileError("%s: unknown algorithm %r" % (where, name))
    include = entry.get("include_options", True)
    if not isinstance(include, bool):
        raise KeyFileError("%s: include_options must be true or false" % where)
    return Mkt(ids[0], ids[1], secret, algorithm, include, "static #%d" % index)


# --- key log ---------------------------------------------------------------

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")

# (client_random, direction) -> [(g, Mkt)]
KeyLog = Dict[Tuple[bytes, str], List[Tuple[int, Mkt]]]


def load_key_log(path: str) -> KeyLog:
    """Reads `TCPAO <client_random> <g> <c2s|s2c> <keyid> <prot> <auth>
    <kdf> <secret>` lines (profile section 6); other lines (comments,
    SSLKEYLOGFILE entries) are ignored. A malformed TCPAO line is an error
    that names its line number only."""
    keylog: KeyLog = {}
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise KeyFileError("%s: %s" % (path, e)) from None
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] != "TCPAO":
            continue
        client_random, direction, g, mkt = _key_log_entry(fields, "%s:%d" % (path, number))
        keylog.setdefault((client_random, direction), []).append((g, mkt))
    return keylog


def _key_log_entry(fields: List[str], where: str):
    if len(fields) != 9:
        raise KeyFileError("%s: a TCPAO line has 9 fields, this one %d" % (where, len(fields)))
    _, random_hex, g_text, direction, key_id, prot, auth, kdf_code, secret_hex = fields
    if not _HEX64.match(random_hex) or not _HEX64.match(secret_hex):
        raise KeyFileError("%s: client_random and secret must be 32 bytes of hex" % where)
    if direction not in (C2S, S2C):
        raise KeyFileError("%s: direction must be c2s or s2c" % where)
    try:
        g, key_id, prot, auth, kdf_code = map(int, (g_text, key_id, prot, auth, kdf_code))
    except ValueError:
        raise KeyFileError("%s: g, keyid, prot, auth, kdf must be decimal" % where) from None
    if g < 1 or key_id != key_id_for(direction, g):
        raise KeyFileError("%s: KeyID %d is not the profile's %s KeyID of generation %d"
                           % (where, key_id, direction, g))
    if prot not in (0, 1) or auth not in ALGORITHMS_BY_CODE or kdf_code != auth:
        raise KeyFileError("%s: prot/auth/kdf codes outside the profile's table" % where)
    mkt = Mkt(key_id, key_id, bytes.fromhex(secret_hex), ALGORITHMS_BY_CODE[auth],
              prot == 1, "keylog g=%d" % g)
    return bytes.fromhex(random_hex), direction, g, mkt
