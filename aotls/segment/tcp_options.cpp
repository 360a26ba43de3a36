#include "aotls/segment/tcp_options.hpp"

#include <algorithm>

namespace aotls::segment {

common::Expected<std::optional<AoOption>, SegmentError> find_ao_option(
    std::span<const std::uint8_t> options) {
  std::optional<AoOption> found;
  std::size_t pos = 0;
  while (pos < options.size()) {
    const std::uint8_t kind = options[pos];
    if (kind == kTcpOptionEol) break;
    if (kind == kTcpOptionNop) {
      ++pos;
      continue;
    }
    if (pos + 1 >= options.size()) return common::Unexpected(SegmentError::BadOptionLength);
    const std::size_t length = options[pos + 1];
    if (length < 2 || pos + length > options.size()) {
      return common::Unexpected(SegmentError::BadOptionLength);
    }
    if (kind == kTcpOptionAo) {
      if (length < kAoOptionHeaderLen) return common::Unexpected(SegmentError::BadOptionLength);
      if (found) return common::Unexpected(SegmentError::DuplicateAoOption);
      found = AoOption{pos, options[pos + 2], options[pos + 3],
                       options.subspan(pos + kAoOptionHeaderLen, length - kAoOptionHeaderLen)};
    }
    pos += length;
  }
  return found;
}

common::Expected<std::size_t, SegmentError> encode_ao_option(std::span<std::uint8_t> out,
                                                             std::uint8_t key_id,
                                                             std::uint8_t rnext_key_id,
                                                             std::size_t mac_len) {
  const std::size_t length = kAoOptionHeaderLen + mac_len;
  if (length > kMaxTcpOptionsLen || length > out.size()) {
    return common::Unexpected(SegmentError::BadOptionLength);
  }
  out[0] = kTcpOptionAo;
  out[1] = static_cast<std::uint8_t>(length);
  out[2] = key_id;
  out[3] = rnext_key_id;
  std::fill_n(out.begin() + kAoOptionHeaderLen, mac_len, std::uint8_t{0});
  return length;
}

}  // namespace aotls::segment
