// bgpd/wire/update_packing.cpp - UPDATE packing.
#include "bgpd/wire/update_packing.hpp"

#include "bgpd/wire/attributes.hpp"
#include "bgpd/wire/header.hpp"
#include "bgpd/wire/nlri.hpp"

namespace bgpd::wire {
namespace {

// Header, Withdrawn Routes Length and Total Path Attribute Length.
constexpr std::size_t kUpdateOverhead = kHeaderSize + 2 + 2;

// Appends prefixes of `family` from `prefixes`, starting at `next`, while
// they fit `limit` octets of message; returns the index after the last one.
std::size_t fill(ByteWriter& w, std::size_t message_start, std::size_t limit,
                 std::span<const Prefix> prefixes, std::size_t next, Afi family) {
  for (; next < prefixes.size(); ++next) {
    const Prefix& p = prefixes[next];
    if (p.family() != family) continue;
    if (w.size() - message_start + prefix_wire_size(p) > limit) break;
    encode_prefix(w, p);
  }
  return next;
}

std::size_t skip_other(std::span<const Prefix> prefixes, std::size_t next, Afi family) {
  while (next < prefixes.size() && prefixes[next].family() != family) ++next;
  return next;
}

}  // namespace

common::Expected<std::size_t, EncodeError> UpdatePacker::announce(const PathAttributes& attrs,
                                                                  std::span<const Prefix> prefixes,
                                                                  std::vector<std::uint8_t>& out) {
  const std::size_t initial = out.size();
  const std::size_t limit = options_.max_message_size();
  std::size_t messages = 0;
  for (Afi afi : {Afi::Ipv4, Afi::Ipv6}) {
    std::size_t next = skip_other(prefixes, 0, afi);
    if (next == prefixes.size()) continue;
    const Family family{afi, Safi::Unicast};
    if (!attrs.next_hop || attrs.next_hop->family != afi) {
      out.resize(initial);
      return common::Unexpected(EncodeError::NextHopMissing);
    }
    const bool body = afi == Afi::Ipv4;
    attributes_.clear();
    ByteWriter aw(attributes_);
    encode_path_attributes({attrs, options_, body ? attrs.next_hop : std::optional<IpAddress>{}},
                           aw);
    const std::size_t fixed = kUpdateOverhead + attributes_.size() +
                              (body ? 0 : mp_reach_overhead(family, attrs.link_local_next_hop));
    // Room for the longest prefix of the family, so that every message
    // takes at least one prefix.
    const std::size_t longest = 1 + (body ? 4 : 16);
    if (fixed + longest > limit) {
      out.resize(initial);
      return common::Unexpected(EncodeError::AttributesTooLarge);
    }
    ByteWriter w(out);
    while (next < prefixes.size()) {
      const std::size_t start = begin_message(w, MessageType::Update);
      w.u16(0);  // no withdrawn routes
      const std::size_t attrs_at = w.reserve_u16();
      if (body) {
        w.bytes(attributes_);
        w.patch_u16(attrs_at, static_cast<std::uint16_t>(attributes_.size()));
        next = fill(w, start, limit, prefixes, next, afi);
      } else {
        // RFC 7606 5.1: MP_REACH_NLRI first, then the other attributes.
        const std::size_t mp =
            begin_mp_reach(w, family, *attrs.next_hop, attrs.link_local_next_hop);
        next = fill(w, start, limit - attributes_.size(), prefixes, next, afi);
        end_mp_attribute(w, mp);
        w.bytes(attributes_);
        w.patch_u16(attrs_at, static_cast<std::uint16_t>(w.size() - attrs_at - 2));
      }
      finish_message(w, start);
      ++messages;
      next = skip_other(prefixes, next, afi);
    }
  }
  return messages;
}

std::size_t UpdatePacker::withdraw(std::span<const Prefix> prefixes,
                                   std::vector<std::uint8_t>& out) {
  const std::size_t limit = options_.max_message_size();
  std::size_t messages = 0;
  ByteWriter w(out);
  for (Afi afi : {Afi::Ipv4, Afi::Ipv6}) {
    std::size_t next = skip_other(prefixes, 0, afi);
    while (next < prefixes.size()) {
      const std::size_t start = begin_message(w, MessageType::Update);
      if (afi == Afi::Ipv4) {
        // Withdrawn Routes in the body; the trailing Total Path Attribute
        // Length (0) is reserved in the limit.
        const std::size_t withdrawn_at = w.reserve_u16();
        next = fill(w, start, limit - 2, prefixes, next, afi);
        w.patch_u16(withdrawn_at, static_cast<std::uint16_t>(w.size() - withdrawn_at - 2));
        w.u16(0);
      } else {
        w.u16(0);
        const std::size_t attrs_at = w.reserve_u16();
        const std::size_t mp = begin_mp_unreach(w, kIpv6Unicast);
        next = fill(w, start, limit, prefixes, next, afi);
        end_mp_attribute(w, mp);
        w.patch_u16(attrs_at, static_cast<std::uint16_t>(w.size() - attrs_at - 2));
      }
      finish_message(w, start);
      ++messages;
      next = skip_other(prefixes, next, afi);
    }
  }
  return messages;
}

}  // namespace bgpd::wire
