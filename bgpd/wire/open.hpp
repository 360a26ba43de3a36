// bgpd/wire/open.hpp - OPEN message (RFC 4271 section 4.2), its optional
// parameters (RFC 5492, RFC 9072 extended length), validation (RFC 4271
// section 6.2) and capability negotiation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/capabilities.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/options.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

inline constexpr std::uint8_t kBgpVersion = 4;

struct OpenMessage {
  std::uint8_t version = kBgpVersion;
  std::uint16_t my_as = 0;  // the 2-octet field: AS_TRANS for a 4-octet ASN
  std::uint16_t hold_time = 0;
  std::uint32_t bgp_identifier = 0;
  CapabilitySet capabilities;

  // Builds an OPEN for `asn`: RFC 6793 section 4.1 puts AS_TRANS in My
  // Autonomous System when the ASN does not fit 2 octets, and the real ASN
  // in the 4-octet AS capability (always announced).
  static OpenMessage make(std::uint32_t asn, std::uint16_t hold_time, std::uint32_t bgp_identifier,
                          CapabilitySet capabilities);
  // The speaker's ASN: the 4-octet AS capability if present, else My AS.
  std::uint32_t asn() const;
  bool operator==(const OpenMessage&) const = default;
};

// `body`: the octets after the 19-octet header.
common::Expected<OpenMessage, DecodeError> decode_open(std::span<const std::uint8_t> body);
// Appends the whole message (header included).
void encode_open(const OpenMessage& open, ByteWriter& w);

// What the local configuration expects of the peer's OPEN.
struct OpenExpectations {
  std::optional<std::uint32_t> peer_as;  // nullopt: any AS accepted
};

// RFC 4271 section 6.2 checks, each with its subcode.
common::Expected<void, DecodeError> validate_open(const OpenMessage& open,
                                                  const OpenExpectations& expected);

// The parameters a session runs with once both OPENs are known.
struct NegotiatedSession {
  std::uint32_t local_as = 0;
  std::uint32_t peer_as = 0;
  std::uint16_t hold_time = 0;       // RFC 4271 4.2: the smaller of both
  std::uint16_t keepalive_time = 0;  // RFC 4271 10: a third of the hold time
  bool four_octet_as = false;
  bool route_refresh = false;
  bool enhanced_route_refresh = false;
  bool extended_message = false;
  std::vector<Family> families;  // sorted
  std::optional<GracefulRestart> peer_graceful_restart;

  bool ibgp() const { return local_as == peer_as; }
  SessionOptions options() const { return {four_octet_as, extended_message, ibgp()}; }
  bool operator==(const NegotiatedSession&) const = default;
};

NegotiatedSession negotiate(const OpenMessage& local, const OpenMessage& remote);

// The three copies of the capabilities of one peer.
struct PeerCapabilities {
  CapabilitySet announced;
  CapabilitySet received;
  NegotiatedSession negotiated;
};

}  // namespace bgpd::wire
