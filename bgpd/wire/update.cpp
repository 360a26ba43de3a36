// bgpd/wire/update.cpp - UPDATE decode with RFC 7606 outcomes, encode,
// End-of-RIB.
#include "bgpd/wire/update.hpp"

#include <algorithm>
#include <bitset>

#include "bgpd/wire/attributes.hpp"
#include "bgpd/wire/header.hpp"
#include "bgpd/wire/nlri.hpp"

namespace bgpd::wire {
namespace {

using Result = common::Expected<DecodedUpdate, DecodeError>;

Result fatal(UpdateSubcode sub, std::vector<std::uint8_t> data, std::string_view reason) {
  return common::Unexpected(update_error(sub, Action::SessionReset, std::move(data), reason));
}

// One attribute as it sits on the wire (RFC 4271 4.3).
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::span<const std::uint8_t> value;
  std::span<const std::uint8_t> whole;  // flags..value: NOTIFICATION data (RFC 4271 6.3)
};

// nullopt on a framing error (RFC 7606 section 4): the header or the value
// runs past the Total Path Attribute Length.
std::optional<RawAttribute> next_attribute(ByteReader& r, std::span<const std::uint8_t> all) {
  const std::size_t start = r.position();
  RawAttribute a;
  auto flags = r.u8();
  auto type = r.u8();
  if (!flags || !type) return std::nullopt;
  std::optional<std::uint16_t> length;
  if (*flags & kFlagExtendedLength) {
    length = r.u16();
  } else if (auto l = r.u8()) {
    length = *l;
  }
  auto value = length ? r.bytes(*length) : std::optional<std::span<const std::uint8_t>>{};
  if (!value) return std::nullopt;
  a.flags = *flags;
  a.type = *type;
  a.value = *value;
  a.whole = all.subspan(start, r.position() - start);
  return a;
}

bool is_mp(std::uint8_t type) {
  return type == static_cast<std::uint8_t>(AttributeType::MpReachNlri) ||
         type == static_cast<std::uint8_t>(AttributeType::MpUnreachNlri);
}

// RFC 4271 5: an unrecognized well-known attribute is an error (with
// RFC 7606 section 2's default, treat-as-withdraw, as BIRD does);
// unrecognized optional transitive attributes are passed on, optional
// non-transitive ones quietly ignored.
std::optional<DecodeError> decode_unknown(const RawAttribute& a, PathAttributes& attrs) {
  if (!(a.flags & kFlagOptional)) {
    return update_error(UpdateSubcode::UnrecognizedWellKnownAttribute, Action::TreatAsWithdraw,
                        to_vector(a.whole), "unrecognized well-known attribute");
  }
  if (a.flags & kFlagTransitive) {
    UnknownAttribute u{static_cast<std::uint8_t>(a.flags & ~kFlagExtendedLength), a.type,
                       to_vector(a.value)};
    // Kept in type order, the order the encoder writes (RFC 4271 5).
    auto at =
        std::upper_bound(attrs.unknown.begin(), attrs.unknown.end(), u.type,
                         [](std::uint8_t t, const UnknownAttribute& x) { return t < x.type; });
    attrs.unknown.insert(at, std::move(u));
  }
  return std::nullopt;
}

// The error for one attribute, or nullopt when it decoded cleanly.
std::optional<DecodeError> decode_attribute(const RawAttribute& a, AttributeDecodeState& state) {
  const auto* desc = find_attribute(a.type);
  if (!desc) return decode_unknown(a, state.update.attrs);
  if (desc->internal_only && !state.options.ibgp) return std::nullopt;
  // RFC 7606 3 (c): Optional / Transitive bits in conflict with the
  // attribute's category make it malformed; the Partial and Extended Length
  // bits are not checked (RFC 7606 allows Extended Length on any attribute).
  if ((a.flags & kFlagCategory) != desc->flags) {
    return update_error(UpdateSubcode::AttributeFlagsError, desc->on_error, to_vector(a.whole),
                        "attribute flags");
  }
  if (!desc->length.accepts(a.value.size())) {
    return update_error(UpdateSubcode::AttributeLengthError, desc->on_error, to_vector(a.whole),
                        "attribute length");
  }
  auto fault = desc->decode(a.value, state);
  if (!fault && desc->validate) fault = desc->validate(state);
  if (fault) return update_error(fault->subcode, desc->on_error, to_vector(a.whole), fault->reason);
  return std::nullopt;
}

// RFC 7606 3 (d): missing well-known mandatory attributes mean
// treat-as-withdraw; RFC 4760 3 makes NEXT_HOP mandatory only with body NLRI.
void check_mandatory(const Update& u, const std::bitset<256>& seen,
                     std::vector<DecodeError>& errors) {
  if (u.nlri.empty()) return;
  auto require = [&](AttributeType t) {
    const auto code = static_cast<std::uint8_t>(t);
    if (seen[code]) return;
    errors.push_back(update_error(UpdateSubcode::MissingWellKnownAttribute, Action::TreatAsWithdraw,
                                  {code}, "missing well-known mandatory attribute"));
  };
  require(AttributeType::Origin);
  require(AttributeType::AsPath);
  if (u.body_nlri_count > 0) require(AttributeType::NextHop);
}

// RFC 7606 2: treat-as-withdraw turns every announced prefix into a
// withdrawal; the attributes are not used.
void apply_treat_as_withdraw(Update& u) {
  u.withdrawn.insert(u.withdrawn.end(), u.nlri.begin(), u.nlri.end());
  u.nlri.clear();
  u.body_nlri_count = 0;
  u.mp_reach_family.reset();
  u.attrs = PathAttributes{};
  u.ipv4_next_hop.reset();
}

}  // namespace

PathAttributes Update::attributes_for(std::size_t index) const {
  PathAttributes out = attrs;
  if (index < body_nlri_count && mp_reach_family) {
    out.next_hop = ipv4_next_hop;
    out.link_local_next_hop.reset();
  }
  return out;
}

std::optional<Action> DecodedUpdate::action() const {
  std::optional<Action> strongest;
  for (const auto& e : errors) {
    if (!strongest || e.action > *strongest) strongest = e.action;
  }
  return strongest;
}

Result decode_update(std::span<const std::uint8_t> body, const SessionOptions& options) {
  ByteReader r(body);
  // RFC 4271 6.3: lengths that overrun the message make the attribute list
  // malformed; RFC 7606 cannot locate the NLRI then, so the session resets.
  auto withdrawn_len = r.u16();
  auto withdrawn = withdrawn_len ? r.bytes(*withdrawn_len) : std::nullopt;
  auto attrs_len = withdrawn ? r.u16() : std::nullopt;
  auto attrs = attrs_len ? r.bytes(*attrs_len) : std::nullopt;
  if (!attrs) return fatal(UpdateSubcode::MalformedAttributeList, {}, "UPDATE lengths overrun");
  const auto nlri = r.rest();

  DecodedUpdate out;
  Update& u = out.update;
  // RFC 7606 5.3 / RFC 4271 6.3: NLRI and withdrawn syntax errors reset.
  if (!decode_prefixes(*withdrawn, Afi::Ipv4, u.withdrawn) ||
      !decode_prefixes(nlri, Afi::Ipv4, u.nlri)) {
    return fatal(UpdateSubcode::InvalidNetworkField, {}, "invalid prefix");
  }
  u.body_withdrawn_count = u.withdrawn.size();
  u.body_nlri_count = u.nlri.size();

  AttributeDecodeState state{options, u, std::nullopt, std::nullopt};
  std::bitset<256> seen;
  std::size_t count = 0;
  ByteReader ar(*attrs);
  while (!ar.empty()) {
    auto a = next_attribute(ar, *attrs);
    if (!a) {
      // RFC 7606 4: treat-as-withdraw; the Total Path Attribute Length
      // still locates the NLRI.
      out.errors.push_back(update_error(UpdateSubcode::MalformedAttributeList,
                                        Action::TreatAsWithdraw, {}, "attribute framing"));
      break;
    }
    ++count;
    if (seen[a->type]) {
      // RFC 7606 3 (g): a repeated MP_REACH/MP_UNREACH resets the session;
      // any other repeat is discarded, the first one kept.
      if (is_mp(a->type)) {
        return fatal(UpdateSubcode::MalformedAttributeList, {}, "repeated MP attribute");
      }
      out.errors.push_back(update_error(UpdateSubcode::MalformedAttributeList,
                                        Action::AttributeDiscard, to_vector(a->whole),
                                        "repeated attribute"));
      continue;
    }
    seen[a->type] = true;
    if (auto error = decode_attribute(*a, state)) {
      if (error->fatal()) return common::Unexpected(std::move(*error));
      out.errors.push_back(std::move(*error));
    }
  }
  merge_four_octet_attributes(state);
  if (!u.mp_reach_family) u.attrs.next_hop = u.ipv4_next_hop;
  check_mandatory(u, seen, out.errors);

  if (out.treat_as_withdraw()) apply_treat_as_withdraw(u);
  if (u.withdrawn.empty() && u.nlri.empty() && out.errors.empty()) {
    // RFC 4724 2: IPv4 End-of-RIB is the UPDATE with no content at all;
    // other families send MP_UNREACH_NLRI alone, with no prefixes.
    if (count == 0) out.end_of_rib = kIpv4Unicast;
    if (count == 1 && u.mp_unreach_family) out.end_of_rib = u.mp_unreach_family;
  }
  return out;
}

common::Expected<void, EncodeError> encode_update(const Update& update,
                                                  const SessionOptions& options,
                                                  std::vector<std::uint8_t>& out) {
  const std::size_t initial = out.size();
  ByteWriter w(out);
  auto fail = [&](EncodeError e) {
    w.truncate(initial);
    return common::Unexpected(e);
  };
  const auto body_withdrawn = std::span(update.withdrawn).first(update.body_withdrawn_count);
  const auto mp_withdrawn = std::span(update.withdrawn).subspan(update.body_withdrawn_count);
  const auto body_nlri = std::span(update.nlri).first(update.body_nlri_count);
  const auto mp_nlri = std::span(update.nlri).subspan(update.body_nlri_count);

  const std::size_t start = begin_message(w, MessageType::Update);
  const std::size_t withdrawn_at = w.reserve_u16();
  for (const auto& p : body_withdrawn) encode_prefix(w, p);
  w.patch_u16(withdrawn_at, static_cast<std::uint16_t>(w.size() - withdrawn_at - 2));
  const std::size_t attrs_at = w.reserve_u16();
  if (update.mp_unreach_family) {
    const std::size_t at = begin_mp_unreach(w, *update.mp_unreach_family);
    for (const auto& p : mp_withdrawn) encode_prefix(w, p);
    end_mp_attribute(w, at);
  }
  if (update.mp_reach_family) {
    const auto& nh = update.attrs.next_hop;
    if (!nh || nh->family != update.mp_reach_family->afi) return fail(EncodeError::NextHopMissing);
    const std::size_t at =
        begin_mp_reach(w, *update.mp_reach_family, *nh, update.attrs.link_local_next_hop);
    for (const auto& p : mp_nlri) encode_prefix(w, p);
    end_mp_attribute(w, at);
  }
  if (!update.nlri.empty() || update.mp_reach_family) {
    std::optional<IpAddress> ipv4_next_hop;
    if (!body_nlri.empty()) {
      ipv4_next_hop = update.ipv4_next_hop ? update.ipv4_next_hop : update.attrs.next_hop;
      if (!ipv4_next_hop || !ipv4_next_hop->is_v4()) return fail(EncodeError::NextHopMissing);
    }
    encode_path_attributes({update.attrs, options, ipv4_next_hop}, w);
  }
  w.patch_u16(attrs_at, static_cast<std::uint16_t>(w.size() - attrs_at - 2));
  for (const auto& p : body_nlri) encode_prefix(w, p);
  if (w.size() - start > options.max_message_size()) return fail(EncodeError::MessageTooLarge);
  finish_message(w, start);
  return {};
}

void encode_end_of_rib(Family family, std::vector<std::uint8_t>& out) {
  ByteWriter w(out);
  const std::size_t start = begin_message(w, MessageType::Update);
  w.u16(0);  // Withdrawn Routes Length
  const std::size_t attrs_at = w.reserve_u16();
  if (family != kIpv4Unicast) end_mp_attribute(w, begin_mp_unreach(w, family));
  w.patch_u16(attrs_at, static_cast<std::uint16_t>(w.size() - attrs_at - 2));
  finish_message(w, start);
}

}  // namespace bgpd::wire
