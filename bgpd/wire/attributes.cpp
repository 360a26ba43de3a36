// bgpd/wire/attributes.cpp - the path attribute table and its hooks.
#include "bgpd/wire/attributes.hpp"

#include <algorithm>

#include "bgpd/wire/as_path_codec.hpp"
#include "bgpd/wire/nlri.hpp"

namespace bgpd::wire {
namespace {

using Fault = std::optional<AttributeFault>;
constexpr Fault kOk = std::nullopt;

constexpr std::uint8_t kWellKnown = kFlagTransitive;  // RFC 4271 5
constexpr std::uint8_t kOptionalTransitive = kFlagOptional | kFlagTransitive;
constexpr std::uint8_t kOptionalNonTransitive = kFlagOptional;

IpAddress read_v4(ByteReader& r) {
  return IpAddress::v4(*r.u32());
}

// ORIGIN (RFC 4271 4.3 a; RFC 7606 7.1).
Fault decode_origin(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  s.update.attrs.origin = static_cast<Origin>(v[0]);
  return kOk;
}
Fault validate_origin(const AttributeDecodeState& s) {
  if (static_cast<std::uint8_t>(s.update.attrs.origin) > 2) {
    return AttributeFault{UpdateSubcode::InvalidOriginAttribute, "undefined ORIGIN value"};
  }
  return kOk;
}
bool encode_origin(const AttributeEncodeInput& in, ByteWriter& w) {
  w.u8(static_cast<std::uint8_t>(in.attrs.origin));
  return true;
}

// AS_PATH (RFC 4271 4.3 b, RFC 6793 for the octet count; RFC 7606 7.2).
Fault decode_as_path_attr(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  auto path = decode_as_path(v, s.options.four_octet_as);
  if (!path) return AttributeFault{UpdateSubcode::MalformedAsPath, "malformed AS_PATH"};
  s.update.attrs.as_path = std::move(*path);
  return kOk;
}
bool encode_as_path_attr(const AttributeEncodeInput& in, ByteWriter& w) {
  encode_as_path(in.attrs.as_path, in.options.four_octet_as, w);
  return true;
}

// NEXT_HOP (RFC 4271 4.3 c, 6.3; RFC 7606 7.3).
Fault decode_next_hop(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  ByteReader r(v);
  s.update.ipv4_next_hop = read_v4(r);
  return kOk;
}
Fault validate_next_hop(const AttributeDecodeState& s) {
  // RFC 4271 6.3: a syntactically incorrect NEXT_HOP. 0.0.0.0, the limited
  // broadcast and multicast addresses can never be a next hop.
  const std::uint32_t nh = s.update.ipv4_next_hop->v4_host_order();
  if (nh == 0 || nh == 0xFFFFFFFF || (nh >> 28) == 0xE) {
    return AttributeFault{UpdateSubcode::InvalidNextHopAttribute, "NEXT_HOP not a host address"};
  }
  return kOk;
}
bool encode_next_hop(const AttributeEncodeInput& in, ByteWriter& w) {
  if (!in.ipv4_next_hop) return false;
  w.u32(in.ipv4_next_hop->v4_host_order());
  return true;
}

// MULTI_EXIT_DISC (RFC 4271 4.3 d; RFC 7606 7.4).
Fault decode_med(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  s.update.attrs.med = *ByteReader(v).u32();
  return kOk;
}
bool encode_med(const AttributeEncodeInput& in, ByteWriter& w) {
  if (!in.attrs.med) return false;
  w.u32(*in.attrs.med);
  return true;
}

// LOCAL_PREF (RFC 4271 4.3 e, 5.1.5: ignored from and never sent to
// external peers; RFC 7606 7.5). The table row marks it internal-only.
Fault decode_local_pref(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  s.update.attrs.local_pref = *ByteReader(v).u32();
  return kOk;
}
bool encode_local_pref(const AttributeEncodeInput& in, ByteWriter& w) {
  if (!in.attrs.local_pref || !in.options.ibgp) return false;
  w.u32(*in.attrs.local_pref);
  return true;
}

// ATOMIC_AGGREGATE (RFC 4271 4.3 f; RFC 7606 7.6).
Fault decode_atomic_aggregate(std::span<const std::uint8_t>, AttributeDecodeState& s) {
  s.update.attrs.atomic_aggregate = true;
  return kOk;
}
bool encode_atomic_aggregate(const AttributeEncodeInput& in, ByteWriter&) {
  return in.attrs.atomic_aggregate;
}

// AGGREGATOR (RFC 4271 4.3 g; 8 octets with 4-octet ASNs, RFC 6793 3;
// RFC 7606 7.7) and AS4_AGGREGATOR (RFC 6793 3, 6).
std::optional<Aggregator> read_aggregator(std::span<const std::uint8_t> v, bool four_octet) {
  if (v.size() != (four_octet ? 8u : 6u)) return std::nullopt;
  ByteReader r(v);
  Aggregator a;
  a.asn = four_octet ? *r.u32() : *r.u16();
  a.address = read_v4(r);
  return a;
}
Fault decode_aggregator(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  auto a = read_aggregator(v, s.options.four_octet_as);
  if (!a) return AttributeFault{UpdateSubcode::AttributeLengthError, "AGGREGATOR length"};
  s.update.attrs.aggregator = *a;
  return kOk;
}
bool encode_aggregator(const AttributeEncodeInput& in, ByteWriter& w) {
  if (!in.attrs.aggregator) return false;
  const auto& a = *in.attrs.aggregator;
  if (in.options.four_octet_as) {
    w.u32(a.asn);
  } else {
    w.u16(a.asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(a.asn));
  }
  w.u32(a.address.v4_host_order());
  return true;
}
// RFC 6793 section 3 / 4.1: between NEW speakers AS4_PATH and
// AS4_AGGREGATOR are never sent, and discarded when received.
Fault decode_as4_aggregator(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  if (s.options.four_octet_as) return kOk;
  s.as4_aggregator = read_aggregator(v, true);
  return kOk;
}
bool encode_as4_aggregator(const AttributeEncodeInput& in, ByteWriter& w) {
  if (in.options.four_octet_as || !in.attrs.aggregator || in.attrs.aggregator->asn <= 0xFFFF) {
    return false;
  }
  w.u32(in.attrs.aggregator->asn);
  w.u32(in.attrs.aggregator->address.v4_host_order());
  return true;
}

// AS4_PATH (RFC 6793 3, 4.2.2; malformed: attribute discard, RFC 6793 6).
Fault decode_as4_path(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  if (s.options.four_octet_as) return kOk;
  auto path = decode_as_path(v, true);
  if (!path) return AttributeFault{UpdateSubcode::MalformedAsPath, "malformed AS4_PATH"};
  s.as4_path = std::move(*path);
  return kOk;
}
bool encode_as4_path(const AttributeEncodeInput& in, ByteWriter& w) {
  if (in.options.four_octet_as || !needs_four_octets(in.attrs.as_path)) return false;
  encode_as_path(as4_path_of(in.attrs.as_path), true, w);
  return true;
}

// COMMUNITIES (RFC 1997; RFC 7606 7.8) and LARGE_COMMUNITIES (RFC 8092 6),
// kept sorted and unique as PathAttributes promises.
template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}
Fault decode_communities(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  ByteReader r(v);
  auto& out = s.update.attrs.communities;
  while (!r.empty()) out.push_back(*r.u32());
  sort_unique(out);
  return kOk;
}
bool encode_communities(const AttributeEncodeInput& in, ByteWriter& w) {
  for (auto c : in.attrs.communities) w.u32(c);
  return !in.attrs.communities.empty();
}
Fault decode_large_communities(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  ByteReader r(v);
  auto& out = s.update.attrs.large_communities;
  while (!r.empty()) out.push_back(LargeCommunity{*r.u32(), *r.u32(), *r.u32()});
  sort_unique(out);
  return kOk;
}
bool encode_large_communities(const AttributeEncodeInput& in, ByteWriter& w) {
  for (const auto& c : in.attrs.large_communities) {
    w.u32(c.global_admin);
    w.u32(c.local_data1);
    w.u32(c.local_data2);
  }
  return !in.attrs.large_communities.empty();
}

// MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 3, 4, 7; RFC 7606 7.11):
// errors are "Optional Attribute Error" and reset the session. Their length
// rule accepts anything so that every length problem is reported here with
// that subcode.
constexpr AttributeFault kMpFault{UpdateSubcode::OptionalAttributeError, "malformed MP attribute"};

std::optional<Family> read_family(ByteReader& r) {
  auto afi = r.u16();
  auto safi = r.u8();
  if (!afi || !safi) return std::nullopt;
  const Family f{static_cast<Afi>(*afi), static_cast<Safi>(*safi)};
  if (f != kIpv4Unicast && f != kIpv6Unicast) return std::nullopt;
  return f;
}

Fault decode_mp_reach(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  ByteReader r(v);
  auto family = read_family(r);
  auto nh_len = r.u8();
  if (!family || !nh_len) return kMpFault;
  // RFC 4760 3: IPv4 next hop 4 octets; RFC 2545 3: IPv6 global (16),
  // optionally followed by the link-local address (32).
  const bool v4 = family->afi == Afi::Ipv4;
  if (v4 ? *nh_len != 4 : (*nh_len != 16 && *nh_len != 32)) {
    return AttributeFault{UpdateSubcode::OptionalAttributeError, "MP next hop length"};
  }
  auto nh = r.bytes(*nh_len);
  auto reserved = r.u8();
  if (!nh || !reserved) return kMpFault;
  auto& attrs = s.update.attrs;
  IpAddress global;
  global.family = family->afi;
  std::copy_n(nh->begin(), v4 ? 4 : 16, global.bytes.begin());
  attrs.next_hop = global;
  if (*nh_len == 32) {
    IpAddress ll;
    ll.family = Afi::Ipv6;
    std::copy_n(nh->begin() + 16, 16, ll.bytes.begin());
    attrs.link_local_next_hop = ll;
  }
  s.update.mp_reach_family = *family;
  if (!decode_prefixes(r.rest(), family->afi, s.update.nlri)) {
    return AttributeFault{UpdateSubcode::OptionalAttributeError, "MP_REACH_NLRI prefix"};
  }
  return kOk;
}

Fault decode_mp_unreach(std::span<const std::uint8_t> v, AttributeDecodeState& s) {
  ByteReader r(v);
  auto family = read_family(r);
  if (!family) return kMpFault;
  s.update.mp_unreach_family = *family;
  if (!decode_prefixes(r.rest(), family->afi, s.update.withdrawn)) {
    return AttributeFault{UpdateSubcode::OptionalAttributeError, "MP_UNREACH_NLRI prefix"};
  }
  return kOk;
}

constexpr LengthRule kAny{};
constexpr LengthRule exactly(std::uint16_t n) {
  return {n, n, 1};
}

// Ascending type order: the encoder writes rows in this order (RFC 4271 5).
constexpr AttributeDescriptor kTable[] = {
    {AttributeType::Origin, "ORIGIN", kWellKnown, exactly(1), Action::TreatAsWithdraw,
     decode_origin, validate_origin, encode_origin},
    {AttributeType::AsPath, "AS_PATH", kWellKnown, kAny, Action::TreatAsWithdraw,
     decode_as_path_attr, nullptr, encode_as_path_attr},
    {AttributeType::NextHop, "NEXT_HOP", kWellKnown, exactly(4), Action::TreatAsWithdraw,
     decode_next_hop, validate_next_hop, encode_next_hop},
    {AttributeType::MultiExitDisc, "MULTI_EXIT_DISC", kOptionalNonTransitive, exactly(4),
     Action::TreatAsWithdraw, decode_med, nullptr, encode_med},
    {AttributeType::LocalPref, "LOCAL_PREF", kWellKnown, exactly(4), Action::TreatAsWithdraw,
     decode_local_pref, nullptr, encode_local_pref, true},
    {AttributeType::AtomicAggregate, "ATOMIC_AGGREGATE", kWellKnown, exactly(0),
     Action::AttributeDiscard, decode_atomic_aggregate, nullptr, encode_atomic_aggregate},
    {AttributeType::Aggregator, "AGGREGATOR", kOptionalTransitive, kAny, Action::AttributeDiscard,
     decode_aggregator, nullptr, encode_aggregator},
    {AttributeType::Communities,
     "COMMUNITIES",
     kOptionalTransitive,
     {4, 0xFFFF, 4},
     Action::TreatAsWithdraw,
     decode_communities,
     nullptr,
     encode_communities},
    {AttributeType::MpReachNlri, "MP_REACH_NLRI", kOptionalNonTransitive, kAny,
     Action::SessionReset, decode_mp_reach, nullptr, nullptr},
    {AttributeType::MpUnreachNlri, "MP_UNREACH_NLRI", kOptionalNonTransitive, kAny,
     Action::SessionReset, decode_mp_unreach, nullptr, nullptr},
    {AttributeType::As4Path, "AS4_PATH", kOptionalTransitive, kAny, Action::AttributeDiscard,
     decode_as4_path, nullptr, encode_as4_path},
    {AttributeType::As4Aggregator, "AS4_AGGREGATOR", kOptionalTransitive, exactly(8),
     Action::AttributeDiscard, decode_as4_aggregator, nullptr, encode_as4_aggregator},
    {AttributeType::LargeCommunities,
     "LARGE_COMMUNITIES",
     kOptionalTransitive,
     {12, 0xFFFF, 12},
     Action::TreatAsWithdraw,
     decode_large_communities,
     nullptr,
     encode_large_communities},
};

void write_unknown(ByteWriter& w, const UnknownAttribute& u) {
  const auto flags = static_cast<std::uint8_t>((u.flags | kFlagPartial) & ~kFlagExtendedLength);
  write_attribute(w, flags, u.type, [&u](ByteWriter& vw) { vw.bytes(u.value); });
}

}  // namespace

std::span<const AttributeDescriptor> attribute_table() {
  return kTable;
}

const AttributeDescriptor* find_attribute(std::uint8_t type) {
  const auto* it = std::find_if(std::begin(kTable), std::end(kTable), [type](const auto& d) {
    return static_cast<std::uint8_t>(d.type) == type;
  });
  return it == std::end(kTable) ? nullptr : it;
}

void encode_path_attributes(const AttributeEncodeInput& in, ByteWriter& w) {
  auto unknown = in.attrs.unknown.begin();
  const auto unknown_end = in.attrs.unknown.end();
  for (const auto& row : kTable) {
    if (!row.encode) continue;
    const auto type = static_cast<std::uint8_t>(row.type);
    for (; unknown != unknown_end && unknown->type < type; ++unknown) write_unknown(w, *unknown);
    const std::size_t start = w.size();
    bool present = true;
    write_attribute(w, row.flags, type, [&](ByteWriter& vw) { present = row.encode(in, vw); });
    if (!present) w.truncate(start);
  }
  for (; unknown != unknown_end; ++unknown) write_unknown(w, *unknown);
}

namespace {
void write_family(ByteWriter& w, Family family) {
  w.u16(static_cast<std::uint16_t>(family.afi));
  w.u8(static_cast<std::uint8_t>(family.safi));
}
std::size_t begin_mp(ByteWriter& w, AttributeType type) {
  const std::size_t start = w.size();
  w.u8(kOptionalNonTransitive | kFlagExtendedLength);
  w.u8(static_cast<std::uint8_t>(type));
  w.u16(0);
  return start;
}
}  // namespace

std::size_t begin_mp_reach(ByteWriter& w, Family family, const IpAddress& next_hop,
                           const std::optional<IpAddress>& link_local) {
  const std::size_t start = begin_mp(w, AttributeType::MpReachNlri);
  write_family(w, family);
  const auto nh = std::span(next_hop.bytes).first(next_hop.size());
  w.u8(static_cast<std::uint8_t>(nh.size() + (link_local ? 16 : 0)));
  w.bytes(nh);
  if (link_local) w.bytes(link_local->bytes);  // RFC 2545 3
  w.u8(0);                                     // Reserved
  return start;
}

std::size_t begin_mp_unreach(ByteWriter& w, Family family) {
  const std::size_t start = begin_mp(w, AttributeType::MpUnreachNlri);
  write_family(w, family);
  return start;
}

void end_mp_attribute(ByteWriter& w, std::size_t start) {
  w.patch_u16(start + 2, static_cast<std::uint16_t>(w.size() - start - 4));
}

std::size_t mp_reach_overhead(Family family, const std::optional<IpAddress>& link_local) {
  const std::size_t nh = family.afi == Afi::Ipv4 ? 4 : 16;
  return 4 + 3 + 1 + nh + (link_local ? 16 : 0) + 1;
}

void merge_four_octet_attributes(AttributeDecodeState& state) {
  if (state.options.four_octet_as) return;
  auto& attrs = state.update.attrs;
  // RFC 6793 4.2.3: an AGGREGATOR with a real (non-AS_TRANS) AS means the
  // aggregating speaker was OLD: AS4_AGGREGATOR and AS4_PATH are ignored.
  if (attrs.aggregator && attrs.aggregator->asn != kAsTrans) return;
  if (attrs.aggregator && state.as4_aggregator) attrs.aggregator = *state.as4_aggregator;
  if (state.as4_path) attrs.as_path = merge_as4_path(attrs.as_path, *state.as4_path);
}

}  // namespace bgpd::wire
