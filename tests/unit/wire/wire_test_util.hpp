// tests/unit/wire/wire_test_util.hpp - annotated hex and small builders.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "bgpd/wire/message.hpp"
#include "common/hex.hpp"

namespace bgpd::wire::test {

// Hex with annotations: whitespace is ignored, '#' starts a comment that
// runs to the end of the line.
inline std::vector<std::uint8_t> hex(std::string_view annotated) {
  std::string digits;
  bool comment = false;
  for (char c : annotated) {
    if (c == '\n') comment = false;
    if (c == '#') comment = true;
    if (comment || c == ' ' || c == '\n' || c == '\t') continue;
    digits.push_back(c);
  }
  auto bytes = common::from_hex(digits);
  EXPECT_TRUE(bytes.has_value()) << "bad hex in test: " << digits;
  return bytes.value_or(std::vector<std::uint8_t>{});
}

inline const std::string kMarker = "ffffffffffffffffffffffffffffffff";

inline Prefix pfx(std::string_view text) {
  return *Prefix::parse(text);
}
inline IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text);
}

inline std::vector<std::uint8_t> body_of(const std::vector<std::uint8_t>& message) {
  return {message.begin() + kHeaderSize, message.end()};
}

}  // namespace bgpd::wire::test
