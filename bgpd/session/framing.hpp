// bgpd/session/framing.hpp - cut a byte stream into whole BGP messages.
//
// Only the header checks that framing needs (RFC 4271 section 4.1): the
// 16-octet all-ones marker and the length field bounds. Everything else about
// a message (type, per-type minimum length, body) is the codec's job; this
// module deliberately does not duplicate it. No I/O here, so the framing is
// tested and fuzzed on plain byte arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <type_traits>
#include <vector>

#include "bgpd/wire/notification_codes.hpp"
#include "common/expected.hpp"

namespace bgpd::session {

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kMarkerSize = 16;
// RFC 4271 section 4.1.
inline constexpr std::size_t kMaxMessageSize = 4096;
// RFC 8654 section 4, once both sides announced the Extended Message capability.
inline constexpr std::size_t kMaxExtendedMessageSize = 65535;

// Values equal the RFC 4271 section 6.1 Message Header Error subcodes that
// the NOTIFICATION must carry.
enum class FramingError {
  ConnectionNotSynchronized = 1,  // marker not all ones
  BadMessageLength = 2,           // length < 19 or > the negotiated maximum
};

const std::error_category& framing_category();
std::error_code make_error_code(FramingError error);
wire::HeaderSubcode header_subcode(FramingError error);

// The length announced by a header, or the framing error it shows.
common::Expected<std::size_t, std::error_code> check_header(
    std::span<const std::uint8_t, kHeaderSize> header, std::size_t max_length);

// Accumulates stream bytes and yields whole messages (header included).
class FrameBuffer {
 public:
  explicit FrameBuffer(std::size_t max_length = kMaxMessageSize);

  // Space to read into (at least min_space bytes), then commit what was read.
  std::span<std::uint8_t> prepare(std::size_t min_space);
  void commit(std::size_t bytes);

  // The next whole message, an empty span when more bytes are needed, or a
  // framing error (after which the stream cannot be resynchronised). The
  // span stays valid until the next prepare().
  common::Expected<std::span<const std::uint8_t>, std::error_code> next();

  // The header that failed (for the NOTIFICATION data), valid after an error.
  std::span<const std::uint8_t> pending_header() const;

  void set_max_length(std::size_t max_length) { max_length_ = max_length; }
  std::size_t buffered() const { return end_ - begin_; }

 private:
  std::vector<std::uint8_t> data_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t max_length_;
};

}  // namespace bgpd::session

template <>
struct std::is_error_code_enum<bgpd::session::FramingError> : std::true_type {};
