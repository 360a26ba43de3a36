// bgpd/wire/nlri.hpp - prefix encoding shared by the UPDATE body (RFC 4271
// section 4.3) and MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 section 5).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/types.hpp"

namespace bgpd::wire {

// Appends the prefixes of `bytes` to `out`. False on a syntax error (a
// length beyond the family's address size, or a prefix running past the
// field) - RFC 7606 section 5.3; `out` may then hold a partial result.
// Bits past the prefix length are cleared.
bool decode_prefixes(std::span<const std::uint8_t> bytes, Afi afi, std::vector<Prefix>& out);

inline std::size_t prefix_wire_size(const Prefix& p) {
  return 1 + (p.length + 7u) / 8u;
}
void encode_prefix(ByteWriter& w, const Prefix& p);

}  // namespace bgpd::wire
