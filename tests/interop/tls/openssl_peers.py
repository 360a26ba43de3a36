"""TLS peers that break the profile's handshake rules, played by openssl
s_client (against bgpd's listener) and s_server (which bgpd connects to).
Profile section 1: TLS 1.3 only; the client offers exactly ALPN "botls"; a
server that does not select it fails the handshake (alert
no_application_protocol); no BGP byte before the handshake completes.

Hub `dut` (our bgpd) with one tls "required" neighbor per peer, each peer in
its own namespace with a valid certificate from dut's CA, so that the one
rule it breaks is the only reason to fail:
  c-other   s_client -alpn other           c-none   s_client without ALPN
  c-tls12   s_client -tls1_2               c-ok     s_client -alpn botls (control)
  s-other   s_server -alpn other           s-none   s_server without ALPN
  s-tls12   s_server -tls1_2               s-ok     s_server -alpn botls (control)
Checks: the controls complete a TLS 1.3 handshake with ALPN botls and then
carry bgpd's OPEN as application data (so the setup is sound); every other
peer gets no session, no BGP byte (no marker in what s_server received),
the expected alert where the profile names one, a failed attempt and a
reason in dut's CLI or log; dut stays alive and answering.

Usage (root, repository root): /usr/bin/python3 -m tests.interop.tls.openssl_peers
"""

import os
import sys
import time

from tests.harness.model import Neighbor
from tests.interop.tls import common

BUDGET = 60
WINDOW = 12.0        # seconds dut is watched after the clients started
CLIENT_EXIT = common.HANDSHAKE_TIMEOUT + 3.0
ALPN_REASON = (r"application.protocol", r"\balpn\b.*\b(missing|mismatch|not|none|no)\b",
               r"\b(no|missing|without|not|other)\b.*\balpn\b")
VERSION_REASON = (r"protocol version", r"unsupported protocol", r"wrong version")
NO_APP_PROTOCOL_ALERT = (r"no application protocol", r"alert number 120")

# name: (openssl mode, options, dut's reason, alert the peer must report or None)
PEERS = {
    "c-other": ("s_client", ["-tls1_3", "-alpn", "other"], ALPN_REASON, NO_APP_PROTOCOL_ALERT),
    "c-none": ("s_client", ["-tls1_3"], ALPN_REASON, NO_APP_PROTOCOL_ALERT),
    "c-tls12": ("s_client", ["-tls1_2", "-alpn", "botls"], VERSION_REASON,
                (r"protocol version", r"alert number 70")),
    "c-ok": ("s_client", ["-tls1_3", "-alpn", "botls"], None, None),
    "s-other": ("s_server", ["-tls1_3", "-alpn", "other"], ALPN_REASON, None),
    "s-none": ("s_server", ["-tls1_3"], ALPN_REASON, None),
    "s-tls12": ("s_server", ["-tls1_2", "-alpn", "botls"], VERSION_REASON, None),
    "s-ok": ("s_server", ["-tls1_3", "-alpn", "botls"], None, None),
}
CONTROLS = ("c-ok", "s-ok")


def argv(mode, files, options, dut_address):
    if mode == "s_client":
        return common.openssl_argv(mode, files, "-connect", f"{dut_address}:179", *options)
    return common.openssl_argv(mode, files, "-accept", "179", "-Verify", "1", *options)


def check_control(checks, name, output, entry):
    text = output.decode(errors="replace")
    if name == "c-ok":
        handshake = "New, TLSv1.3" in text and "ALPN protocol: botls" in text
    else:
        handshake = "ALPN protocols selected: botls" in text and "CIPHER is TLS_" in text
    checks(f"{name} (control): TLS 1.3 handshake with ALPN botls", handshake,
           "" if handshake else repr(text[-400:]))
    checks(f"{name} (control): bgpd's OPEN arrived as application data",
           common.BGP_MARKER in output, f"{len(output)} bytes of output")
    if name == "c-ok":
        checks("c-ok (control): dut sent no session ticket (profile section 1)",
               "New Session Ticket" not in text)
        state = common.tls_state(entry)
        checks("c-ok (control): dut shows the TLS connection in show neighbors",
               state.get("alpn") == "botls" and state.get("version") == "TLSv1.3",
               f"state {entry.get('state')}, tls {state}")


def check_refused(checks, name, peer, output, entry, log, exited):
    mode, _options, reason, alert = PEERS[name]
    text = output.decode(errors="replace")
    if mode == "s_client":
        checks(f"{name}: dut closed the connection within the handshake timeout", exited,
               "" if exited else f"s_client still connected {CLIENT_EXIT:.0f}s after its start")
    else:
        checks(f"{name}: no BGP byte reached the server", common.BGP_MARKER not in output,
               "BGP marker in s_server's received data" if common.BGP_MARKER in output else "")
    if alert:
        checks(f"{name}: the peer got the expected alert", common.matches(text, *alert),
               repr(text[-400:]))
    checks(f"{name}: never Established", entry.get("established_transitions") == 0,
           entry.get("state"))
    checks(f"{name}: dut counted a failed TLS attempt", common.attempts(entry) >= 1,
           entry.get("tls"))
    cli = common.failure_text(entry)
    lines = common.failure_lines(log, peer, reason)
    checks(f"{name}: the reason is shown", common.matches(cli, *reason) or lines,
           f"CLI: {cli!r}; log: {lines[-1:] or 'nothing matching'}")


def main():
    common.start_budget(BUDGET, "tls_openssl")
    checks = common.Checks("tls_openssl")
    spokes = [(name, None, None) for name in PEERS]
    topo = common.star("tlsopenssl", ("dut", "bgpd", 65500), spokes, 63)
    links = {name: common.spoke_addresses(topo, name)["ipv4"] for name in PEERS}
    with common.TlsLab(topo) as lab:
        certs = common.Certs(os.path.join(lab.run_dir, "certs"))
        ca = certs.ca("lab")
        dut_files = certs.router("dut", ca, [hub for hub, _ in links.values()])
        extra = [Neighbor(address=peer, local_address=hub, asn=65501 + i,
                          tls=common.tls("required"), passive=PEERS[name][0] == "s_client",
                          connect_retry=common.CONNECT_RETRY)
                 for i, (name, (hub, peer)) in enumerate(links.items())]
        lab.setup("dut", dut_files, extra=extra)
        tools = {}
        try:
            def launch(names):
                for name in names:
                    mode, options, _, _ = PEERS[name]
                    files = certs.router(name, ca, [links[name][1]])
                    tools[name] = common.Tool(lab.netns(name),
                                              argv(mode, files, options, links[name][0]),
                                              os.path.join(lab.run_dir, f"{name}.out"))
            launch([n for n in PEERS if PEERS[n][0] == "s_server"])
            lab.start()
            launch([n for n in PEERS if PEERS[n][0] == "s_client"])
            started = time.monotonic()
            ended = {}   # s_client name: seconds from its start to its exit

            def note_exits():
                for name, tool in tools.items():
                    if PEERS[name][0] == "s_client" and tool.proc.poll() is not None:
                        ended.setdefault(name, time.monotonic() - started)
            current = common.never_established(lab, "dut", [p for _, p in links.values()],
                                               started + WINDOW, also=note_exits)
            checks("no session Established with any openssl peer", True, f"{WINDOW:.0f}s")
            exited = {name: seconds <= CLIENT_EXIT for name, seconds in ended.items()}
            log = common.log_text(lab, "dut")
            for name, tool in tools.items():
                entry = current[links[name][1]]
                if name in CONTROLS:
                    check_control(checks, name, tool.output(), entry)
                else:
                    check_refused(checks, name, links[name][1], tool.output(), entry, log,
                                  exited.get(name))
            common.check_alive(lab, "dut")
            checks("dut alive and answering its CLI", True)
        finally:
            for tool in tools.values():
                tool.stop()
    return checks.exit_code()


if __name__ == "__main__":
    sys.exit(main())
