// tests/fuzz/wire/fuzz_common.hpp - shared helpers of the wire fuzz targets.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <span>

#include "bgpd/wire/options.hpp"

namespace bgpd::wire::fuzz {

// The first input octet picks the session options, the rest is the input.
inline SessionOptions options_from(std::uint8_t b) {
  return SessionOptions{(b & 1) != 0, (b & 2) != 0, (b & 4) != 0};
}

// An invariant broken: abort so libFuzzer records the input.
inline void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace bgpd::wire::fuzz
