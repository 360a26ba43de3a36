// bgpd/fsm/collision.hpp - BGP connection collision detection.
//
// Owns: RFC 4271 section 6.8 as a pure function, with the RFC 6286 section
// 2.3 tie-break for equal BGP Identifiers. The caller (the session shell)
// runs it when an OPEN arrives on a connection while another connection to
// the same peer exists, then signals OpenCollisionDump (Event 23) to the
// losing connection's FSM, which sends Cease / Connection Collision
// Resolution (RFC 4486 subcode 7).
#pragma once

#include <cstdint>
#include <string_view>

#include "bgpd/fsm/types.hpp"

namespace bgpd::fsm {

struct CollisionCheck {
  // Host byte order: section 6.8 step 1 compares the identifiers "as
  // 4-octet unsigned integers" after converting them to host byte order.
  std::uint32_t local_bgp_id = 0;
  std::uint32_t remote_bgp_id = 0;  // from the OPEN just received
  // RFC 6286 2.3: with equal identifiers the AS numbers decide.
  std::uint32_t local_as = 0;
  std::uint32_t remote_as = 0;
  // The other, already existing connection to this peer.
  State existing_state = State::Idle;
  // True when we initiated the existing connection (so the remote system
  // initiated the one the OPEN arrived on), false for the reverse.
  bool existing_initiated_locally = true;
  // Section 6.8: a speaker "MAY also examine connections in an OpenSent
  // state if it knows the BGP Identifier of the peer by means outside of
  // the protocol".
  bool examine_open_sent = false;
  // RFC 4271 8.1.1 CollisionDetectEstablishedState.
  bool collision_detect_established_state = false;
};

enum class CollisionVerdict : std::uint8_t {
  NoCollision,
  CloseExisting,  // the existing connection loses; keep the new one
  CloseNew,       // the connection the OPEN arrived on loses
  // Same identifier and same AS: no rule can pick a winner. The OPEN is
  // invalid (RFC 6286 2.2: Bad BGP Identifier) and must be refused.
  BadBgpIdentifier,
};

CollisionVerdict resolve_collision(const CollisionCheck& check);

std::string_view to_string(CollisionVerdict verdict);

}  // namespace bgpd::fsm
