// bgpd/wire/capabilities.hpp - BGP capabilities (RFC 5492) kept as a set.
//
// Capabilities are kept three times (OpenBGPD's habit): what we announced,
// what the peer sent (both a CapabilitySet) and what the session then uses
// (NegotiatedSession, made by negotiate() in open.hpp).
//
// Implemented: Multiprotocol (RFC 4760, code 1), Route Refresh (RFC 2918,
// code 2), Extended Message (RFC 8654, code 6), Graceful Restart (RFC 4724,
// code 64), 4-octet AS (RFC 6793, code 65), Enhanced Route Refresh (RFC
// 7313, code 70). Others are kept raw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/types.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

enum class CapabilityCode : std::uint8_t {
  Multiprotocol = 1,
  RouteRefresh = 2,
  ExtendedMessage = 6,
  GracefulRestart = 64,
  FourOctetAs = 65,
  EnhancedRouteRefresh = 70,
};

// RFC 4724 section 3.
struct GracefulRestart {
  static constexpr std::uint8_t kRestartState = 0x8;        // R bit of Restart Flags
  static constexpr std::uint8_t kForwardingState = 0x80;    // F bit of AFI flags
  static constexpr std::uint16_t kMaxRestartTime = 0x0FFF;  // 12 bits

  struct Entry {
    Family family;
    std::uint8_t flags = 0;
    bool operator==(const Entry&) const = default;
  };
  std::uint8_t restart_flags = 0;  // 4 bits; we announce 0 ("not restarting")
  std::uint16_t restart_time = 0;  // seconds, 12 bits
  std::vector<Entry> families;     // none unless configured

  bool restarting() const { return (restart_flags & kRestartState) != 0; }
  bool operator==(const GracefulRestart&) const = default;
};

struct RawCapability {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const RawCapability&) const = default;
};

struct CapabilitySet {
  std::vector<Family> multiprotocol;                // RFC 4760, one entry per capability
  std::optional<std::uint32_t> four_octet_as;       // RFC 6793
  bool route_refresh = false;                       // RFC 2918
  bool enhanced_route_refresh = false;              // RFC 7313
  bool extended_message = false;                    // RFC 8654
  std::optional<GracefulRestart> graceful_restart;  // RFC 4724
  std::vector<RawCapability> unknown;               // kept as received (RFC 5492 section 3)
  bool operator==(const CapabilitySet&) const = default;
};

// Adds the capabilities of one Capabilities optional parameter value (a
// sequence of <code, length, value>, RFC 5492 section 4) to `set`.
// A malformed capability is an OPEN Message Error, subcode 0 (RFC 4271
// section 6.2: a recognized parameter that is malformed).
common::Expected<void, DecodeError> decode_capabilities(std::span<const std::uint8_t> value,
                                                        CapabilitySet& set);

// Appends every capability of `set` as <code, length, value> triples.
void encode_capabilities(const CapabilitySet& set, ByteWriter& w);

}  // namespace bgpd::wire
