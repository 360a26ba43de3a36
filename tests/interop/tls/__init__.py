"""ctest label `tls`: BGP over TLS (issue 4, profile section 1), run as root
in network namespaces of each run (tests/harness), certificates from
scripts/lab-certs. One module per ctest, each with its own time budget:

  test_harness   lab-certs output and errors; TLS settings in bgpd's config
  startup        TLS setups bgpd refuses at startup (loose key, missing files)
  pair           two bgpd over TLS: routes both families, CLI TLS state,
                 tshark: ALPN botls ClientHello, no cleartext BGP marker
  certs          wrong CA, no IP SAN, expired: refused, reason shown
  openssl_peers  ALPN other/missing and TLS 1.2 peers (s_client, s_server)
  plain_bird     plain BIRD vs "required" (refused, retried) and "preferred"
                 (downgrade to plain BGP after fallback_after failures)
  bad_input      malformed TLS openings from raw sockets (raw_tls.py)

Run all: ctest --test-dir <build> -L tls; one: /usr/bin/python3 -m
tests.interop.tls.<module> from the repository root with BGPD_BIN and
BGPCLI_BIN set.
"""
