// tests/tools/tablegen/tablegen.hpp - seeded, realistic BGP table generator.
//
// Owns: synthetic full tables for tests and benchmarks: IPv4 prefix lengths
// spread like the DFZ (mostly /24, then /22, /23, /20, /21, /16-/19, a
// few shorter), IPv6 mostly /48 with /32-/47; AS paths of 2-8 ASes from a
// pool (the neighbor AS first, occasional prepending); communities,
// sometimes large communities and a MED; and attribute sharing like a real
// table: about one distinct attribute set per 10-15 prefixes, with a heavy
// tail (many sets with 1-3 prefixes, a few with hundreds).
// Deterministic: the same Params give the same table on every platform
// (own PRNG and own integer mapping; no std:: distributions, whose output
// is implementation-defined). Depends only on bgpd/wire/types.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "bgpd/wire/types.hpp"

namespace tablegen {

struct Params {
  std::size_t ipv4 = 0;
  std::size_t ipv6 = 0;
  std::uint64_t seed = 1;
  std::uint32_t peer_asn = 65001;  // first AS of every path (the neighbor)
  bgpd::wire::IpAddress next_hop_v4 = bgpd::wire::IpAddress::v4(0xC0000201);  // 192.0.2.1
  bgpd::wire::IpAddress next_hop_v6 = *bgpd::wire::IpAddress::parse("2001:db8::1");
};

// The prefixes that share one attribute set: one UPDATE's worth (split by
// size by whoever encodes it). All prefixes of a group have one family.
struct AttributeGroup {
  bgpd::wire::PathAttributes attributes;
  std::vector<bgpd::wire::Prefix> prefixes;
};

// The whole table, grouped; prefixes are distinct across all groups.
// IPv4 groups come first, then IPv6.
std::vector<AttributeGroup> generate_groups(const Params& params);

// The same table group by group, without holding all groups at once (the
// generator still keeps the set of prefixes used, ~40 bytes per prefix).
void generate(const Params& params, const std::function<void(const AttributeGroup&)>& sink);

// Flat form for small tests: one (prefix, attributes) per route.
std::vector<std::pair<bgpd::wire::Prefix, bgpd::wire::PathAttributes>> generate(std::size_t n_v4,
                                                                                std::size_t n_v6,
                                                                                std::uint64_t seed);

}  // namespace tablegen
