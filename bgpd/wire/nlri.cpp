// bgpd/wire/nlri.cpp - <length, prefix> tuples (RFC 4271 4.3, RFC 4760 5).
#include "bgpd/wire/nlri.hpp"

#include <algorithm>

namespace bgpd::wire {

bool decode_prefixes(std::span<const std::uint8_t> bytes, Afi afi, std::vector<Prefix>& out) {
  ByteReader r(bytes);
  IpAddress zero;
  zero.family = afi;
  const std::size_t max_bits = zero.size() * 8;
  while (!r.empty()) {
    const std::uint8_t length = *r.u8();
    if (length > max_bits) return false;
    auto body = r.bytes((length + 7u) / 8u);
    if (!body) return false;
    IpAddress address = zero;
    std::copy(body->begin(), body->end(), address.bytes.begin());
    // Only the last copied octet can hold bits past the length (the rest of
    // the address is zero): clear them, as Prefix promises.
    if (length % 8 != 0) {
      address.bytes[length / 8] &= static_cast<std::uint8_t>(0xFF00u >> (length % 8));
    }
    out.push_back(Prefix{address, length});
  }
  return true;
}

void encode_prefix(ByteWriter& w, const Prefix& p) {
  w.u8(p.length);
  w.bytes(std::span(p.address.bytes).first((p.length + 7u) / 8u));
}

}  // namespace bgpd::wire
