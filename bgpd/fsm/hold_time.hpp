// bgpd/fsm/hold_time.hpp - Hold Time negotiation and the KeepaliveTime.
//
// Owns: RFC 4271 section 4.2 (Hold Time negotiation and its rejection
// rule), section 4.4 / 10 (KeepaliveTime = one third of the Hold Time).
// Pure: the caller validates the OPEN, negotiates with this, and hands the
// negotiated value to the FSM with the BgpOpen event.
#pragma once

#include <cstdint>

#include "bgpd/fsm/types.hpp"
#include "common/expected.hpp"

namespace bgpd::fsm {

// RFC 4271 4.2: the negotiated Hold Time is the smaller of ours and the
// peer's; a peer's value of one or two seconds MUST be rejected with OPEN
// Message Error / Unacceptable Hold Time. Zero means "no KEEPALIVEs, no
// HoldTimer" (4.4).
common::Expected<std::uint16_t, SendNotification> negotiate_hold_time(std::uint16_t local,
                                                                      std::uint16_t peer);

// RFC 4271 10: KeepaliveTime "a reasonable maximum ... is one third of the
// HoldTime"; 4.4: KEEPALIVEs MUST NOT be sent more often than once a
// second, so the result is at least 1 for a non-zero Hold Time and 0 (no
// KEEPALIVEs) for a zero Hold Time.
constexpr std::uint32_t keepalive_time(std::uint16_t hold_time) {
  if (hold_time == 0) return 0;
  const std::uint32_t third = hold_time / 3u;
  return third == 0 ? 1 : third;
}

}  // namespace bgpd::fsm
