// bgpd/rib/decision.hpp - the BGP decision process (RFC 4271 section 9.1).
//
// Owns: choosing the best of the candidate routes for one prefix, as the
// RFC describes it: candidates are removed from consideration step by step
// (9.1.2 phase 2 by degree of preference, then the tie-breaking steps of
// 9.1.2.2 a-g), and the step that removed each one is recorded so the CLI
// can explain the choice.
// Must not depend on: the tables (it sees candidates only), policy,
// sockets, Asio, clocks, logging.
//
// Phase 1 inputs that do not apply here: IGP cost is not known (step e
// treats all routes as equal) and every next hop counts as resolvable
// (9.1.2 "unresolvable next hop" is the FIB's business, not ours).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bgpd/rib/route.hpp"

namespace bgpd::rib {

// In the order they run. Test names use the RFC letter (Step_c_...).
enum class DecisionStep : std::uint8_t {
  LocalPref,          // 9.1.1/9.1.2: highest degree of preference (LOCAL_PREF)
  LocallyOriginated,  // local policy (9.1.1): our own routes at equal preference
  AsPathLength,       // 9.1.2.2 (a) fewest AS numbers in AS_PATH
  Origin,             // 9.1.2.2 (b) lowest ORIGIN
  Med,                // 9.1.2.2 (c) lowest MED among routes from the same neighbor AS
  EbgpOverIbgp,       // 9.1.2.2 (d) eBGP-learned over iBGP-learned
  IgpCost,            // 9.1.2.2 (e) lowest IGP cost to the NEXT_HOP (all equal here)
  BgpIdentifier,      // 9.1.2.2 (f) lowest BGP Identifier of the advertiser
  PeerAddress,        // 9.1.2.2 (g) lowest peer address
  LowestPeerId,       // deterministic final tie-break (cannot tie after g)
};

// "9.1.2.2 (c)" and "lower MED from the same neighbor AS" for the CLI.
std::string_view rfc_reference(DecisionStep step);
std::string_view describe(DecisionStep step);

struct Candidate {
  const SourceInfo* source = nullptr;
  const wire::PathAttributes* attrs = nullptr;
};

// Index of the best candidate (candidates must not be empty). When
// `eliminated` is given it receives, per candidate, the step that removed
// it (nullopt for the winner).
std::size_t select_best(std::span<const Candidate> candidates, const RibConfig& config,
                        std::vector<std::optional<DecisionStep>>* eliminated = nullptr);

// Degree of preference (9.1.1): LOCAL_PREF, or the configured default.
std::uint32_t effective_local_pref(const wire::PathAttributes& attrs, const RibConfig& config);

}  // namespace bgpd::rib
