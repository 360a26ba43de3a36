// aotls/segment/mac_input.hpp - the exact TCP-AO MAC input (RFC 5925 section 5.1).
//
// In this order:
//   1. SNE, 4 bytes big-endian (section 6.2; never sent on the wire);
//   2. the pseudo-header: IPv4 src | dst | 0 | 6 | TCP length(2), or
//      IPv6 src | dst | TCP length(4) | 0 0 0 | 6 (RFC 8200 section 8.1); the
//      TCP length counts the whole segment even when options are excluded;
//   3. the TCP header with its checksum zeroed: with options included, all
//      options with the TCP-AO MAC zeroed; with options excluded (the MKT's
//      option flag, section 3.1), the 20-byte header and then only the TCP-AO
//      option, MAC zeroed (data offset unchanged);
//   4. the payload.
//
// Steps 1-3 are at most 104 bytes and are assembled on the stack; the payload
// goes to the sink as it is, so a MAC over a segment costs two update() calls
// and no copy of the payload.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "aotls/segment/packet.hpp"
#include "aotls/segment/segment_error.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

// SNE + IPv6 pseudo-header + the largest TCP header.
inline constexpr std::size_t kMaxMacInputPrefixLen = 4 + 40 + 60;

// The MAC input up to (not including) the payload.
class MacInputPrefix {
 public:
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size_}; }

 private:
  friend common::Expected<MacInputPrefix, SegmentError> build_mac_input_prefix(
      const PacketView& view, bool include_options, std::uint32_t sne);

  std::array<std::uint8_t, kMaxMacInputPrefixLen> bytes_{};
  std::size_t size_ = 0;
};

// NoAoOption when the packet carries no TCP-AO option.
common::Expected<MacInputPrefix, SegmentError> build_mac_input_prefix(const PacketView& view,
                                                                      bool include_options,
                                                                      std::uint32_t sne);

// Feeds the MAC input to `sink` (callable with std::span<const std::uint8_t>)
// in two pieces: the prefix, then the payload.
template <class Sink>
common::Expected<void, SegmentError> feed_mac_input(const PacketView& view, bool include_options,
                                                    std::uint32_t sne, Sink&& sink) {
  auto prefix = build_mac_input_prefix(view, include_options, sne);
  if (!prefix) return common::Unexpected(prefix.error());
  sink(prefix->bytes());
  sink(view.payload());
  return {};
}

// The whole MAC input as one buffer (tests, debugging).
common::Expected<std::vector<std::uint8_t>, SegmentError> mac_input_bytes(const PacketView& view,
                                                                          bool include_options,
                                                                          std::uint32_t sne);

}  // namespace aotls::segment
