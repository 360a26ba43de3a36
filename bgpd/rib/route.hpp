// bgpd/rib/route.hpp - routes, route sources and RIB configuration.
//
// Owns: the vocabulary the RIB pieces share: PeerId, the per-peer route
// source information the decision process reads (RFC 4271 section 9.1.2.2
// d, f, g), the RIB-wide settings, and the hash of a Prefix.
// Must not depend on: sockets, Asio, clocks, logging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bgpd/policy/policy.hpp"
#include "bgpd/rib/attribute_store.hpp"
#include "bgpd/wire/types.hpp"

namespace bgpd::rib {

// Chosen by the daemon, unique per configured neighbor; 0 is reserved for
// routes this speaker originates (static networks).
using PeerId = std::uint32_t;
inline constexpr PeerId kLocalSource = 0;

struct RibConfig {
  std::uint32_t local_asn = 0;
  std::uint32_t router_id = 0;  // our BGP Identifier, host order
  // RFC 4271 section 9.1.1: the degree of preference of a route without
  // LOCAL_PREF (every eBGP-learned route: 5.1.5 says to ignore theirs).
  std::uint32_t default_local_pref = 100;
  // Compare MED across neighbor ASes too (RFC 4271 9.1.2.2 c allows it as
  // a configuration option).
  bool always_compare_med = false;
};

// One neighbor as the RIB sees it once the session is Established.
struct PeerInfo {
  PeerId id = 1;
  wire::IpAddress address;           // the neighbor's address (9.1.2.2 g)
  std::uint32_t asn = 0;             // equal to local_asn: iBGP
  std::uint32_t bgp_identifier = 0;  // from its OPEN, host order (9.1.2.2 f)
  // Our own address on this session, per family: the NEXT_HOP we send
  // (always toward eBGP, toward iBGP with next_hop_self or for our routes).
  std::optional<wire::IpAddress> local_address_v4;
  std::optional<wire::IpAddress> local_address_v6;
  bool next_hop_self = false;
  // Keep the pre-policy Adj-RIB-In so an import policy change re-runs
  // locally instead of needing a ROUTE-REFRESH (RFC 2918).
  bool soft_reconfiguration_inbound = false;
  // Families negotiated with Multiprotocol capabilities (RFC 4760).
  std::vector<wire::Afi> families{wire::Afi::Ipv4, wire::Afi::Ipv6};
  // Absent: the RFC 8212 default for the session type.
  std::optional<policy::Chain> import_policy;
  std::optional<policy::Chain> export_policy;
};

// A route in Adj-RIB-In / Loc-RIB: who sent it and its (post-import-policy)
// interned attributes. 16 bytes; the prefix is the key of the table.
struct Path {
  PeerId source = kLocalSource;
  AttrHandle attrs;
  bool operator==(const Path&) const = default;
};

// What the decision process and the export rules know about a source.
struct SourceInfo {
  PeerId id = kLocalSource;
  bool local = false;  // originated by this speaker
  bool ebgp = false;
  std::uint32_t bgp_identifier = 0;
  wire::IpAddress address;
};

struct PrefixHash {
  std::size_t operator()(const wire::Prefix& p) const noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      hi = (hi << 8) | p.address.bytes[i];
      lo = (lo << 8) | p.address.bytes[i + 8];
    }
    // A multiply-xorshift mix: table keys are dense, the hash must spread.
    std::uint64_t h = hi * 0x9E3779B97F4A7C15ULL ^ (lo + p.length + 0x51ULL);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h);
  }
};

}  // namespace bgpd::rib
