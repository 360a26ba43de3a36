// bgpd/rib/decision.cpp - RFC 4271 section 9.1.2 as a table of elimination steps.
#include "bgpd/rib/decision.hpp"

#include <algorithm>
#include <iterator>
#include <limits>

namespace bgpd::rib {

namespace {

using Alive = std::vector<std::size_t>;  // indices still under consideration

// Keeps the candidates whose key is the smallest; removes the others.
template <class KeyFn>
void keep_min(std::span<const Candidate> c, Alive& alive, Alive& removed, KeyFn key) {
  auto best = key(c[alive.front()]);
  for (auto i : alive) best = std::min(best, key(c[i]));
  auto keep = std::stable_partition(alive.begin(), alive.end(),
                                    [&](std::size_t i) { return key(c[i]) == best; });
  removed.assign(keep, alive.end());
  alive.erase(keep, alive.end());
}

// RFC 4271 9.1.2.2 (c): neighborAS is the first AS of the AS_PATH; an
// empty path (originated inside our AS) belongs to the local AS.
std::uint32_t neighbor_as(const Candidate& c, const RibConfig& config) {
  return c.attrs->as_path.first_as().value_or(config.local_asn);
}

// A route without MED has the lowest possible value (9.1.2.2 c).
std::uint32_t med_of(const Candidate& c) {
  return c.attrs->med.value_or(0);
}

// 9.1.2.2 (c), the RFC's own loop: m goes when some n from the same
// neighbor AS has a lower MED. Not a total order, hence not keep_min.
void step_med(std::span<const Candidate> c, Alive& alive, Alive& removed, const RibConfig& config) {
  if (config.always_compare_med) {
    keep_min(c, alive, removed, med_of);
    return;
  }
  Alive keep;
  removed.clear();
  for (auto m : alive) {
    const bool beaten = std::any_of(alive.begin(), alive.end(), [&](std::size_t n) {
      return neighbor_as(c[n], config) == neighbor_as(c[m], config) && med_of(c[n]) < med_of(c[m]);
    });
    (beaten ? removed : keep).push_back(m);
  }
  alive.swap(keep);
}

using StepFn = void (*)(std::span<const Candidate>, Alive&, Alive&, const RibConfig&);

struct StepRow {
  DecisionStep step;
  std::string_view rfc;
  std::string_view text;
  StepFn run;
};

// The decision process, one row per step, in the RFC's order.
constexpr StepRow kSteps[] = {
    {DecisionStep::LocalPref, "9.1.2", "higher LOCAL_PREF (degree of preference)",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig& cfg) {
       // Highest wins: minimise the distance to the maximum.
       keep_min(c, a, r, [&](const Candidate& x) {
         return std::numeric_limits<std::uint32_t>::max() - effective_local_pref(*x.attrs, cfg);
       });
     }},
    {DecisionStep::LocallyOriginated, "9.1.1", "locally originated route preferred",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return x.source->local ? 0 : 1; });
     }},
    {DecisionStep::AsPathLength, "9.1.2.2 (a)", "shorter AS_PATH",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return x.attrs->as_path.length(); });
     }},
    {DecisionStep::Origin, "9.1.2.2 (b)", "lower ORIGIN",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return static_cast<int>(x.attrs->origin); });
     }},
    {DecisionStep::Med, "9.1.2.2 (c)", "lower MED from the same neighbor AS", step_med},
    {DecisionStep::EbgpOverIbgp, "9.1.2.2 (d)", "eBGP-learned over iBGP-learned",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r,
                [](const Candidate& x) { return x.source->ebgp || x.source->local ? 0 : 1; });
     }},
    {DecisionStep::IgpCost, "9.1.2.2 (e)", "lower IGP cost to NEXT_HOP (not known: equal)",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate&) { return 0; });
     }},
    {DecisionStep::BgpIdentifier, "9.1.2.2 (f)", "lower BGP Identifier",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return x.source->bgp_identifier; });
     }},
    {DecisionStep::PeerAddress, "9.1.2.2 (g)", "lower peer address",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return x.source->address; });
     }},
    {DecisionStep::LowestPeerId, "local", "lower peer id (deterministic tie-break)",
     [](std::span<const Candidate> c, Alive& a, Alive& r, const RibConfig&) {
       keep_min(c, a, r, [](const Candidate& x) { return x.source->id; });
     }},
};

constexpr bool steps_in_enum_order() {
  for (std::size_t i = 0; i < std::size(kSteps); ++i) {
    if (static_cast<std::size_t>(kSteps[i].step) != i) return false;
  }
  return true;
}
static_assert(steps_in_enum_order(), "kSteps rows must follow DecisionStep order");

const StepRow& row(DecisionStep step) {
  return kSteps[static_cast<std::size_t>(step)];
}

}  // namespace

std::string_view rfc_reference(DecisionStep step) {
  return row(step).rfc;
}
std::string_view describe(DecisionStep step) {
  return row(step).text;
}

std::uint32_t effective_local_pref(const wire::PathAttributes& attrs, const RibConfig& config) {
  return attrs.local_pref.value_or(config.default_local_pref);
}

std::size_t select_best(std::span<const Candidate> candidates, const RibConfig& config,
                        std::vector<std::optional<DecisionStep>>* eliminated) {
  if (eliminated) eliminated->assign(candidates.size(), std::nullopt);
  if (candidates.size() == 1) return 0;  // the common case: one path per prefix
  Alive alive(candidates.size());
  for (std::size_t i = 0; i < alive.size(); ++i) alive[i] = i;
  Alive removed;
  for (const StepRow& step : kSteps) {
    if (alive.size() == 1) break;
    step.run(candidates, alive, removed, config);
    if (eliminated) {
      for (auto i : removed) (*eliminated)[i] = step.step;
    }
  }
  return alive.front();
}

}  // namespace bgpd::rib
