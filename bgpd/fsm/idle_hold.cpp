// bgpd/fsm/idle_hold.cpp - IdleHoldTime exponential backoff.
#include "bgpd/fsm/idle_hold.hpp"

#include <algorithm>

namespace bgpd::fsm {

IdleHoldBackoff::IdleHoldBackoff(IdleHoldConfig config) : config_(config), current_(base()) {}

// At least one second (a zero base would never grow) and at most the ceiling.
std::uint32_t IdleHoldBackoff::base() const {
  return std::clamp<std::uint32_t>(config_.base_seconds, 1,
                                   std::max<std::uint32_t>(1, config_.max_seconds));
}

std::uint32_t IdleHoldBackoff::next_hold() {
  const std::uint32_t hold = current_;
  // Doubling in 64 bits: a max_seconds near UINT32_MAX must not wrap.
  current_ = static_cast<std::uint32_t>(std::max<std::uint64_t>(
      base(), std::min<std::uint64_t>(std::uint64_t{current_} * 2u, config_.max_seconds)));
  return hold;
}

void IdleHoldBackoff::session_ended(std::chrono::milliseconds established_for) {
  if (established_for >= std::chrono::seconds(config_.stable_seconds)) {
    current_ = base();
  }
}

}  // namespace bgpd::fsm
