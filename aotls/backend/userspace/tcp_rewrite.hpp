// aotls/backend/userspace/tcp_rewrite.hpp - rewriting a segment's TCP option
// list: inserting TCP-AO on the way out, removing it on the way in.
//
// A kernel without TCP-AO builds its segments with the full 40 bytes of
// option space and the MSS of the interface; the user-space backend makes
// room for the 16-byte TCP-AO option afterwards:
//  - SYN and SYN-ACK: the MSS option is lowered by the TCP-AO option's
//    length, so the peer's full-size segments still fit the MTU once our
//    option (or its own) is added (profile section 5).
//  - Options over 40 bytes: SACK blocks are removed from the end (RFC 2018
//    section 4: the first block reports the most recent data, keep it),
//    then the SACK option itself with the NOPs that aligned it. Timestamps
//    are never removed (RFC 7323 PAWS depends on them). Anything else that
//    does not fit is an error, never a silent removal.
//  - Removing TCP-AO keeps every other option in place; the list is padded
//    with EOL to a multiple of 4 bytes (RFC 9293 section 3.1).
// Then the payload is shifted, the IPv4 total length / IPv6 payload length
// and the TCP data offset are fixed; checksums are the caller's last step
// (TCP-AO's MAC is computed over the final header first).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "aotls/backend/userspace/verdict.hpp"
#include "aotls/segment/packet.hpp"
#include "common/expected.hpp"

namespace aotls::backend::userspace {

inline constexpr std::uint8_t kTcpOptionMss = 2;
inline constexpr std::uint8_t kTcpOptionSack = 5;
inline constexpr std::uint8_t kTcpOptionTimestamps = 8;
inline constexpr std::size_t kSackBlockLen = 8;

// The options of one segment as a list of entries over a copy of their bytes.
class OptionList {
 public:
  // Every option up to EOL (or the end). Malformed lists are errors (the
  // segment parser already walked them; this is the same walk).
  static common::Expected<OptionList, DropReason> parse(std::span<const std::uint8_t> options);

  std::size_t encoded_len() const;  // without padding
  bool has(std::uint8_t kind) const;

  // Lowers the MSS option's value by `by` (no-op without MSS).
  void lower_mss(std::uint16_t by);
  // Removes SACK blocks, then the SACK option and its aligning NOPs, until
  // encoded_len() <= budget. False when still too long.
  bool trim_sack_to(std::size_t budget);
  // Removes every option of this kind (TCP-AO on the way in).
  void remove(std::uint8_t kind);
  // Appends an option given as raw bytes (kind, length, body).
  void append(std::span<const std::uint8_t> option);

  // The encoded options padded with EOL to a multiple of 4 bytes.
  std::size_t encode(std::array<std::uint8_t, segment::kMaxTcpOptionsLen>& out) const;

 private:
  struct Entry {
    std::uint8_t kind;
    std::uint8_t offset;  // into bytes_
    std::uint8_t length;  // 1 for NOP
  };
  static constexpr std::size_t kMaxBytes = 2 * segment::kMaxTcpOptionsLen;

  Entry* find(std::uint8_t kind);

  std::array<std::uint8_t, kMaxBytes> bytes_{};
  std::size_t used_ = 0;
  std::array<Entry, kMaxBytes> entries_{};
  std::size_t count_ = 0;
};

// Replaces the TCP options of `packet` (parsed as `view`) with `options`
// (already padded), moving the payload and fixing the IP length and TCP data
// offset. Bytes past the IP length (link padding) are dropped. PacketTooLong
// when the IPv4 total length or IPv6 payload length would overflow.
common::Expected<void, DropReason> replace_options(std::vector<std::uint8_t>& packet,
                                                   const segment::PacketView& view,
                                                   std::span<const std::uint8_t> options);

}  // namespace aotls::backend::userspace
