"""The ONE place that writes our daemon's JSON config from a Speaker.

Field names follow ../shared/protocol/ao-tls-profile.md section 7 and the
config module (bgpd/config: global.listen, global.control_socket,
neighbors[].families, import/export policy chains, prefix_lists, policies,
networks). Interop sessions are plain BGP (tls and ao "off", md5 when the
neighbor has a password), since the peers have neither; a neighbor with
`tls` settings (model.NeighborTls) gets them, and the speaker's TLS files
(model.TlsFiles) become global.tls.

Originated routes are `networks` (communities, MED); the AS path a route
carries beyond our own AS is prepended by an export policy term, which can
repeat one AS only (policy::Actions prepend_asn x prepend_count).
"""

from .. import model

IMPORT = "harness-import"
EXPORT = "harness-export"


def _prepend(route):
    """(asn, count) of the export prepend for `route`, or None."""
    if not route.as_path:
        return None
    if len(set(route.as_path)) != 1:
        raise ValueError(f"bgpd can prepend one AS repeated, not {route.as_path} "
                         f"({route.prefix})")
    return route.as_path[0], len(route.as_path)


def _network(route):
    network = {"prefix": route.prefix, "communities": list(route.communities)}
    if route.med is not None:
        network["med"] = route.med
    return network


def _policies(speaker):
    prefix_lists, terms = {}, []
    for i, route in enumerate(speaker.routes):
        prepend = _prepend(route)
        if prepend is None:
            continue
        name = f"route-{i}"
        prefix_lists[name] = [{"prefix": route.prefix, "action": "permit"}]
        terms.append({"name": name, "match": {"prefix_list": name},
                      "set": {"prepend_asn": prepend[0], "prepend_count": prepend[1]},
                      "action": "accept"})
    policies = {IMPORT: {"terms": [], "default": "accept"},
                EXPORT: {"terms": terms, "default": "accept"}}
    return prefix_lists, policies


def _neighbor(neighbor):
    config = {
        "address": neighbor.address,
        "asn": neighbor.asn,
        "local_address": neighbor.local_address,
        "families": [f"{neighbor.family}-unicast"],
        "hold_time": f"{model.HOLD_TIME}s",
        "keepalive": f"{model.HOLD_TIME // 3}s",
        "connect_retry": f"{neighbor.connect_retry or model.CONNECT_RETRY}s",
        "import": [IMPORT],
        "export": [EXPORT],
        "tls": _neighbor_tls(neighbor.tls),
        "ao": _neighbor_ao(neighbor.ao),
    }
    if neighbor.passive:
        config["passive"] = True
    if neighbor.tls is not None and neighbor.tls.fallback is not None:
        config["fallback"] = neighbor.tls.fallback
    if neighbor.password is not None:
        config["md5"] = neighbor.password
    return config


def _neighbor_tls(tls):
    """neighbors[].tls; fields left None are the daemon's defaults."""
    if tls is None:
        return {"mode": "off"}
    fields = {"mode": tls.mode, "fallback_after": tls.fallback_after,
              "handshake_timeout": tls.handshake_timeout, "peer_name": tls.peer_name}
    return {k: v for k, v in fields.items() if v is not None}


def _neighbor_ao(ao):
    """neighbors[].ao; fields left None are the daemon's defaults."""
    if ao is None:
        return {"mode": "off"}
    fields = {"mode": ao.mode, "fallback_after": ao.fallback_after,
              "rekey_interval": ao.rekey_interval, "rekey_after_bytes": ao.rekey_after_bytes}
    if ao.announce is not None:
        fields["announce"] = dict(zip(("prot", "auth", "kdf"), ao.announce))
    if ao.keychain is not None:
        fields["keychain"] = [dict(key) for key in ao.keychain]
    return {k: v for k, v in fields.items() if v is not None}


def _global(speaker, control_socket):
    config = {
        "asn": speaker.asn,
        "router_id": speaker.router_id,
        "listen": {"addresses": ["0.0.0.0", "::"], "port": 179},
        "control_socket": control_socket,
    }
    if speaker.tls is not None:
        config["tls"] = {"ca_file": speaker.tls.ca_file, "cert_file": speaker.tls.cert_file,
                         "key_file": speaker.tls.key_file}
    if speaker.ao is not None:
        fields = {"backend": speaker.ao.backend, "keylog_file": speaker.ao.keylog_file,
                  "nfqueue_base": speaker.ao.nfqueue_base,
                  "tls_extension_type": speaker.ao.tls_extension_type}
        config["ao"] = {k: v for k, v in fields.items() if v is not None}
    return config


def render(speaker, control_socket):
    """The config as a JSON-ready dict."""
    prefix_lists, policies = _policies(speaker)
    return {
        "global": _global(speaker, control_socket),
        "neighbors": [_neighbor(n) for n in speaker.neighbors],
        "prefix_lists": prefix_lists,
        "policies": policies,
        "networks": [_network(r) for r in speaker.routes],
    }
