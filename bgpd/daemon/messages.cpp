// bgpd/daemon/messages.cpp - encoding FSM actions and RIB batches.
#include "bgpd/daemon/messages.hpp"

#include <fmt/format.h>

#include "bgpd/daemon/peer.hpp"
#include "bgpd/wire/header.hpp"
#include "bgpd/wire/update.hpp"
#include "bgpd/wire/update_packing.hpp"

namespace bgpd::daemon {

Bytes encode_open_message(const wire::OpenMessage& open) {
  Bytes out;
  wire::ByteWriter w(out);
  wire::encode_open(open, w);
  return out;
}

Bytes encode_keepalive_message() {
  Bytes out;
  wire::ByteWriter w(out);
  wire::encode_keepalive(w);
  return out;
}

Bytes encode_notification_message(const fsm::SendNotification& notification) {
  Bytes out;
  wire::ByteWriter w(out);
  wire::encode_notification({notification.code, notification.subcode, notification.data}, w);
  return out;
}

Bytes encode_route_refresh_message(const wire::Family& family) {
  Bytes out;
  wire::ByteWriter w(out);
  wire::encode_route_refresh({family, wire::RouteRefreshSubtype::Request}, w);
  return out;
}

fsm::SendNotification cease_notification(wire::CeaseSubcode subcode, const std::string& text) {
  auto n = wire::make_cease(subcode, text);
  return {n.code, n.subcode, std::move(n.data)};
}

namespace {

std::string_view code_name(wire::ErrorCode code) {
  switch (code) {
    case wire::ErrorCode::MessageHeader: return "Message Header Error";
    case wire::ErrorCode::OpenMessage: return "OPEN Message Error";
    case wire::ErrorCode::UpdateMessage: return "UPDATE Message Error";
    case wire::ErrorCode::HoldTimerExpired: return "Hold Timer Expired";
    case wire::ErrorCode::FiniteStateMachine: return "Finite State Machine Error";
    case wire::ErrorCode::Cease: return "Cease";
    case wire::ErrorCode::RouteRefreshMessage: return "ROUTE-REFRESH Message Error";
  }
  return "Unknown";
}

}  // namespace

std::string describe_notification(wire::ErrorCode code, std::uint8_t subcode,
                                  std::span<const std::uint8_t> data) {
  std::string text = fmt::format("{} ({}/{})", code_name(code), static_cast<int>(code), subcode);
  wire::Notification n{code, subcode, {data.begin(), data.end()}};
  if (auto comm = wire::shutdown_communication(n); comm && !comm->text.empty()) {
    // RFC 9003 section 3: show only valid UTF-8, and say that it was cut.
    text += comm->valid_utf8 ? fmt::format(" \"{}\"", comm->text) : " <invalid UTF-8 message>";
  }
  return text;
}

wire::DecodeError header_error_of(std::span<const std::uint8_t> header,
                                  const std::optional<wire::NegotiatedSession>& negotiated) {
  const auto options = negotiated ? negotiated->options() : wire::SessionOptions{};
  auto frame = wire::peek_header(header, options);
  if (!frame) return frame.error();
  // The framer refused a header that the codec accepts: only a length
  // beyond what this connection allows can do that.
  return wire::header_error(wire::HeaderSubcode::BadMessageLength,
                            {header.begin() + 16, header.begin() + 18}, "message too long");
}

common::Expected<void, wire::DecodeError> validate_peer_open(const wire::OpenMessage& open,
                                                             const config::NeighborConfig& neighbor,
                                                             const LocalIdentity& local) {
  auto valid = wire::validate_open(open, {neighbor.asn});
  if (!valid) return valid;
  if (neighbor.asn == local.asn && open.bgp_identifier == local.router_id) {
    return common::Unexpected(wire::open_error(wire::OpenSubcode::BadBgpIdentifier, {},
                                               "iBGP peer uses our BGP Identifier"));
  }
  return {};
}

wire::Notification decode_notification_message(std::span<const std::uint8_t> body) {
  auto n = wire::decode_notification(body);
  if (n) return *n;
  wire::Notification raw;
  if (!body.empty()) raw.code = static_cast<wire::ErrorCode>(body[0]);
  return raw;
}

EncodedBatch encode_batch(const rib::OutboundBatch& batch, const wire::SessionOptions& options) {
  EncodedBatch out;
  wire::UpdatePacker packer(options);
  if (!batch.withdraw.empty()) out.messages += packer.withdraw(batch.withdraw, out.bytes);
  for (const auto& group : batch.announce) {
    // One family per call: the packer takes the next hop of the family.
    std::vector<wire::Prefix> v4;
    std::vector<wire::Prefix> v6;
    for (const auto& p : group.prefixes) (p.family() == wire::Afi::Ipv4 ? v4 : v6).push_back(p);
    for (const auto* prefixes : {&v4, &v6}) {
      if (prefixes->empty()) continue;
      auto n = packer.announce(*group.attributes, *prefixes, out.bytes);
      if (n) {
        out.messages += *n;
      } else {
        ++out.skipped_groups;
      }
    }
  }
  for (auto afi : batch.end_of_rib) {
    wire::encode_end_of_rib({afi, wire::Safi::Unicast}, out.bytes);
    ++out.messages;
  }
  return out;
}

}  // namespace bgpd::daemon
