// bgpd/fsm/idle_hold.hpp - DampPeerOscillations: the IdleHoldTime backoff.
//
// Owns: the value put in the IdleHoldTimer (RFC 4271 section 8, optional
// session attributes group 2). The RFC leaves the damping method to the
// implementation (8.1.1 Option 1 gives "increase of the IdleHoldTime value
// if a BGP peer oscillates" as the example); ours, as OpenBGPD's: start at
// a base value, double on every flap up to a ceiling, and go back to the
// base once a session has stayed Established for a stability period.
// Time is passed in; nothing here reads a clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace bgpd::fsm {

struct IdleHoldConfig {
  std::uint32_t base_seconds = 1;
  std::uint32_t max_seconds = 120;
  std::uint32_t stable_seconds = 60;  // Established this long resets the backoff
};

class IdleHoldBackoff {
 public:
  explicit IdleHoldBackoff(IdleHoldConfig config);

  // The IdleHoldTime to use for the flap being damped now; the next one
  // will be twice as long (capped at max_seconds).
  std::uint32_t next_hold();
  // The session left Established after `established_for`: a stable session
  // forgets earlier flaps.
  void session_ended(std::chrono::milliseconds established_for);

  std::uint32_t current() const { return current_; }

 private:
  std::uint32_t base() const;

  IdleHoldConfig config_;
  std::uint32_t current_;
};

}  // namespace bgpd::fsm
