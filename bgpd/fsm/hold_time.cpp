// bgpd/fsm/hold_time.cpp - RFC 4271 section 4.2 Hold Time negotiation.
#include "bgpd/fsm/hold_time.hpp"

#include <algorithm>

namespace bgpd::fsm {

common::Expected<std::uint16_t, SendNotification> negotiate_hold_time(std::uint16_t local,
                                                                      std::uint16_t peer) {
  if (peer == 1 || peer == 2) {
    return common::Unexpected(
        SendNotification{wire::ErrorCode::OpenMessage,
                         static_cast<std::uint8_t>(wire::OpenSubcode::UnacceptableHoldTime),
                         {}});
  }
  return std::min(local, peer);
}

}  // namespace bgpd::fsm
