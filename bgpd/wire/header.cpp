// bgpd/wire/header.cpp - header validation and framing (RFC 4271 4.1, 6.1).
#include "bgpd/wire/header.hpp"

#include <algorithm>

namespace bgpd::wire {
namespace {

// RFC 4271 section 6.1: the smallest legal length of each message type;
// KEEPALIVE is exactly 19. RFC 8654 section 4: OPEN and KEEPALIVE stay within
// 4096 even when extended messages are negotiated (max 0: the session's
// maximum). ROUTE-REFRESH lengths are checked by its decoder because RFC 7313
// section 5 gives them their own error code.
struct LengthRule {
  MessageType type;
  std::size_t min;
  std::size_t max;
};
constexpr LengthRule kLengthRules[] = {
    {MessageType::Open, 29, kMaxMessageSize},    {MessageType::Update, 23, 0},
    {MessageType::Notification, 21, 0},          {MessageType::Keepalive, kHeaderSize, kHeaderSize},
    {MessageType::RouteRefresh, kHeaderSize, 0},
};

}  // namespace

common::Expected<std::optional<Frame>, DecodeError> peek_header(
    std::span<const std::uint8_t> buffer, const SessionOptions& options) {
  if (buffer.size() < kHeaderSize) return std::optional<Frame>{};
  ByteReader r(buffer);
  auto marker = *r.bytes(kMarkerSize);
  // RFC 4271 6.1: a marker that is not all ones is "Connection Not
  // Synchronized" (data empty).
  if (!std::all_of(marker.begin(), marker.end(), [](std::uint8_t b) { return b == 0xFF; })) {
    return common::Unexpected(
        header_error(HeaderSubcode::ConnectionNotSynchronized, {}, "marker not all ones"));
  }
  const std::uint16_t length = *r.u16();
  const std::uint8_t type = *r.u8();
  // RFC 4271 6.1: Bad Message Length carries the erroneous Length field.
  if (length < kHeaderSize || length > options.max_message_size()) {
    return common::Unexpected(bad_message_length(length, "length outside 19..max"));
  }
  const auto* rule = std::find_if(
      std::begin(kLengthRules), std::end(kLengthRules),
      [type](const LengthRule& l) { return static_cast<std::uint8_t>(l.type) == type; });
  // RFC 4271 6.1: Bad Message Type carries the erroneous Type field.
  if (rule == std::end(kLengthRules)) {
    return common::Unexpected(
        header_error(HeaderSubcode::BadMessageType, {type}, "unknown message type"));
  }
  if (length < rule->min || (rule->max != 0 && length > rule->max)) {
    return common::Unexpected(bad_message_length(length, "length invalid for message type"));
  }
  return std::optional<Frame>{Frame{rule->type, length}};
}

DecodeError bad_message_length(std::size_t message_length, std::string_view reason) {
  const auto length = static_cast<std::uint16_t>(message_length);
  return header_error(HeaderSubcode::BadMessageLength,
                      {static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)},
                      reason);
}

common::Expected<std::optional<std::size_t>, DecodeError> next_message_length(
    std::span<const std::uint8_t> buffer, const SessionOptions& options) {
  auto header = peek_header(buffer, options);
  if (!header) return common::Unexpected(header.error());
  if (!*header || buffer.size() < (*header)->length) return std::optional<std::size_t>{};
  return std::optional<std::size_t>{(*header)->length};
}

std::size_t begin_message(ByteWriter& w, MessageType type) {
  const std::size_t start = w.size();
  for (std::size_t i = 0; i < kMarkerSize; ++i) w.u8(0xFF);
  w.u16(0);
  w.u8(static_cast<std::uint8_t>(type));
  return start;
}

void finish_message(ByteWriter& w, std::size_t start) {
  w.patch_u16(start + kMarkerSize, static_cast<std::uint16_t>(w.size() - start));
}

}  // namespace bgpd::wire
