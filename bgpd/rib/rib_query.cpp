// bgpd/rib/rib_query.cpp - read-only views of the RIBs for the CLI and tests.
#include <algorithm>

#include "bgpd/rib/rib.hpp"

namespace bgpd::rib {

std::optional<Path> Rib::best(const wire::Prefix& prefix) const {
  auto it = table_.find(prefix);
  if (it == table_.end()) return std::nullopt;
  return it->second.best();
}

std::vector<ExplainedPath> Rib::explain(const wire::Prefix& prefix) const {
  auto it = table_.find(prefix);
  if (it == table_.end()) return {};
  const PathSet& paths = it->second;
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    candidates.push_back({&source_of(paths[i].source), paths[i].attrs.get()});
  }
  std::vector<std::optional<DecisionStep>> eliminated;
  select_best(candidates, config_, &eliminated);
  std::vector<ExplainedPath> out;
  for (std::size_t i = 0; i < paths.size(); ++i) out.push_back({paths[i], eliminated[i]});
  // The best first, then the paths that lasted longest in the process.
  std::stable_sort(out.begin(), out.end(), [](const ExplainedPath& a, const ExplainedPath& b) {
    if (!a.eliminated_by || !b.eliminated_by) return !a.eliminated_by && b.eliminated_by;
    return *a.eliminated_by > *b.eliminated_by;
  });
  return out;
}

std::optional<PeerCounters> Rib::counters(PeerId id) const {
  const PeerState* peer = find_peer(id);
  if (!peer) return std::nullopt;
  PeerCounters c = peer->counters;
  c.advertised = peer->out.size();
  return c;
}

void Rib::for_each_best(const std::function<void(const wire::Prefix&, const Path&)>& f) const {
  for (const auto& [prefix, paths] : table_) f(prefix, paths.best());
}

void Rib::for_each_adj_rib_in(
    PeerId id, bool pre_policy,
    const std::function<void(const wire::Prefix&, const AttrHandle&)>& f) const {
  const PeerState* peer = find_peer(id);
  if (pre_policy) {
    if (!peer) return;
    for (const auto& [prefix, attrs] : peer->pre_policy) f(prefix, attrs);
    return;
  }
  if (!peer && id != kLocalSource) return;
  for (const auto& [prefix, paths] : table_) {
    if (const Path* p = paths.find(id)) f(prefix, p->attrs);
  }
}

const AttrHandle* Rib::adj_rib_out(PeerId id, const wire::Prefix& prefix) const {
  const PeerState* peer = find_peer(id);
  return peer ? peer->out.find(prefix) : nullptr;
}

}  // namespace bgpd::rib
