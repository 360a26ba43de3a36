// bgpd/fsm/collision.cpp - RFC 4271 section 6.8, RFC 6286 section 2.3.
#include "bgpd/fsm/collision.hpp"

namespace bgpd::fsm {
namespace {

// The side whose connection survives: "retain only the connection
// initiated by the BGP speaker with the higher-valued BGP Identifier".
CollisionVerdict keep_connection_of(bool local_wins, bool existing_initiated_locally) {
  return local_wins == existing_initiated_locally ? CollisionVerdict::CloseNew
                                                  : CollisionVerdict::CloseExisting;
}

}  // namespace

CollisionVerdict resolve_collision(const CollisionCheck& check) {
  switch (check.existing_state) {
    // "a connection collision cannot be detected with connections that are
    // in Idle, Connect, or Active states."
    case State::Idle:
    case State::Connect:
    case State::Active:
      return CollisionVerdict::NoCollision;
    case State::OpenSent:
      if (!check.examine_open_sent) return CollisionVerdict::NoCollision;
      break;
    case State::OpenConfirm:
      break;
    // "Unless allowed via configuration, a connection collision with an
    // existing BGP connection that is in the Established state causes
    // closing of the newly created connection."
    case State::Established:
      if (!check.collision_detect_established_state) return CollisionVerdict::CloseNew;
      break;
  }
  if (check.local_bgp_id != check.remote_bgp_id) {
    return keep_connection_of(check.local_bgp_id > check.remote_bgp_id,
                              check.existing_initiated_locally);
  }
  // RFC 6286 2.3: "the connection initiated by the BGP speaker with the
  // larger AS number is preserved".
  if (check.local_as != check.remote_as) {
    return keep_connection_of(check.local_as > check.remote_as, check.existing_initiated_locally);
  }
  return CollisionVerdict::BadBgpIdentifier;
}

std::string_view to_string(CollisionVerdict verdict) {
  switch (verdict) {
    case CollisionVerdict::NoCollision:
      return "NoCollision";
    case CollisionVerdict::CloseExisting:
      return "CloseExisting";
    case CollisionVerdict::CloseNew:
      return "CloseNew";
    case CollisionVerdict::BadBgpIdentifier:
      return "BadBgpIdentifier";
  }
  return "?";
}

}  // namespace bgpd::fsm
