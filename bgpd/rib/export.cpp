// bgpd/rib/export.cpp - RFC 4271 section 9.2 update-send rules (see export.hpp).
#include "bgpd/rib/export.hpp"

#include <algorithm>

#include "bgpd/rib/decision.hpp"

namespace bgpd::rib {

namespace {

bool has_community(const wire::PathAttributes& attrs, wire::Community c) {
  return std::binary_search(attrs.communities.begin(), attrs.communities.end(), c);
}

// Steps 1-4 of export.hpp: may this route go to this peer at all?
bool may_send(const SourceInfo& from, const ExportTarget& to, const wire::Prefix& prefix,
              const wire::PathAttributes& best) {
  const PeerInfo& peer = *to.peer;
  if (!from.local && from.id == peer.id) return false;
  if (std::find(peer.families.begin(), peer.families.end(), prefix.family()) ==
      peer.families.end()) {
    return false;
  }
  if (has_community(best, wire::kNoAdvertise)) return false;  // RFC 1997
  if (to.ebgp &&
      (has_community(best, wire::kNoExport) || has_community(best, wire::kNoExportSubconfed))) {
    return false;  // RFC 1997: do not leave the AS (no confederation here)
  }
  const bool from_ibgp = !from.local && !from.ebgp;
  return !(from_ibgp && !to.ebgp);  // RFC 4271 9.2: no iBGP -> iBGP
}

const std::optional<wire::IpAddress>& local_address(const PeerInfo& peer, wire::Afi family) {
  return family == wire::Afi::Ipv4 ? peer.local_address_v4 : peer.local_address_v6;
}

}  // namespace

std::optional<wire::PathAttributes> export_route(const RibConfig& config, const SourceInfo& from,
                                                 const ExportTarget& to, const wire::Prefix& prefix,
                                                 const wire::PathAttributes& best) {
  if (!may_send(from, to, prefix, best)) return std::nullopt;
  const PeerInfo& peer = *to.peer;

  wire::PathAttributes out = best;
  const bool need_self = to.ebgp || peer.next_hop_self || !out.next_hop;
  if (need_self) {
    const auto& self = local_address(peer, prefix.family());
    if (!self) return std::nullopt;  // no NEXT_HOP we could send
    out.next_hop = *self;
    // We do not know our link-local address on that link (RFC 2545 3).
    out.link_local_next_hop.reset();
  }
  if (to.ebgp) {
    out.local_pref.reset();          // RFC 4271 5.1.5
    if (from.ebgp) out.med.reset();  // RFC 4271 5.1.4
  } else {
    out.local_pref = effective_local_pref(best, config);  // RFC 4271 5.1.5
  }

  const auto outcome = to.policy->evaluate(prefix, out, policy::EvalContext{config.local_asn});
  if (outcome.verdict == policy::Verdict::Reject) return std::nullopt;
  if (outcome.modified) out = *outcome.modified;

  if (to.ebgp) {
    out.local_pref.reset();                 // whatever the policy set: 5.1.5
    out.as_path.prepend(config.local_asn);  // RFC 4271 5.1.2
  }
  return out;
}

}  // namespace bgpd::rib
