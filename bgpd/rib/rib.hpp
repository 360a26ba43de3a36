// bgpd/rib/rib.hpp - the routing information bases and the decision process.
//
// Owns: the Adj-RIBs-In of every peer (post-policy routes, and pre-policy
// ones for peers with soft reconfiguration inbound), the Loc-RIB (best
// path per prefix), the Adj-RIBs-Out and their send queues, the interned
// attribute sets, and routes this speaker originates. Events in (peer up,
// peer down, UPDATE received, policy changed, network originated), values
// out (changed best paths, per-peer outbound batches).
// Must not depend on: sockets, Asio, clocks, logging, session, config.
// RFCs: RFC 4271 sections 3.2 (the RIBs), 9.1 (decision process, see
// decision.hpp), 9.1.2 (AS loop detection), 9.2 (update-send, see
// export.hpp), 5.1.5 (LOCAL_PREF); RFC 1997 (well-known communities);
// RFC 4724 (End-of-RIB marking); RFC 8212 (default policies).
//
// Layout: one hash table keyed by Prefix holds, per prefix, the candidate
// paths of every peer (their post-policy Adj-RIB-In entries) with the best
// first - a peer's Adj-RIB-In is a view on it. Each path is (peer id,
// 8-byte attribute handle). Peer down scans the table once (as BIRD does)
// instead of keeping a second per-peer index.
//
// Locally originated routes (source kLocalSource) take part in the
// decision like any other and, at equal LOCAL_PREF, win before AS_PATH
// length is compared (the usual router practice; decision.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "bgpd/rib/adj_rib_out.hpp"
#include "bgpd/rib/attribute_store.hpp"
#include "bgpd/rib/decision.hpp"
#include "bgpd/rib/path_set.hpp"
#include "bgpd/rib/route.hpp"
#include "common/expected.hpp"

namespace bgpd::rib {

enum class RibError : std::uint8_t {
  UnknownPeer,     // not up (never came up, or went down)
  PeerAlreadyUp,   // peer_up twice without peer_down
  ReservedPeerId,  // kLocalSource is not a peer
};

std::string_view to_string(RibError error);

// Paths carry AttrHandles: read them on the RIB strand only, copy the
// attributes to hand them elsewhere (attribute_store.hpp).
struct BestPathChange {
  wire::Prefix prefix;
  std::optional<Path> old_best;  // none: the prefix was unreachable
  std::optional<Path> new_best;  // none: now unreachable
};

struct RibChanges {
  std::vector<BestPathChange> best_paths;
  // Peers with changes waiting in their Adj-RIB-Out queue (take_outbound).
  std::vector<PeerId> outbound;
};

struct ImportReload {
  RibChanges changes;
  // No pre-policy Adj-RIB-In for this peer: the new policy applies to
  // routes sent from now on; ask the peer to resend (RFC 2918).
  bool route_refresh_needed = false;
};

// Per peer. Cumulative counts since the peer came up, and current sizes.
struct PeerCounters {
  std::uint64_t received = 0;    // prefixes announced to us
  std::uint64_t withdrawn = 0;   // prefixes withdrawn by the peer
  std::uint64_t rejected = 0;    // announcements refused (AS loop or import policy)
  std::uint64_t accepted = 0;    // routes now in the post-policy Adj-RIB-In
  std::uint64_t advertised = 0;  // routes now in the Adj-RIB-Out
};

// One candidate of explain(): the best first, then the others.
struct ExplainedPath {
  Path path;
  std::optional<DecisionStep> eliminated_by;  // nullopt: the best path
};

class Rib {
 public:
  explicit Rib(RibConfig config);
  Rib(const Rib&) = delete;
  Rib& operator=(const Rib&) = delete;

  const RibConfig& config() const { return config_; }

  // --- events ---------------------------------------------------------
  // The session is Established: queue the whole Loc-RIB for it, then
  // End-of-RIB for its families.
  common::Expected<RibChanges, RibError> peer_up(PeerInfo info);
  // The session is gone: all its routes are withdrawn (RFC 4271 9.1.3 via
  // the decision process), its Adj-RIB-Out dropped.
  common::Expected<RibChanges, RibError> peer_down(PeerId peer);
  // One UPDATE (RFC 4271 4.3): withdrawals, then announcements sharing
  // `attrs`. A new announcement replaces the peer's previous route for the
  // prefix, even when it is rejected (then it works as a withdrawal).
  common::Expected<RibChanges, RibError> update(PeerId peer,
                                                std::span<const wire::Prefix> withdrawn,
                                                std::span<const wire::Prefix> announced,
                                                const wire::PathAttributes& attrs);
  // A static network: no import policy, our own route.
  RibChanges originate(const wire::Prefix& prefix, const wire::PathAttributes& attrs);
  RibChanges withdraw_originated(const wire::Prefix& prefix);
  // Soft reconfiguration inbound when the peer keeps a pre-policy table.
  common::Expected<ImportReload, RibError> set_import_policy(PeerId peer, policy::Chain chain);
  // Re-runs the export of every best path to the peer.
  common::Expected<RibChanges, RibError> set_export_policy(PeerId peer, policy::Chain chain);

  // --- outputs --------------------------------------------------------
  common::Expected<OutboundBatch, RibError> take_outbound(
      PeerId peer, std::size_t max_prefixes = std::numeric_limits<std::size_t>::max());

  // --- queries (CLI, tests) -------------------------------------------
  std::optional<Path> best(const wire::Prefix& prefix) const;
  // Every candidate with the decision step that eliminated it.
  std::vector<ExplainedPath> explain(const wire::Prefix& prefix) const;
  std::optional<PeerCounters> counters(PeerId peer) const;
  std::size_t loc_rib_size() const { return table_.size(); }
  const AttributeStore& attributes() const { return store_; }
  void for_each_best(const std::function<void(const wire::Prefix&, const Path&)>& f) const;
  // The peer's Adj-RIB-In, post-policy (what it contributes to the
  // decision) or pre-policy (soft reconfiguration peers only).
  void for_each_adj_rib_in(
      PeerId peer, bool pre_policy,
      const std::function<void(const wire::Prefix&, const AttrHandle&)>& f) const;
  const AttrHandle* adj_rib_out(PeerId peer, const wire::Prefix& prefix) const;

 private:
  struct PeerState {
    PeerState(PeerInfo peer, bool is_ebgp, policy::Chain in, policy::Chain out_chain)
        : info(std::move(peer)),
          source{info.id, false, is_ebgp, info.bgp_identifier, info.address},
          ebgp(is_ebgp),
          import_policy(std::move(in)),
          export_policy(std::move(out_chain)) {}

    PeerInfo info;
    SourceInfo source;
    bool ebgp = false;
    policy::Chain import_policy;
    policy::Chain export_policy;
    PeerCounters counters;
    std::unordered_map<wire::Prefix, AttrHandle, PrefixHash> pre_policy;
    AdjRibOut out;
    bool up = true;
  };
  using Table = std::unordered_map<wire::Prefix, PathSet, PrefixHash>;

  // Within one event, the export of one attribute set from one source to
  // one peer is computed once (all prefixes of an UPDATE share the set;
  // a full-table dump has ~1 set per 12 prefixes). Entries hold a handle
  // on the key's set so its address cannot be reused while memoised; the
  // memo is cleared when the event ends (finish()).
  struct ExportKey {
    PeerId target;
    PeerId source;
    const wire::PathAttributes* attrs;
    wire::Afi family;
    bool operator==(const ExportKey&) const = default;
  };
  struct ExportKeyHash {
    std::size_t operator()(const ExportKey& k) const noexcept {
      return std::hash<const void*>{}(k.attrs) ^ (std::size_t{k.target} << 20) ^
             (std::size_t{k.source} << 40) ^ static_cast<std::size_t>(k.family);
    }
  };
  struct ExportMemo {
    AttrHandle key_owner;
    AttrHandle result;  // null: not exported
  };

  PeerState* find_peer(PeerId peer);
  const PeerState* find_peer(PeerId peer) const;
  const SourceInfo& source_of(PeerId id) const;

  // The import pipeline: loop check + LOCAL_PREF rule per UPDATE (base),
  // then the policy per prefix. Null handle: rejected.
  AttrHandle import_base(const PeerState& peer, const AttrHandle& received);
  AttrHandle import_prefix(const PeerState& peer, const wire::Prefix& prefix,
                           const AttrHandle& base);
  void accept_or_reject(PeerState& peer, const wire::Prefix& prefix, AttrHandle route,
                        RibChanges& changes);

  void set_path(const wire::Prefix& prefix, PeerId source, AttrHandle attrs, RibChanges& changes);
  void remove_path(const wire::Prefix& prefix, PeerId source, RibChanges& changes);
  // Decision process on the entry, then export of a changed best path.
  void decide(Table::iterator it, std::optional<Path> old_best, RibChanges& changes);
  void export_to(PeerState& peer, const wire::Prefix& prefix, const Path* best);
  AttrHandle exported(const PeerState& peer, const wire::Prefix& prefix, const Path& best);
  void finish(RibChanges& changes);

  RibConfig config_;
  SourceInfo local_source_;
  AttributeStore store_;  // declared before every holder of a handle
  Table table_;
  std::map<PeerId, PeerState> peers_;  // ordered: deterministic export order
  std::unordered_map<ExportKey, ExportMemo, ExportKeyHash> export_memo_;
};

}  // namespace bgpd::rib
