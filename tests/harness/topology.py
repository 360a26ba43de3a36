"""containerlab topology files: schema check and the model the namespace
runner brings up.

The schema is containerlab's own (draft-07), read from ../shared/vectors beside
the repository, never vendored. Four of its patterns use \\p{N}\\p{L}, which
Python's `re` rejects, so the `pattern` keyword is evaluated with `regex`.
The schema does not catch a link with one endpoint (its `prefixItems` is not
draft-07), nor endpoints naming unknown nodes: `check_links` does.

What the runner reads beyond containerlab (all schema-valid):
  node labels   bgp.daemon (bird|frr|gobgp|exabgp|bgpd), bgp.asn, bgp.router-id
  link ipv4/ipv6 one prefix per endpoint (else assigned: 10.255.<link>.1-2/24,
                fd00:255:<link>::1-2/64)
  link vars     md5: "pw" (both ends) or {node: "pw", ...} (per end)
"""

import ipaddress
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import regex
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT.parent / "shared" / "vectors" / "clab.schema.json"
IFNAMSIZ = 15  # Linux interface names: 15 characters plus NUL
_IFNAME = re.compile(r"^[A-Za-z0-9_.-]{1,%d}$" % IFNAMSIZ)


class TopologyError(ValueError):
    """A topology file the runner cannot bring up; `errors` lists every
    problem found, each prefixed with where it is."""

    def __init__(self, path, errors):
        super().__init__(f"{path}: " + "; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Node:
    name: str
    daemon: str | None
    asn: int | None
    router_id: str | None


@dataclass(frozen=True)
class Endpoint:
    node: str
    interface: str
    ipv4: ipaddress.IPv4Interface
    ipv6: ipaddress.IPv6Interface
    md5: str | None


@dataclass(frozen=True)
class Link:
    a: Endpoint
    b: Endpoint

    @property
    def name(self):
        return f"{self.a.node}:{self.a.interface}--{self.b.node}:{self.b.interface}"


@dataclass(frozen=True)
class Topology:
    name: str
    nodes: dict = field(default_factory=dict)   # name -> Node
    links: tuple = ()                          # Link, in file order


def _regex_pattern(validator, pattern, instance, _schema):
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _validator():
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator,
                                       {"pattern": _regex_pattern})
    return cls(schema)


def schema_errors(doc):
    """containerlab schema violations, each as 'json/path: message'."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors]


def link_errors(doc):
    """What the schema lets through but containerlab (and we) reject: a link
    needs exactly two 'node:interface' endpoints on declared nodes, interface
    names must fit IFNAMSIZ and be used once per node."""
    topo = doc.get("topology") if isinstance(doc, dict) else None
    if not isinstance(topo, dict):
        return []
    nodes = topo.get("nodes") or {}
    seen, errors = set(), []
    for i, link in enumerate(topo.get("links") or []):
        where = f"topology/links/{i}"
        ends = link.get("endpoints") if isinstance(link, dict) else None
        if not isinstance(ends, list) or len(ends) != 2:
            errors.append(f"{where}: a link needs exactly two endpoints")
            continue
        for end in ends:
            if not isinstance(end, str):
                errors.append(f"{where}: the namespace runner takes brief endpoints "
                              f"'node:interface' only")
                continue
            node, _, ifname = end.partition(":")
            if node not in nodes:
                errors.append(f"{where}: endpoint {end!r} names no node of the topology")
            if not _IFNAME.match(ifname):
                errors.append(f"{where}: interface {ifname!r} is not a valid name "
                              f"of at most {IFNAMSIZ} characters")
            if (node, ifname) in seen:
                errors.append(f"{where}: endpoint {end!r} is used twice")
            seen.add((node, ifname))
    return errors


def _node(name, spec):
    labels = (spec or {}).get("labels") or {}
    asn = labels.get("bgp.asn")
    if asn is not None and not str(asn).isdigit():
        raise ValueError(f"bgp.asn {asn!r} is not an AS number")
    return Node(name=name, daemon=labels.get("bgp.daemon"),
                asn=int(asn) if asn is not None else None,
                router_id=labels.get("bgp.router-id"))


def _addresses(link, index, family):
    given = link.get(family)
    if given is not None:
        if len(given) != 2:
            raise ValueError(f"{family} needs one prefix per endpoint")
        return [ipaddress.ip_interface(a) for a in given]
    if index > 255:
        raise ValueError(f"no {family} given and only 256 links get automatic addresses")
    base = f"10.255.{index}." if family == "ipv4" else f"fd00:255:{index:x}::"
    suffix = "/24" if family == "ipv4" else "/64"
    return [ipaddress.ip_interface(f"{base}{host}{suffix}") for host in (1, 2)]


def _md5(link, node):
    md5 = (link.get("vars") or {}).get("md5")
    return md5.get(node) if isinstance(md5, dict) else md5


def _model(doc):
    topo = doc["topology"]
    nodes, errors = {}, []
    for name, spec in (topo.get("nodes") or {}).items():
        try:
            nodes[name] = _node(name, spec)
        except ValueError as err:
            errors.append(f"topology/nodes/{name}: {err}")
    errors += [f"topology/nodes/{n.name}: bgp.daemon needs bgp.asn"
               for n in nodes.values() if n.daemon and n.asn is None]
    links = []
    for i, link in enumerate(topo.get("links") or []):
        try:
            v4, v6 = _addresses(link, i, "ipv4"), _addresses(link, i, "ipv6")
        except ValueError as err:
            errors.append(f"topology/links/{i}: {err}")
            continue
        ends = [str(e).split(":", 1) for e in link["endpoints"]]
        a, b = (Endpoint(node, ifname, v4[k], v6[k], _md5(link, node))
                for k, (node, ifname) in enumerate(ends))
        links.append(Link(a, b))
    return Topology(doc["name"], nodes, tuple(links)), errors


def parse(doc, path="<topology>"):
    """Validated Topology from a loaded YAML document; raises TopologyError
    listing every problem."""
    errors = schema_errors(doc) + link_errors(doc)
    if errors:
        raise TopologyError(path, errors)
    topology, errors = _model(doc)
    if errors:
        raise TopologyError(path, errors)
    return topology


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as err:
        raise TopologyError(path, [f"cannot read: {err}"]) from err
    return parse(doc, str(path))
