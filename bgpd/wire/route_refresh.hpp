// bgpd/wire/route_refresh.hpp - ROUTE-REFRESH (RFC 2918) with the
// enhanced route refresh demarcation subtypes (RFC 7313).
#pragma once

#include <cstdint>
#include <span>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/types.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

// RFC 7313 section 3.2: the former Reserved octet.
enum class RouteRefreshSubtype : std::uint8_t {
  Request = 0,
  BeginningOfRouteRefresh = 1,  // BoRR
  EndOfRouteRefresh = 2,        // EoRR
};

struct RouteRefresh {
  Family family;
  RouteRefreshSubtype subtype = RouteRefreshSubtype::Request;

  // RFC 7313 section 5: a message with another subtype MUST be ignored; it
  // decodes (with its raw subtype) and the receiver drops it.
  bool known_subtype() const { return static_cast<std::uint8_t>(subtype) <= 2; }
  bool operator==(const RouteRefresh&) const = default;
};

// `body`: the octets after the header; exactly 4 (AFI, subtype, SAFI).
common::Expected<RouteRefresh, DecodeError> decode_route_refresh(
    std::span<const std::uint8_t> body);
void encode_route_refresh(const RouteRefresh& rr, ByteWriter& w);

// KEEPALIVE is a bare header (RFC 4271 4.4).
void encode_keepalive(ByteWriter& w);

}  // namespace bgpd::wire
