// bgpd/rib/rib.cpp - RIB events: peers, UPDATEs, origination, policy changes.
#include "bgpd/rib/rib.hpp"

#include <iterator>
#include <utility>

#include "bgpd/rib/export.hpp"

namespace bgpd::rib {

std::string_view to_string(RibError error) {
  switch (error) {
    case RibError::UnknownPeer:
      return "unknown or down peer";
    case RibError::PeerAlreadyUp:
      return "peer already up";
    case RibError::ReservedPeerId:
      return "peer id 0 is reserved for local routes";
  }
  return "?";
}

Rib::Rib(RibConfig config)
    : config_(config),
      local_source_{kLocalSource, true, false, config.router_id, wire::IpAddress{}} {}

Rib::PeerState* Rib::find_peer(PeerId peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

const Rib::PeerState* Rib::find_peer(PeerId peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

const SourceInfo& Rib::source_of(PeerId id) const {
  // Paths of a peer leave the table before the peer does (peer_down).
  return id == kLocalSource ? local_source_ : find_peer(id)->source;
}

common::Expected<RibChanges, RibError> Rib::peer_up(PeerInfo info) {
  if (info.id == kLocalSource) return common::Unexpected(RibError::ReservedPeerId);
  if (find_peer(info.id)) return common::Unexpected(RibError::PeerAlreadyUp);
  const bool ebgp = info.asn != config_.local_asn;
  auto import_policy = info.import_policy.value_or(policy::Chain::default_for(ebgp));
  auto export_policy = info.export_policy.value_or(policy::Chain::default_for(ebgp));
  info.import_policy.reset();  // the PeerState's chains are the live ones
  info.export_policy.reset();
  const PeerId id = info.id;
  auto [it, inserted] = peers_.try_emplace(id, std::move(info), ebgp, std::move(import_policy),
                                           std::move(export_policy));
  PeerState& peer = it->second;
  for (const auto& [prefix, paths] : table_) export_to(peer, prefix, &paths.best());
  peer.out.request_end_of_rib(peer.info.families);  // RFC 4724 section 2
  RibChanges changes;
  finish(changes);
  return changes;
}

common::Expected<RibChanges, RibError> Rib::peer_down(PeerId id) {
  PeerState* peer = find_peer(id);
  if (!peer) return common::Unexpected(RibError::UnknownPeer);
  peer->up = false;  // no export to it while its routes go
  RibChanges changes;
  for (auto it = table_.begin(); it != table_.end();) {
    auto next = std::next(it);
    if (it->second.find(id)) {
      std::optional<Path> old_best = it->second.best();
      it->second.remove(id);
      decide(it, std::move(old_best), changes);  // may erase it, never next
    }
    it = next;
  }
  peers_.erase(id);
  finish(changes);
  return changes;
}

common::Expected<RibChanges, RibError> Rib::update(PeerId id,
                                                   std::span<const wire::Prefix> withdrawn,
                                                   std::span<const wire::Prefix> announced,
                                                   const wire::PathAttributes& attrs) {
  PeerState* peer = find_peer(id);
  if (!peer) return common::Unexpected(RibError::UnknownPeer);
  RibChanges changes;
  const bool keep_pre_policy = peer->info.soft_reconfiguration_inbound;
  for (const auto& prefix : withdrawn) {
    ++peer->counters.withdrawn;
    if (keep_pre_policy) peer->pre_policy.erase(prefix);
    remove_path(prefix, id, changes);
  }
  if (!announced.empty()) {
    const AttrHandle received = store_.intern(attrs);
    const AttrHandle base = import_base(*peer, received);
    for (const auto& prefix : announced) {
      ++peer->counters.received;
      if (keep_pre_policy) peer->pre_policy.insert_or_assign(prefix, received);
      AttrHandle route = import_prefix(*peer, prefix, base);
      if (!route) ++peer->counters.rejected;
      accept_or_reject(*peer, prefix, std::move(route), changes);
    }
  }
  finish(changes);
  return changes;
}

RibChanges Rib::originate(const wire::Prefix& prefix, const wire::PathAttributes& attrs) {
  RibChanges changes;
  set_path(prefix, kLocalSource, store_.intern(attrs), changes);
  finish(changes);
  return changes;
}

RibChanges Rib::withdraw_originated(const wire::Prefix& prefix) {
  RibChanges changes;
  remove_path(prefix, kLocalSource, changes);
  finish(changes);
  return changes;
}

common::Expected<ImportReload, RibError> Rib::set_import_policy(PeerId id, policy::Chain chain) {
  PeerState* peer = find_peer(id);
  if (!peer) return common::Unexpected(RibError::UnknownPeer);
  peer->import_policy = std::move(chain);
  ImportReload reload;
  if (!peer->info.soft_reconfiguration_inbound) {
    reload.route_refresh_needed = true;
    return reload;
  }
  // Soft reconfiguration inbound: re-run import on the pre-policy routes;
  // the per-UPDATE part once per distinct received attribute set.
  std::unordered_map<const wire::PathAttributes*, AttrHandle> bases;
  for (const auto& [prefix, received] : peer->pre_policy) {
    auto [b, added] = bases.try_emplace(received.get());
    if (added) b->second = import_base(*peer, received);
    accept_or_reject(*peer, prefix, import_prefix(*peer, prefix, b->second), reload.changes);
  }
  finish(reload.changes);
  return reload;
}

common::Expected<RibChanges, RibError> Rib::set_export_policy(PeerId id, policy::Chain chain) {
  PeerState* peer = find_peer(id);
  if (!peer) return common::Unexpected(RibError::UnknownPeer);
  peer->export_policy = std::move(chain);
  for (const auto& [prefix, paths] : table_) export_to(*peer, prefix, &paths.best());
  RibChanges changes;
  finish(changes);
  return changes;
}

common::Expected<OutboundBatch, RibError> Rib::take_outbound(PeerId id, std::size_t max_prefixes) {
  PeerState* peer = find_peer(id);
  if (!peer) return common::Unexpected(RibError::UnknownPeer);
  return peer->out.take(max_prefixes);
}

AttrHandle Rib::import_base(const PeerState& peer, const AttrHandle& received) {
  // RFC 4271 9.1.2: a route whose AS_PATH holds our own AS is a loop; it is
  // excluded from the decision (and replaces, i.e. withdraws, an older one).
  if (received->as_path.contains(config_.local_asn)) return {};
  // RFC 4271 5.1.5: LOCAL_PREF received from an external peer MUST be
  // ignored; the default degree of preference applies (decision.hpp).
  if (peer.ebgp && received->local_pref) {
    wire::PathAttributes copy = *received;
    copy.local_pref.reset();
    return store_.intern(std::move(copy));
  }
  return received;
}

AttrHandle Rib::import_prefix(const PeerState& peer, const wire::Prefix& prefix,
                              const AttrHandle& base) {
  if (!base) return {};
  auto outcome = peer.import_policy.evaluate(prefix, *base, policy::EvalContext{config_.local_asn});
  if (outcome.verdict == policy::Verdict::Reject) return {};
  if (outcome.modified) return store_.intern(std::move(*outcome.modified));
  return base;
}

void Rib::accept_or_reject(PeerState& peer, const wire::Prefix& prefix, AttrHandle route,
                           RibChanges& changes) {
  if (route) {
    set_path(prefix, peer.info.id, std::move(route), changes);
  } else {
    remove_path(prefix, peer.info.id, changes);
  }
}

void Rib::set_path(const wire::Prefix& prefix, PeerId source, AttrHandle attrs,
                   RibChanges& changes) {
  auto [it, inserted] = table_.try_emplace(prefix);
  std::optional<Path> old_best;
  if (!inserted) old_best = it->second.best();
  const auto change = it->second.upsert(source, std::move(attrs));
  if (change == PathSet::Change::Unchanged) return;
  if (change == PathSet::Change::Added && source != kLocalSource) {
    ++find_peer(source)->counters.accepted;
  }
  decide(it, std::move(old_best), changes);
}

void Rib::remove_path(const wire::Prefix& prefix, PeerId source, RibChanges& changes) {
  auto it = table_.find(prefix);
  if (it == table_.end()) return;
  std::optional<Path> old_best = it->second.best();
  if (!it->second.remove(source)) return;
  if (source != kLocalSource) --find_peer(source)->counters.accepted;
  decide(it, std::move(old_best), changes);
}

void Rib::decide(Table::iterator it, std::optional<Path> old_best, RibChanges& changes) {
  const wire::Prefix prefix = it->first;
  PathSet& paths = it->second;
  std::optional<Path> new_best;
  if (paths.empty()) {
    table_.erase(it);
  } else {
    if (paths.size() > 1) {
      std::vector<Candidate> candidates;
      candidates.reserve(paths.size());
      for (std::size_t i = 0; i < paths.size(); ++i) {
        candidates.push_back({&source_of(paths[i].source), paths[i].attrs.get()});
      }
      paths.select(select_best(candidates, config_));
    }
    new_best = paths.best();
  }
  if (old_best == new_best) return;
  for (auto& [id, peer] : peers_) {
    if (peer.up) export_to(peer, prefix, new_best ? &*new_best : nullptr);
  }
  changes.best_paths.push_back({prefix, std::move(old_best), std::move(new_best)});
}

void Rib::export_to(PeerState& peer, const wire::Prefix& prefix, const Path* best) {
  peer.out.set(prefix, best ? exported(peer, prefix, *best) : AttrHandle{});
}

AttrHandle Rib::exported(const PeerState& peer, const wire::Prefix& prefix, const Path& best) {
  auto compute = [&]() -> AttrHandle {
    const ExportTarget target{&peer.info, peer.ebgp, &peer.export_policy};
    auto attrs = export_route(config_, source_of(best.source), target, prefix, *best.attrs);
    return attrs ? store_.intern(std::move(*attrs)) : AttrHandle{};
  };
  if (peer.export_policy.depends_on_prefix()) return compute();
  const ExportKey key{peer.info.id, best.source, best.attrs.get(), prefix.family()};
  auto [it, added] = export_memo_.try_emplace(key);
  if (added) it->second = ExportMemo{best.attrs, compute()};
  return it->second.result;
}

void Rib::finish(RibChanges& changes) {
  // clear() keeps (and zeroes) the bucket array; after a full-table event
  // that would cost every later UPDATE a large memset, so start afresh.
  if (export_memo_.bucket_count() > 1024) {
    decltype(export_memo_) fresh;
    export_memo_.swap(fresh);
  } else if (!export_memo_.empty()) {
    export_memo_.clear();
  }
  for (const auto& [id, peer] : peers_) {
    if (peer.up && peer.out.has_pending()) changes.outbound.push_back(id);
  }
}

}  // namespace bgpd::rib
