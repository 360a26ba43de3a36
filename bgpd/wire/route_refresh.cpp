// bgpd/wire/route_refresh.cpp - ROUTE-REFRESH and KEEPALIVE.
#include "bgpd/wire/route_refresh.hpp"

#include "bgpd/wire/header.hpp"

namespace bgpd::wire {

common::Expected<RouteRefresh, DecodeError> decode_route_refresh(
    std::span<const std::uint8_t> body) {
  ByteReader r(body);
  auto afi = r.u16();
  auto subtype = r.u8();
  auto safi = r.u8();
  if (afi && subtype && safi && r.empty()) {
    return RouteRefresh{{static_cast<Afi>(*afi), static_cast<Safi>(*safi)},
                        static_cast<RouteRefreshSubtype>(*subtype)};
  }
  // A wrong length: RFC 7313 section 5 gives BoRR/EoRR their own error
  // ("Invalid Message Length", data = the whole message); for a plain
  // request RFC 4271 6.1's Bad Message Length applies.
  const bool demarcation = subtype && (*subtype == 1 || *subtype == 2);
  if (!demarcation) {
    return common::Unexpected(bad_body_length(body, "ROUTE-REFRESH length"));
  }
  std::vector<std::uint8_t> message;
  ByteWriter w(message);
  const std::size_t start = begin_message(w, MessageType::RouteRefresh);
  w.bytes(body);
  finish_message(w, start);
  return common::Unexpected(
      DecodeError{ErrorCode::RouteRefreshMessage,
                  static_cast<std::uint8_t>(RouteRefreshSubcode::InvalidMessageLength),
                  std::move(message), Action::SessionReset, "BoRR/EoRR length"});
}

void encode_route_refresh(const RouteRefresh& rr, ByteWriter& w) {
  const std::size_t start = begin_message(w, MessageType::RouteRefresh);
  w.u16(static_cast<std::uint16_t>(rr.family.afi));
  w.u8(static_cast<std::uint8_t>(rr.subtype));
  w.u8(static_cast<std::uint8_t>(rr.family.safi));
  finish_message(w, start);
}

void encode_keepalive(ByteWriter& w) {
  finish_message(w, begin_message(w, MessageType::Keepalive));
}

}  // namespace bgpd::wire
