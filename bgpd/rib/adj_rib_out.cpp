// bgpd/rib/adj_rib_out.cpp - coalescing send queue of one peer.
#include "bgpd/rib/adj_rib_out.hpp"

namespace bgpd::rib {

std::size_t OutboundBatch::prefix_count() const {
  std::size_t n = withdraw.size();
  for (const auto& g : announce) n += g.prefixes.size();
  return n;
}

void AdjRibOut::set(const wire::Prefix& prefix, AttrHandle attrs) {
  auto it = advertised_.find(prefix);
  const AttrHandle current = it == advertised_.end() ? AttrHandle{} : it->second;
  if (current == attrs) return;
  // Remember what the peer has, the first time the prefix changes.
  pending_.try_emplace(prefix, current);
  if (!attrs) {
    advertised_.erase(it);
  } else if (it == advertised_.end()) {
    advertised_.emplace(prefix, std::move(attrs));
  } else {
    it->second = std::move(attrs);
  }
}

const AttrHandle* AdjRibOut::find(const wire::Prefix& prefix) const {
  auto it = advertised_.find(prefix);
  return it == advertised_.end() ? nullptr : &it->second;
}

OutboundBatch AdjRibOut::take(std::size_t max_prefixes) {
  OutboundBatch batch;
  std::unordered_map<const wire::PathAttributes*, std::size_t> group_of;
  std::size_t taken = 0;
  for (auto it = pending_.begin(); it != pending_.end() && taken < max_prefixes;) {
    const AttrHandle* now = find(it->first);
    const bool unchanged = now ? *now == it->second : !it->second;
    if (!unchanged) {
      ++taken;
      if (!now) {
        batch.withdraw.push_back(it->first);
      } else {
        auto [g, added] = group_of.try_emplace(now->get(), batch.announce.size());
        if (added) {
          batch.announce.push_back({std::make_shared<const wire::PathAttributes>(**now), {}});
        }
        batch.announce[g->second].prefixes.push_back(it->first);
      }
    }
    it = pending_.erase(it);
  }
  if (pending_.empty()) {
    batch.end_of_rib = std::move(end_of_rib_);
    end_of_rib_.clear();
  }
  return batch;
}

}  // namespace bgpd::rib
