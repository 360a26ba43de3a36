// bgpd/wire/message.cpp - decode_message dispatch.
#include "bgpd/wire/message.hpp"

namespace bgpd::wire {
namespace {

template <class T>
common::Expected<Message, DecodeError> lift(common::Expected<T, DecodeError> r) {
  if (!r) return common::Unexpected(std::move(r).error());
  return Message{std::move(r).value()};
}

}  // namespace

common::Expected<Message, DecodeError> decode_message(std::span<const std::uint8_t> bytes,
                                                      const SessionOptions& options) {
  auto header = peek_header(bytes, options);
  if (!header) return common::Unexpected(header.error());
  // The input must be exactly one message: a short buffer or trailing
  // octets disagree with the Length field (RFC 4271 6.1).
  if (!*header) {
    return common::Unexpected(
        header_error(HeaderSubcode::BadMessageLength, {}, "shorter than a header"));
  }
  if ((*header)->length != bytes.size()) {
    return common::Unexpected(
        bad_message_length((*header)->length, "buffer is not one whole message"));
  }
  const auto body = bytes.subspan(kHeaderSize);
  switch ((*header)->type) {
    case MessageType::Open:
      return lift(decode_open(body));
    case MessageType::Update:
      return lift(decode_update(body, options));
    case MessageType::Notification:
      return lift(decode_notification(body));
    case MessageType::Keepalive:
      return Message{Keepalive{}};
    case MessageType::RouteRefresh:
      return lift(decode_route_refresh(body));
  }
  return common::Unexpected(header_error(HeaderSubcode::BadMessageType,
                                         {static_cast<std::uint8_t>((*header)->type)},
                                         "unknown message type"));
}

}  // namespace bgpd::wire
