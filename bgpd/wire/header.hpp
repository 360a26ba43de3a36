// bgpd/wire/header.hpp - the message header and stream framing.
//
// RFC 4271 section 4.1 (header), 6.1 (Message Header Error handling),
// RFC 8654 (extended messages), RFC 2918 (ROUTE-REFRESH type 5).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/options.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

enum class MessageType : std::uint8_t {
  Open = 1,
  Update = 2,
  Notification = 3,
  Keepalive = 4,
  RouteRefresh = 5,  // RFC 2918
};

struct Frame {
  MessageType type = MessageType::Keepalive;
  std::size_t length = 0;  // whole message, header included
};

// Validates the header at the start of `buffer` as soon as its 19 octets
// are there (so that a bad length is caught before waiting for the body).
// nullopt: fewer than 19 octets buffered.
common::Expected<std::optional<Frame>, DecodeError> peek_header(
    std::span<const std::uint8_t> buffer, const SessionOptions& options);

// For the session reader: the length of the complete message at the start
// of `buffer`, nullopt while it is not completely buffered, or the Message
// Header Error to send.
common::Expected<std::optional<std::size_t>, DecodeError> next_message_length(
    std::span<const std::uint8_t> buffer, const SessionOptions& options);

// RFC 4271 6.1: Bad Message Length, whose data is the Length field. Body
// decoders pass the length of the message their body came from.
DecodeError bad_message_length(std::size_t message_length, std::string_view reason);
inline DecodeError bad_body_length(std::span<const std::uint8_t> body, std::string_view reason) {
  return bad_message_length(kHeaderSize + body.size(), reason);
}

// Writes a header with a zero length field; finish_message() patches it.
// Returns the offset of the message start.
std::size_t begin_message(ByteWriter& w, MessageType type);
void finish_message(ByteWriter& w, std::size_t start);

}  // namespace bgpd::wire
