// aotls/segment/tcp_options.hpp - TCP option walking and the TCP-AO option codec.
//
//   +----------+----------+----------+------------+
//   | Kind=29  |  Length  |  KeyID   | RNextKeyID |   RFC 5925 section 2.2
//   +----------+----------+----------+------------+
//   |            MAC (Length - 4 bytes) ...        |
//   +----------------------------------------------+
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "aotls/segment/segment_error.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

inline constexpr std::uint8_t kTcpOptionEol = 0;
inline constexpr std::uint8_t kTcpOptionNop = 1;
inline constexpr std::uint8_t kTcpOptionAo = 29;
inline constexpr std::size_t kAoOptionHeaderLen = 4;  // Kind, Length, KeyID, RNextKeyID
inline constexpr std::size_t kMaxTcpOptionsLen = 40;

// A TCP-AO option found in an option list; `offset` is the position of its
// Kind byte from the start of the options (byte 20 of the TCP header).
struct AoOption {
  std::size_t offset = 0;
  std::uint8_t key_id = 0;
  std::uint8_t rnext_key_id = 0;
  std::span<const std::uint8_t> mac;

  std::size_t length() const { return kAoOptionHeaderLen + mac.size(); }
  std::size_t mac_offset() const { return offset + kAoOptionHeaderLen; }
};

// Walks the whole option list (RFC 9293 section 3.1: EOL ends the list, NOP is
// one byte, every other option carries a length >= 2 that must fit) and
// returns the TCP-AO option, if any. Malformed lists are typed errors, so a
// verifier never guesses where the MAC is.
common::Expected<std::optional<AoOption>, SegmentError> find_ao_option(
    std::span<const std::uint8_t> options);

// Writes a TCP-AO option with a zero MAC into the start of `out`; returns the
// option length (4 + mac_len). For code that inserts the option into a
// segment before signing it. BadOptionLength if it cannot fit in an option
// list or in `out`.
common::Expected<std::size_t, SegmentError> encode_ao_option(std::span<std::uint8_t> out,
                                                             std::uint8_t key_id,
                                                             std::uint8_t rnext_key_id,
                                                             std::size_t mac_len);

}  // namespace aotls::segment
