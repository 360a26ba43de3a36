// aotls/segment/ip_address.hpp - an IPv4 or IPv6 address as TCP-AO hashes it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "aotls/segment/segment_error.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

enum class IpVersion : std::uint8_t { V4 = 4, V6 = 6 };

inline constexpr std::size_t address_len(IpVersion version) {
  return version == IpVersion::V4 ? 4 : 16;
}

// Network byte order; only the first address_len(version) bytes are used.
class IpAddress {
 public:
  // BadAddress unless `bytes` has 4 or 16 bytes.
  static common::Expected<IpAddress, SegmentError> from_bytes(std::span<const std::uint8_t> bytes);
  // Dotted quad or any RFC 4291 text form; BadAddress otherwise.
  static common::Expected<IpAddress, SegmentError> parse(std::string_view text);

  IpVersion version() const { return version_; }
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), address_len(version_)}; }

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  IpAddress(IpVersion version, std::span<const std::uint8_t> bytes);

  IpVersion version_ = IpVersion::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace aotls::segment
