// bgpd/wire/update.hpp - UPDATE message (RFC 4271 section 4.3) with
// multiprotocol NLRI (RFC 4760), RFC 7606 error handling and End-of-RIB
// (RFC 4724 section 2).
//
// Decoded form. MP_REACH_NLRI / MP_UNREACH_NLRI prefixes are merged into
// `nlri` / `withdrawn` (each Prefix carries its family): first the prefixes
// of the UPDATE body, then those of the MP attribute. Next hops:
//  - `attrs.next_hop` (+ `attrs.link_local_next_hop`) is the next hop of the
//    MP_REACH_NLRI family when MP_REACH_NLRI is present, else the NEXT_HOP
//    attribute. So an UPDATE with one family needs nothing else.
//  - `ipv4_next_hop` always holds the NEXT_HOP attribute when present. One
//    UPDATE may carry IPv4 body NLRI (NEXT_HOP) and MP_REACH IPv6: then both
//    next hops are kept, and attributes_for(i) gives each prefix its own.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bgpd/wire/buffer.hpp"
#include "bgpd/wire/error.hpp"
#include "bgpd/wire/options.hpp"
#include "bgpd/wire/types.hpp"
#include "common/expected.hpp"

namespace bgpd::wire {

struct Update {
  std::vector<Prefix> withdrawn;
  std::vector<Prefix> nlri;
  PathAttributes attrs;
  std::optional<IpAddress> ipv4_next_hop;   // the NEXT_HOP attribute
  std::optional<Family> mp_reach_family;    // MP_REACH_NLRI present
  std::optional<Family> mp_unreach_family;  // MP_UNREACH_NLRI present
  std::size_t body_withdrawn_count = 0;     // withdrawn[0, n) came from the body
  std::size_t body_nlri_count = 0;          // nlri[0, n) came from the body

  // The attributes of nlri[index], with that prefix's next hop.
  PathAttributes attributes_for(std::size_t index) const;
  bool operator==(const Update&) const = default;
};

struct DecodedUpdate {
  Update update;
  // Non-fatal errors in the order found (RFC 7606: attribute discard,
  // treat-as-withdraw). With treat-as-withdraw, the decoder has already
  // moved every NLRI prefix to `withdrawn` and cleared the attributes
  // (RFC 7606 section 2).
  std::vector<DecodeError> errors;
  // RFC 4724 section 2: an UPDATE with nothing but an empty withdrawal
  // (IPv4: no attributes at all; others: only an empty MP_UNREACH_NLRI).
  std::optional<Family> end_of_rib;

  // The strongest approach among `errors` (RFC 7606 section 3 (j)).
  std::optional<Action> action() const;
  bool treat_as_withdraw() const { return action() == Action::TreatAsWithdraw; }
};

// `body`: the octets after the 19-octet header. Fatal errors (session
// reset) come back as the error; all others are in DecodedUpdate::errors.
common::Expected<DecodedUpdate, DecodeError> decode_update(std::span<const std::uint8_t> body,
                                                           const SessionOptions& options);

enum class EncodeError : std::uint8_t {
  MessageTooLarge = 1,  // over options.max_message_size()
  AttributesTooLarge,   // no room left for even one prefix
  NextHopMissing,       // no next hop of the prefixes' family
};

// Appends one UPDATE: body withdrawn = withdrawn[0, body_withdrawn_count),
// MP_UNREACH_NLRI (if mp_unreach_family) = the rest; likewise for nlri with
// NEXT_HOP = ipv4_next_hop (or attrs.next_hop) and MP_REACH_NLRI's next hop
// = attrs.next_hop. Path attributes are written only when there is NLRI.
// On error nothing is appended.
common::Expected<void, EncodeError> encode_update(const Update& update,
                                                  const SessionOptions& options,
                                                  std::vector<std::uint8_t>& out);

// RFC 4724 section 2.
void encode_end_of_rib(Family family, std::vector<std::uint8_t>& out);

}  // namespace bgpd::wire
