// bgpd/wire/capabilities.cpp - capability codec as a table (RFC 5492).
#include "bgpd/wire/capabilities.hpp"

#include <algorithm>

namespace bgpd::wire {
namespace {

// Decoders return false when the value does not match the capability's
// format; encoders write the value of every instance the set holds.
struct CapabilityDescriptor {
  CapabilityCode code;
  bool (*decode)(ByteReader& value, CapabilitySet& set);
  void (*encode)(const CapabilitySet& set, ByteWriter& w);
};

void emit(ByteWriter& w, CapabilityCode code, std::span<const std::uint8_t> value) {
  w.u8(static_cast<std::uint8_t>(code));
  w.u8(static_cast<std::uint8_t>(value.size()));
  w.bytes(value);
}

// A flag capability has an empty value (RFC 2918 2, RFC 7313 3, RFC 8654 3).
template <bool CapabilitySet::*Flag>
bool decode_flag(ByteReader& value, CapabilitySet& set) {
  set.*Flag = true;
  return value.empty();
}
template <bool CapabilitySet::*Flag, CapabilityCode Code>
void encode_flag(const CapabilitySet& set, ByteWriter& w) {
  if (set.*Flag) emit(w, Code, {});
}

// RFC 4760 section 8: AFI (2), reserved (1), SAFI (1).
bool decode_multiprotocol(ByteReader& value, CapabilitySet& set) {
  if (value.remaining() != 4) return false;
  const auto afi = static_cast<Afi>(*value.u16());
  value.u8();
  const auto safi = static_cast<Safi>(*value.u8());
  set.multiprotocol.push_back(Family{afi, safi});
  return true;
}
void encode_multiprotocol(const CapabilitySet& set, ByteWriter& w) {
  for (const auto& f : set.multiprotocol) {
    const auto afi = static_cast<std::uint16_t>(f.afi);
    const std::uint8_t v[4] = {static_cast<std::uint8_t>(afi >> 8), static_cast<std::uint8_t>(afi),
                               0, static_cast<std::uint8_t>(f.safi)};
    emit(w, CapabilityCode::Multiprotocol, v);
  }
}

// RFC 6793 section 3: the 4-octet AS number.
bool decode_four_octet_as(ByteReader& value, CapabilitySet& set) {
  if (value.remaining() != 4) return false;
  set.four_octet_as = *value.u32();
  return true;
}
void encode_four_octet_as(const CapabilitySet& set, ByteWriter& w) {
  if (!set.four_octet_as) return;
  const std::uint32_t as = *set.four_octet_as;
  const std::uint8_t v[4] = {static_cast<std::uint8_t>(as >> 24),
                             static_cast<std::uint8_t>(as >> 16),
                             static_cast<std::uint8_t>(as >> 8), static_cast<std::uint8_t>(as)};
  emit(w, CapabilityCode::FourOctetAs, v);
}

// RFC 4724 section 3: flags (4 bits) + restart time (12 bits), then
// <AFI (2), SAFI (1), flags (1)> per family.
bool decode_graceful_restart(ByteReader& value, CapabilitySet& set) {
  if (value.remaining() < 2 || (value.remaining() - 2) % 4 != 0) return false;
  GracefulRestart gr;
  const std::uint16_t head = *value.u16();
  gr.restart_flags = static_cast<std::uint8_t>(head >> 12);
  gr.restart_time = head & GracefulRestart::kMaxRestartTime;
  while (!value.empty()) {
    GracefulRestart::Entry e;
    e.family.afi = static_cast<Afi>(*value.u16());
    e.family.safi = static_cast<Safi>(*value.u8());
    e.flags = *value.u8();
    gr.families.push_back(e);
  }
  set.graceful_restart = std::move(gr);
  return true;
}
void encode_graceful_restart(const CapabilitySet& set, ByteWriter& w) {
  if (!set.graceful_restart) return;
  const auto& gr = *set.graceful_restart;
  std::vector<std::uint8_t> v;
  ByteWriter vw(v);
  vw.u16(static_cast<std::uint16_t>(((gr.restart_flags & 0x0F) << 12) |
                                    (gr.restart_time & GracefulRestart::kMaxRestartTime)));
  for (const auto& e : gr.families) {
    vw.u16(static_cast<std::uint16_t>(e.family.afi));
    vw.u8(static_cast<std::uint8_t>(e.family.safi));
    vw.u8(e.flags);
  }
  emit(w, CapabilityCode::GracefulRestart, v);
}

constexpr CapabilityDescriptor kCapabilities[] = {
    {CapabilityCode::Multiprotocol, decode_multiprotocol, encode_multiprotocol},
    {CapabilityCode::RouteRefresh, decode_flag<&CapabilitySet::route_refresh>,
     encode_flag<&CapabilitySet::route_refresh, CapabilityCode::RouteRefresh>},
    {CapabilityCode::ExtendedMessage, decode_flag<&CapabilitySet::extended_message>,
     encode_flag<&CapabilitySet::extended_message, CapabilityCode::ExtendedMessage>},
    {CapabilityCode::GracefulRestart, decode_graceful_restart, encode_graceful_restart},
    {CapabilityCode::FourOctetAs, decode_four_octet_as, encode_four_octet_as},
    {CapabilityCode::EnhancedRouteRefresh, decode_flag<&CapabilitySet::enhanced_route_refresh>,
     encode_flag<&CapabilitySet::enhanced_route_refresh, CapabilityCode::EnhancedRouteRefresh>},
};

const CapabilityDescriptor* find_capability(std::uint8_t code) {
  const auto* it = std::find_if(
      std::begin(kCapabilities), std::end(kCapabilities),
      [code](const CapabilityDescriptor& d) { return static_cast<std::uint8_t>(d.code) == code; });
  return it == std::end(kCapabilities) ? nullptr : it;
}

}  // namespace

common::Expected<void, DecodeError> decode_capabilities(std::span<const std::uint8_t> value,
                                                        CapabilitySet& set) {
  ByteReader r(value);
  while (!r.empty()) {
    auto code = r.u8();
    auto length = r.u8();
    auto body = length ? r.bytes(*length) : std::optional<std::span<const std::uint8_t>>{};
    if (!code || !body) {
      return common::Unexpected(open_error(OpenSubcode::Unspecific, {}, "capability truncated"));
    }
    const auto* desc = find_capability(*code);
    if (!desc) {
      set.unknown.push_back(RawCapability{*code, to_vector(*body)});
      continue;
    }
    ByteReader cr(*body);
    if (!desc->decode(cr, set)) {
      return common::Unexpected(open_error(OpenSubcode::Unspecific, {}, "capability malformed"));
    }
  }
  return {};
}

void encode_capabilities(const CapabilitySet& set, ByteWriter& w) {
  for (const auto& desc : kCapabilities) desc.encode(set, w);
  for (const auto& raw : set.unknown) {
    emit(w, static_cast<CapabilityCode>(raw.code), raw.value);
  }
}

}  // namespace bgpd::wire
