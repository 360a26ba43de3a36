// bgpd/rib/adj_rib_out.hpp - one peer's Adj-RIB-Out and its send queue.
//
// Owns: what we advertise to one peer (RFC 4271 section 3.2, Adj-RIB-Out:
// the routes after export rules and policy) and the changes not yet handed
// to the session layer. Changes coalesce: a prefix that flaps between two
// take() calls is sent once, in its latest state, or not at all if it is
// back to what the peer already has.
// Output: batches grouped by interned attribute set, so the encoder packs
// all prefixes sharing one set into as few UPDATEs as possible, plus the
// withdrawals and the End-of-RIB marker (RFC 4724 section 2) owed after
// the initial table.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "bgpd/rib/route.hpp"

namespace bgpd::rib {

struct OutboundGroup {
  // A copy owned by the batch: batches cross to the session strand, handles
  // must not (attribute_store.hpp).
  std::shared_ptr<const wire::PathAttributes> attributes;
  // Any order. Usually one family (NEXT_HOP differs per family), but the
  // encoder must split by family (NLRI vs MP_REACH_NLRI) all the same.
  std::vector<wire::Prefix> prefixes;
};

struct OutboundBatch {
  std::vector<OutboundGroup> announce;
  std::vector<wire::Prefix> withdraw;
  // Families whose End-of-RIB goes after this batch (RFC 4724 section 2).
  std::vector<wire::Afi> end_of_rib;

  bool empty() const { return announce.empty() && withdraw.empty() && end_of_rib.empty(); }
  std::size_t prefix_count() const;
};

class AdjRibOut {
 public:
  // The route advertised for `prefix` from now on; null means none.
  void set(const wire::Prefix& prefix, AttrHandle attrs);
  const AttrHandle* find(const wire::Prefix& prefix) const;
  std::size_t size() const { return advertised_.size(); }
  bool has_pending() const { return !pending_.empty() || !end_of_rib_.empty(); }
  // After the initial table: End-of-RIB once everything queued is taken.
  void request_end_of_rib(std::vector<wire::Afi> families) { end_of_rib_ = std::move(families); }

  // Up to `max_prefixes` queued changes (announcements + withdrawals).
  OutboundBatch take(std::size_t max_prefixes = std::numeric_limits<std::size_t>::max());

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [prefix, attrs] : advertised_) f(prefix, attrs);
  }

 private:
  using Map = std::unordered_map<wire::Prefix, AttrHandle, PrefixHash>;
  Map advertised_;
  Map pending_;  // prefix -> what the peer was last sent (null: nothing)
  std::vector<wire::Afi> end_of_rib_;
};

}  // namespace bgpd::rib
