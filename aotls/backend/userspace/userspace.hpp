// aotls/backend/userspace/userspace.hpp - module header of aotls_userspace:
// the pure packet-processing core of the `userspace` TCP-AO backend.
//
// Owns: per-socket key rings with Linux's key rules (key_ring.hpp), per
// connection TCP-AO state (ISNs, SNE, traffic keys, its restoration from
// Linux TCP_AO_REPAIR values; connection.hpp), the rewriting of TCP option
// lists (insert/strip TCP-AO, lower MSS, trim SACK; tcp_rewrite.hpp),
// checksums (checksum.hpp), flow and ICMP classification (flow.hpp), and
// the packet-in / verdict-out engine (engine.hpp).
// Must not depend on: sockets, NFQUEUE, iptables, threads, clocks, logging,
// bgpd. The NFQUEUE shell (aotls/backend/nfqueue_*) does the I/O.
// Uses: aotls/segment (parsing, MAC input, sign/verify, SNE), aotls/crypto,
// aotls/keys (Mkt, KeyId), aotls/backend/backend.hpp (counter shapes, errors).
// Implements: RFC 5925 sections 2.2, 5.1, 5.2, 6.2, 7.5.1, 7.5.2 (incl. the
// RNextKeyID rule of e), 7.8; AO-TLS profile sections 2, 4 and 5.
#pragma once

#include "aotls/backend/userspace/checksum.hpp"
#include "aotls/backend/userspace/connection.hpp"
#include "aotls/backend/userspace/engine.hpp"
#include "aotls/backend/userspace/flow.hpp"
#include "aotls/backend/userspace/key_ring.hpp"
#include "aotls/backend/userspace/tcp_rewrite.hpp"
#include "aotls/backend/userspace/verdict.hpp"
