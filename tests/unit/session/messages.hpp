// tests/unit/session/messages.hpp - raw BGP messages for the framing tests.
#pragma once

#include <cstdint>
#include <vector>

#include "bgpd/session/framing.hpp"

namespace session_test {

// A message with a valid marker, the given type and length (header
// included), the body filled with fill.
inline std::vector<std::uint8_t> message(std::uint8_t type, std::size_t length,
                                         std::uint8_t fill = 0xab) {
  std::vector<std::uint8_t> bytes(
      length < bgpd::session::kHeaderSize ? bgpd::session::kHeaderSize : length, fill);
  for (std::size_t i = 0; i < bgpd::session::kMarkerSize; ++i) bytes[i] = 0xff;
  bytes[16] = static_cast<std::uint8_t>(length >> 8);
  bytes[17] = static_cast<std::uint8_t>(length & 0xff);
  bytes[18] = type;
  return bytes;
}

inline std::vector<std::uint8_t> concat(const std::vector<std::vector<std::uint8_t>>& parts) {
  std::vector<std::uint8_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

}  // namespace session_test
