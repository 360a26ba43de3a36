// bgpd/wire/notification.hpp - NOTIFICATION (RFC 4271 section 4.5) with
// the shutdown communication of RFC 9003 (which obsoletes RFC 8203).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

struct Notification {
  ErrorCode code = ErrorCode::Cease;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const Notification&) const = default;
};

// The one place where a decode error becomes a NOTIFICATION (RFC 4271 6,
// RFC 7606 2: only "session reset" errors are meant to be sent; callers
// send a NOTIFICATION only for those).
Notification to_notification(const DecodeError& error);

// `body`: the octets after the header (at least 2, RFC 4271 4.5).
common::Expected<Notification, DecodeError> decode_notification(std::span<const std::uint8_t> body);
void encode_notification(const Notification& n, ByteWriter& w);

// RFC 9003 section 2: Administrative Shutdown (2) and Administrative Reset
// (4) may carry a length octet and up to 255 octets of UTF-8.
inline constexpr std::size_t kMaxShutdownCommunication = 255;

// A Cease NOTIFICATION with a shutdown communication. The text is cut to
// 255 octets at a UTF-8 character boundary.
Notification make_cease(CeaseSubcode subcode, std::string_view text = {});

struct ShutdownCommunication {
  std::string text;         // the octets received, as they are
  bool valid_utf8 = false;  // RFC 9003 3: check before showing it
  bool length_ok = false;   // the length octet matched the data
};

// Tolerant (RFC 9003 section 3: a malformed communication must not cause
// an error): nullopt when the NOTIFICATION is not Cease 2/4 or has no
// data; a length octet beyond the data keeps what is there.
std::optional<ShutdownCommunication> shutdown_communication(const Notification& n);

bool is_valid_utf8(std::string_view text);

}  // namespace bgpd::wire
