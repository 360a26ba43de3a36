// bgpd/wire/attributes.hpp - the path attribute descriptor table.
//
// RFC 4271 section 5 names each attribute's category (the required
// Optional / Transitive flags); RFC 7606 section 7 gives each one its
// length rule and the approach for a malformed instance. One row per
// attribute: decode, validate and encode hooks, as BIRD does.
//
// Attributes: ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF,
// ATOMIC_AGGREGATE, AGGREGATOR (RFC 4271), COMMUNITIES (RFC 1997),
// MP_REACH_NLRI, MP_UNREACH_NLRI (RFC 4760), AS4_PATH, AS4_AGGREGATOR
// (RFC 6793), LARGE_COMMUNITIES (RFC 8092).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/options.hpp"
#include "bgpd/wire/update.hpp"

namespace bgpd::wire {

enum class AttributeType : std::uint8_t {
  Origin = 1,
  AsPath = 2,
  NextHop = 3,
  MultiExitDisc = 4,
  LocalPref = 5,
  AtomicAggregate = 6,
  Aggregator = 7,
  Communities = 8,
  MpReachNlri = 14,
  MpUnreachNlri = 15,
  As4Path = 17,
  As4Aggregator = 18,
  LargeCommunities = 32,
};

// RFC 4271 section 4.3, Attribute Flags.
inline constexpr std::uint8_t kFlagOptional = 0x80;
inline constexpr std::uint8_t kFlagTransitive = 0x40;
inline constexpr std::uint8_t kFlagPartial = 0x20;
inline constexpr std::uint8_t kFlagExtendedLength = 0x10;
inline constexpr std::uint8_t kFlagCategory = kFlagOptional | kFlagTransitive;

// Why one attribute is malformed; the table row adds the action.
struct AttributeFault {
  UpdateSubcode subcode;
  std::string_view reason;
};

// What the decode hooks read and fill while one UPDATE is decoded.
struct AttributeDecodeState {
  const SessionOptions& options;
  Update& update;
  // Kept apart until every attribute is read: RFC 6793 4.2.3 merges them.
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
};

// What the encode hooks need.
struct AttributeEncodeInput {
  const PathAttributes& attrs;
  const SessionOptions& options;
  std::optional<IpAddress> ipv4_next_hop;  // NEXT_HOP is written only if set
};

struct LengthRule {
  std::uint16_t min = 0;
  std::uint16_t max = 0xFFFF;
  std::uint16_t multiple = 1;
  bool accepts(std::size_t n) const { return n >= min && n <= max && n % multiple == 0; }
};

struct AttributeDescriptor {
  AttributeType type;
  std::string_view name;
  std::uint8_t flags;  // the required Optional and Transitive bits
  LengthRule length;
  Action on_error;  // RFC 7606 section 7 approach for a malformed instance
  std::optional<AttributeFault> (*decode)(std::span<const std::uint8_t> value,
                                          AttributeDecodeState& state);
  // Semantic check after decode; nullptr when there is none.
  std::optional<AttributeFault> (*validate)(const AttributeDecodeState& state);
  // Writes the value, false when the attribute is absent. nullptr for
  // MP_REACH_NLRI / MP_UNREACH_NLRI: they carry NLRI and are written by the
  // UPDATE encoder and packer.
  bool (*encode)(const AttributeEncodeInput& in, ByteWriter& value);
  // Only meaningful between internal peers: from an external peer it is
  // discarded before any check (RFC 7606 7.5, RFC 4271 5.1.5).
  bool internal_only = false;
};

std::span<const AttributeDescriptor> attribute_table();
const AttributeDescriptor* find_attribute(std::uint8_t type);

// Writes <flags, type, length, value>; `write_value` appends the value. The
// Extended Length bit is used only when the value exceeds 255 octets, unless
// `always_extended` (the packer patches MP_* lengths in place).
template <class F>
void write_attribute(ByteWriter& w, std::uint8_t flags, std::uint8_t type, F&& write_value,
                     bool always_extended = false) {
  const std::size_t start = w.size();
  w.u8(static_cast<std::uint8_t>(flags | kFlagExtendedLength));
  w.u8(type);
  const std::size_t len_at = w.reserve_u16();
  write_value(w);
  const std::size_t length = w.size() - len_at - 2;
  if (always_extended || length > 255) {
    w.patch_u16(len_at, static_cast<std::uint16_t>(length));
    return;
  }
  w.patch_u8(start, static_cast<std::uint8_t>(flags & ~kFlagExtendedLength));
  w.patch_u8(len_at, static_cast<std::uint8_t>(length));
  w.erase(len_at + 1);
}

// Writes every attribute but MP_*: table rows in type order, the unknown
// transitive attributes merged in by type with the Partial bit set (RFC
// 4271 section 5: we did not recognize them).
void encode_path_attributes(const AttributeEncodeInput& in, ByteWriter& w);

// MP_REACH_NLRI / MP_UNREACH_NLRI are written in two steps so that the
// packer can add prefixes until a message is full: begin_* writes the header
// (always with Extended Length, RFC 4271 4.3 allows it for any length) and
// the fixed fields, the caller appends prefixes, end_mp_attribute() patches
// the length. RFC 7606 5.1: they go first among the attributes.
std::size_t begin_mp_reach(ByteWriter& w, Family family, const IpAddress& next_hop,
                           const std::optional<IpAddress>& link_local);
std::size_t begin_mp_unreach(ByteWriter& w, Family family);
void end_mp_attribute(ByteWriter& w, std::size_t start);
// Octets begin_mp_reach() writes.
std::size_t mp_reach_overhead(Family family, const std::optional<IpAddress>& link_local);

// RFC 6793 4.2.3 after all attributes are read (2-octet sessions only).
void merge_four_octet_attributes(AttributeDecodeState& state);

}  // namespace bgpd::wire
