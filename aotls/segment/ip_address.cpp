#include "aotls/segment/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace aotls::segment {

IpAddress::IpAddress(IpVersion version, std::span<const std::uint8_t> bytes) : version_(version) {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

common::Expected<IpAddress, SegmentError> IpAddress::from_bytes(
    std::span<const std::uint8_t> bytes) {
  if (bytes.size() == address_len(IpVersion::V4)) return IpAddress(IpVersion::V4, bytes);
  if (bytes.size() == address_len(IpVersion::V6)) return IpAddress(IpVersion::V6, bytes);
  return common::Unexpected(SegmentError::BadAddress);
}

common::Expected<IpAddress, SegmentError> IpAddress::parse(std::string_view text) {
  const std::string zero_terminated(text);
  std::array<std::uint8_t, 16> buffer{};
  // inet_pton is pure text parsing (no sockets involved).
  if (inet_pton(AF_INET, zero_terminated.c_str(), buffer.data()) == 1) {
    return IpAddress(IpVersion::V4, std::span(buffer).first(4));
  }
  if (inet_pton(AF_INET6, zero_terminated.c_str(), buffer.data()) == 1) {
    return IpAddress(IpVersion::V6, buffer);
  }
  return common::Unexpected(SegmentError::BadAddress);
}

}  // namespace aotls::segment
