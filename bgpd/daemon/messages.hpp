// bgpd/daemon/messages.hpp - the daemon's use of the wire codec.
//
// Owns: turning FSM actions and RIB batches into encoded messages, and the
// checks on a received OPEN that depend on configuration (RFC 4271 6.2,
// RFC 6286). Whole messages in, whole messages out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/config/model.hpp"
#include "bgpd/fsm/types.hpp"
#include "bgpd/rib/adj_rib_out.hpp"
#include "bgpd/wire/notification.hpp"
#include "bgpd/wire/open.hpp"
#include "bgpd/wire/route_refresh.hpp"
#include "common/expected.hpp"

namespace bgpd::daemon {

struct LocalIdentity;

using Bytes = std::vector<std::uint8_t>;

Bytes encode_open_message(const wire::OpenMessage& open);
Bytes encode_keepalive_message();
Bytes encode_notification_message(const fsm::SendNotification& notification);
Bytes encode_route_refresh_message(const wire::Family& family);

// Cease with an RFC 9003 shutdown communication (empty text: none).
fsm::SendNotification cease_notification(wire::CeaseSubcode subcode, const std::string& text);

// "Cease/Administrative Shutdown (6/2) \"maintenance\"" for logs and the CLI.
std::string describe_notification(wire::ErrorCode code, std::uint8_t subcode,
                                  std::span<const std::uint8_t> data);

// The Message Header Error for a header the framer refused (RFC 4271 6.1).
wire::DecodeError header_error_of(std::span<const std::uint8_t> header,
                                  const std::optional<wire::NegotiatedSession>& negotiated);

// RFC 4271 6.2 (version, peer AS, hold time, identifier) with the
// configured peer AS, plus RFC 6286 2.2: an iBGP peer must not use our
// BGP Identifier.
common::Expected<void, wire::DecodeError> validate_peer_open(
    const wire::OpenMessage& open, const config::NeighborConfig& neighbor,
    const LocalIdentity& local);

// A received NOTIFICATION; a malformed one (shorter than 2 octets) still
// ends the session, reported as it came.
wire::Notification decode_notification_message(std::span<const std::uint8_t> body);

// Encodes a RIB batch: withdrawals, then each attribute group packed into
// as few UPDATEs as fit, then End-of-RIB markers. Messages are back to back
// in `out`; returns how many. A group whose next hop cannot be expressed is
// skipped and counted in `skipped`.
struct EncodedBatch {
  Bytes bytes;
  std::size_t messages = 0;
  std::size_t skipped_groups = 0;
};
EncodedBatch encode_batch(const rib::OutboundBatch& batch, const wire::SessionOptions& options);

}  // namespace bgpd::daemon
