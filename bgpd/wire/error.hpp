// bgpd/wire/error.hpp - decode errors that already know their consequence.
//
// Every decode error carries the NOTIFICATION it would cause (code, subcode,
// data) and the RFC 7606 section 2 approach to take. Only
// to_notification() (notification.hpp) turns one into a message.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "bgpd/wire/notification_codes.hpp"

namespace bgpd::wire {

// RFC 7606 section 2, ordered by strength: section 3 (j) says that when
// several errors occur in one UPDATE, the strongest approach wins. The
// optional "AFI/SAFI disable" approach is not implemented: where RFC 7606
// allows it, this codec chooses "session reset".
enum class Action : std::uint8_t {
  AttributeDiscard = 1,
  TreatAsWithdraw = 2,
  SessionReset = 3,
};

struct DecodeError {
  ErrorCode code = ErrorCode::MessageHeader;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;  // the NOTIFICATION data field
  Action action = Action::SessionReset;
  std::string_view reason;  // static text for logs and tests

  bool fatal() const { return action == Action::SessionReset; }
  // Equal when the wire consequence is equal; `reason` is only a label.
  bool operator==(const DecodeError& o) const {
    return code == o.code && subcode == o.subcode && data == o.data && action == o.action;
  }
};

inline DecodeError header_error(HeaderSubcode sub, std::vector<std::uint8_t> data,
                                std::string_view reason) {
  return {ErrorCode::MessageHeader, static_cast<std::uint8_t>(sub), std::move(data),
          Action::SessionReset, reason};
}

inline DecodeError open_error(OpenSubcode sub, std::vector<std::uint8_t> data,
                              std::string_view reason) {
  return {ErrorCode::OpenMessage, static_cast<std::uint8_t>(sub), std::move(data),
          Action::SessionReset, reason};
}

inline DecodeError update_error(UpdateSubcode sub, Action action, std::vector<std::uint8_t> data,
                                std::string_view reason) {
  return {ErrorCode::UpdateMessage, static_cast<std::uint8_t>(sub), std::move(data), action,
          reason};
}

inline std::vector<std::uint8_t> to_vector(std::span<const std::uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

}  // namespace bgpd::wire
