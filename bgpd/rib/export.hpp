// bgpd/rib/export.hpp - from a Loc-RIB best path to what one peer is sent.
//
// Owns: the update-send rules of RFC 4271 section 9.2 (with 5.1.2-5.1.5
// for the attributes) and RFC 1997's well-known communities, around the
// peer's export policy. Pure: (route, source, target) -> attributes or
// nothing.
//
// Order, and the choices where the RFC leaves room:
//  1. Never back to the peer the route came from.
//  2. Only in families negotiated with the peer (RFC 4760).
//  3. NO_ADVERTISE: to nobody; NO_EXPORT and NO_EXPORT_SUBCONFED: to no
//     eBGP peer (RFC 1997; we have no confederation, so both mean the AS).
//  4. iBGP-learned routes are not re-advertised to iBGP peers (9.2; no
//     route reflection).
//  5. Attributes before policy: toward eBGP LOCAL_PREF is removed (5.1.5
//     MUST NOT) and a MED learned from another AS is removed (5.1.4 MUST
//     NOT propagate; our own routes keep theirs); NEXT_HOP becomes our
//     address (next-hop self: we never send third-party next hops, 5.1.3).
//     Toward iBGP LOCAL_PREF is always present (5.1.5 MUST), NEXT_HOP is
//     unchanged unless next_hop_self is configured or the route has none.
//  6. The export policy (it may still set MED, NEXT_HOP, communities...).
//  7. Toward eBGP: LOCAL_PREF removed again whatever the policy did, and
//     the local AS prepended (5.1.2).
// A route that needs our address as NEXT_HOP but the session has no local
// address of that family is not exported. A route whose AS_PATH already
// holds the eBGP peer's AS is still sent (no sender-side loop detection):
// the receiver drops it (9.1.2), and filtering it here would make what we
// advertise depend on more than the export rules above.
#pragma once

#include <optional>

#include "bgpd/policy/policy.hpp"
#include "bgpd/rib/route.hpp"

namespace bgpd::rib {

struct ExportTarget {
  const PeerInfo* peer = nullptr;
  bool ebgp = false;
  const policy::Chain* policy = nullptr;
};

std::optional<wire::PathAttributes> export_route(const RibConfig& config, const SourceInfo& from,
                                                 const ExportTarget& to, const wire::Prefix& prefix,
                                                 const wire::PathAttributes& best);

}  // namespace bgpd::rib
