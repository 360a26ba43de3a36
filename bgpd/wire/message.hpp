// bgpd/wire/message.hpp - the BGP-4 message codec, top level.
//
// Owns: the wire form of every BGP message - header and framing, OPEN with
// optional parameters and capabilities, UPDATE with the path attribute
// table, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH, End-of-RIB - and the
// packing of many prefixes into few UPDATEs.
// Must not depend on: session, fsm, rib, api, daemon, Asio, sockets,
// clocks or logging. Bytes in, values out; errors are values that carry
// their NOTIFICATION and RFC 7606 action (error.hpp), turned into a
// NOTIFICATION only by to_notification().
// RFCs: 4271 (BGP-4), 5492 (capabilities), 4760 (multiprotocol), 2545
// (IPv6 next hop), 6793 (4-octet AS), 2918 + 7313 (route refresh), 8654
// (extended messages), 4724 (graceful restart, End-of-RIB), 1997 + 8092
// (communities), 7606 (UPDATE error handling), 9003 (shutdown
// communication), 9072 (extended optional parameters length).
#pragma once

#include <span>
#include <variant>

#include "bgpd/wire/header.hpp"
#include "bgpd/wire/notification.hpp"
#include "bgpd/wire/open.hpp"
#include "bgpd/wire/route_refresh.hpp"
#include "bgpd/wire/update.hpp"
#include "bgpd/wire/update_packing.hpp"

namespace bgpd::wire {

struct Keepalive {
  bool operator==(const Keepalive&) const = default;
};

using Message = std::variant<OpenMessage, DecodedUpdate, Notification, Keepalive, RouteRefresh>;

// Decodes exactly one whole message (`bytes` as framed by
// next_message_length()). Fatal errors come back as the error; an UPDATE's
// non-fatal RFC 7606 errors are inside its DecodedUpdate.
common::Expected<Message, DecodeError> decode_message(std::span<const std::uint8_t> bytes,
                                                      const SessionOptions& options);

}  // namespace bgpd::wire
