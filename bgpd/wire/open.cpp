// bgpd/wire/open.cpp - OPEN codec, validation and negotiation.
#include "bgpd/wire/open.hpp"

#include <algorithm>

#include "bgpd/wire/header.hpp"

namespace bgpd::wire {
namespace {

// RFC 5492 section 4: the Capabilities optional parameter.
constexpr std::uint8_t kCapabilitiesParameter = 2;
// RFC 9072 section 2: Non-Ext OP Type 255 marks the extended encoding.
constexpr std::uint8_t kExtendedParameters = 255;

DecodeError malformed(std::string_view reason) {
  return open_error(OpenSubcode::Unspecific, {}, reason);
}

// Reads <type, length, value> parameters with 1- or 2-octet lengths
// (RFC 9072 section 2 widens the length in the extended encoding).
common::Expected<void, DecodeError> decode_parameters(ByteReader& r, bool wide_length,
                                                      CapabilitySet& caps) {
  while (!r.empty()) {
    auto type = r.u8();
    std::optional<std::uint16_t> length;
    if (wide_length) {
      length = r.u16();
    } else if (auto l = r.u8()) {
      length = *l;
    }
    auto value = length ? r.bytes(*length) : std::optional<std::span<const std::uint8_t>>{};
    if (!type || !value) return common::Unexpected(malformed("optional parameter truncated"));
    // RFC 4271 6.2: an unrecognized optional parameter (the deprecated
    // Authentication parameter included) is Unsupported Optional Parameter.
    if (*type != kCapabilitiesParameter) {
      return common::Unexpected(open_error(OpenSubcode::UnsupportedOptionalParameter, {},
                                           "unsupported optional parameter"));
    }
    auto decoded = decode_capabilities(*value, caps);
    if (!decoded) return decoded;
  }
  return {};
}

}  // namespace

OpenMessage OpenMessage::make(std::uint32_t asn, std::uint16_t hold_time,
                              std::uint32_t bgp_identifier, CapabilitySet capabilities) {
  OpenMessage open;
  open.my_as = asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(asn);
  open.hold_time = hold_time;
  open.bgp_identifier = bgp_identifier;
  open.capabilities = std::move(capabilities);
  open.capabilities.four_octet_as = asn;
  return open;
}

std::uint32_t OpenMessage::asn() const {
  return capabilities.four_octet_as.value_or(my_as);
}

common::Expected<OpenMessage, DecodeError> decode_open(std::span<const std::uint8_t> body) {
  ByteReader r(body);
  OpenMessage open;
  auto version = r.u8();
  auto my_as = r.u16();
  auto hold = r.u16();
  auto id = r.u32();
  auto opt_len = r.u8();
  if (!version || !my_as || !hold || !id || !opt_len) {
    // RFC 4271 6.1: shorter than the minimum OPEN length.
    return common::Unexpected(bad_body_length(body, "OPEN too short"));
  }
  open.version = *version;
  open.my_as = *my_as;
  open.hold_time = *hold;
  open.bgp_identifier = *id;

  std::size_t params_length = *opt_len;
  bool wide = false;
  ByteReader peek = r;
  if (*opt_len == 255 && peek.u8() == kExtendedParameters) {
    // RFC 9072 section 2: 255, 255, then a 2-octet length.
    r.u8();
    auto ext_len = r.u16();
    if (!ext_len) return common::Unexpected(malformed("extended length truncated"));
    params_length = *ext_len;
    wide = true;
  }
  if (params_length != r.remaining()) {
    return common::Unexpected(malformed("optional parameters length mismatch"));
  }
  auto decoded = decode_parameters(r, wide, open.capabilities);
  if (!decoded) return common::Unexpected(decoded.error());
  return open;
}

void encode_open(const OpenMessage& open, ByteWriter& w) {
  const std::size_t start = begin_message(w, MessageType::Open);
  w.u8(open.version);
  w.u16(open.my_as);
  w.u16(open.hold_time);
  w.u32(open.bgp_identifier);
  const std::size_t len_at = w.size();
  w.u8(0);
  std::vector<std::uint8_t> caps;
  ByteWriter cw(caps);
  encode_capabilities(open.capabilities, cw);
  if (!caps.empty() && caps.size() <= 253) {
    // One Capabilities parameter holds them all (RFC 5492 section 4 allows
    // one or several); 253 + 2 octets still fits the 1-octet length.
    w.patch_u8(len_at, static_cast<std::uint8_t>(caps.size() + 2));
    w.u8(kCapabilitiesParameter);
    w.u8(static_cast<std::uint8_t>(caps.size()));
    w.bytes(caps);
  } else if (!caps.empty()) {
    // RFC 9072 section 2: only when the parameters do not fit 255 octets.
    w.patch_u8(len_at, 255);
    w.u8(kExtendedParameters);
    w.u16(static_cast<std::uint16_t>(caps.size() + 3));
    w.u8(kCapabilitiesParameter);
    w.u16(static_cast<std::uint16_t>(caps.size()));
    w.bytes(caps);
  }
  finish_message(w, start);
}

common::Expected<void, DecodeError> validate_open(const OpenMessage& open,
                                                  const OpenExpectations& expected) {
  if (open.version != kBgpVersion) {
    // RFC 4271 6.2: data is the largest supported version, 2 octets.
    return common::Unexpected(
        open_error(OpenSubcode::UnsupportedVersionNumber, {0, kBgpVersion}, "unsupported version"));
  }
  if (expected.peer_as && open.asn() != *expected.peer_as) {
    return common::Unexpected(open_error(OpenSubcode::BadPeerAs, {}, "unexpected peer AS"));
  }
  // RFC 4271 6.2 with RFC 6286 section 2.2: any non-zero 4-octet value is a
  // valid BGP Identifier; zero is not.
  if (open.bgp_identifier == 0) {
    return common::Unexpected(
        open_error(OpenSubcode::BadBgpIdentifier, {}, "BGP identifier is zero"));
  }
  // RFC 4271 4.2 / 6.2: the Hold Time MUST be zero or at least three seconds.
  if (open.hold_time == 1 || open.hold_time == 2) {
    return common::Unexpected(
        open_error(OpenSubcode::UnacceptableHoldTime, {}, "hold time 1 or 2 seconds"));
  }
  return {};
}

NegotiatedSession negotiate(const OpenMessage& local, const OpenMessage& remote) {
  const auto& l = local.capabilities;
  const auto& r = remote.capabilities;
  NegotiatedSession s;
  s.local_as = local.asn();
  s.peer_as = remote.asn();
  // RFC 4271 4.2: the smaller Hold Time; RFC 4271 10 suggests a
  // KeepaliveTime of one third of it (zero disables both).
  s.hold_time = std::min(local.hold_time, remote.hold_time);
  s.keepalive_time = static_cast<std::uint16_t>(s.hold_time / 3);
  // RFC 6793 section 4: 4-octet ASNs on the wire only if both announce it.
  s.four_octet_as = l.four_octet_as.has_value() && r.four_octet_as.has_value();
  s.route_refresh = l.route_refresh && r.route_refresh;
  // RFC 7313 section 3: enhanced route refresh also needs route refresh.
  s.enhanced_route_refresh =
      s.route_refresh && l.enhanced_route_refresh && r.enhanced_route_refresh;
  // RFC 8654 section 3: extended messages only when both sides announced it.
  s.extended_message = l.extended_message && r.extended_message;
  // RFC 4760 section 8 / RFC 5492: without any Multiprotocol capability a
  // speaker supports IPv4 unicast only; the session carries the families
  // both sides announced.
  auto families = [](const CapabilitySet& c) {
    std::vector<Family> f =
        c.multiprotocol.empty() ? std::vector<Family>{kIpv4Unicast} : c.multiprotocol;
    std::sort(f.begin(), f.end());
    f.erase(std::unique(f.begin(), f.end()), f.end());
    return f;
  };
  const auto lf = families(l);
  const auto rf = families(r);
  std::set_intersection(lf.begin(), lf.end(), rf.begin(), rf.end(), std::back_inserter(s.families));
  s.peer_graceful_restart = r.graceful_restart;
  return s;
}

}  // namespace bgpd::wire
