// bgpd/wire/notification.cpp - NOTIFICATION codec, RFC 9003 communication.
#include "bgpd/wire/notification.hpp"

#include <algorithm>

#include "bgpd/wire/header.hpp"

namespace bgpd::wire {
namespace {

bool carries_communication(const Notification& n) {
  return n.code == ErrorCode::Cease &&
         (n.subcode == static_cast<std::uint8_t>(CeaseSubcode::AdministrativeShutdown) ||
          n.subcode == static_cast<std::uint8_t>(CeaseSubcode::AdministrativeReset));
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

}  // namespace

Notification to_notification(const DecodeError& error) {
  return Notification{error.code, error.subcode, error.data};
}

common::Expected<Notification, DecodeError> decode_notification(
    std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto code = r.u8();
  auto subcode = r.u8();
  if (!code || !subcode) {
    return common::Unexpected(bad_body_length(body, "NOTIFICATION too short"));
  }
  // Unknown codes are kept: a NOTIFICATION is never answered with one
  // (RFC 4271 6.4).
  return Notification{static_cast<ErrorCode>(*code), *subcode, to_vector(r.rest())};
}

void encode_notification(const Notification& n, ByteWriter& w) {
  const std::size_t start = begin_message(w, MessageType::Notification);
  w.u8(static_cast<std::uint8_t>(n.code));
  w.u8(n.subcode);
  w.bytes(n.data);
  finish_message(w, start);
}

Notification make_cease(CeaseSubcode subcode, std::string_view text) {
  Notification n{ErrorCode::Cease, static_cast<std::uint8_t>(subcode), {}};
  if (!carries_communication(n)) return n;
  std::size_t length = std::min(text.size(), kMaxShutdownCommunication);
  // Never split a multi-octet UTF-8 sequence.
  while (length < text.size() && length > 0 &&
         is_continuation(static_cast<unsigned char>(text[length]))) {
    --length;
  }
  n.data.resize(1 + length);
  n.data[0] = static_cast<std::uint8_t>(length);
  std::copy_n(text.begin(), length, n.data.begin() + 1);
  return n;
}

std::optional<ShutdownCommunication> shutdown_communication(const Notification& n) {
  if (!carries_communication(n) || n.data.empty()) return std::nullopt;
  const std::size_t declared = n.data[0];
  const std::size_t available = std::min(declared, n.data.size() - 1);
  ShutdownCommunication c;
  c.text.assign(n.data.begin() + 1, n.data.begin() + 1 + static_cast<std::ptrdiff_t>(available));
  c.length_ok = declared == n.data.size() - 1;
  c.valid_utf8 = is_valid_utf8(c.text);
  return c;
}

bool is_valid_utf8(std::string_view text) {
  // RFC 3629 section 4: shortest form only, no surrogates, at most U+10FFFF.
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if (!is_continuation(cc)) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace bgpd::wire
