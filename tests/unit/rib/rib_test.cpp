// tests/unit/rib/rib_test.cpp - RIB events: loops, withdrawals, peer down,
// interning, counters, policies (RFC 8212, soft reconfiguration).
#include <gtest/gtest.h>

#include "tests/unit/rib/rib_fixture.hpp"

namespace rib_test {
namespace {

using bgpd::rib::AttrHandle;
using bgpd::rib::AttributeStore;
using bgpd::rib::RibError;

const wire::Prefix kNet = pfx("203.0.113.0/24");

TEST(AttributeStore, SameAttributesSameHandle) {
  AttributeStore store;
  auto a = store.intern(attrs({65010, 1}));
  auto b = store.intern(attrs({65010, 1}));
  auto c = store.intern(attrs({65010, 2}));
  EXPECT_TRUE(a == b);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_FALSE(a == c);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(a.use_count(), 2u);
  EXPECT_EQ(a->as_path.to_string(), "65010 1");
}

TEST(AttributeStore, FreedWhenLastHandleReleased) {
  AttributeStore store;
  auto a = store.intern(attrs({65010, 1}));
  {
    AttrHandle copy = a;
    EXPECT_EQ(a.use_count(), 2u);
  }
  EXPECT_EQ(a.use_count(), 1u);
  AttrHandle moved = std::move(a);
  EXPECT_EQ(store.size(), 1u);
  moved.reset();
  EXPECT_EQ(store.size(), 0u);
  // A re-intern after release makes a fresh entry.
  auto again = store.intern(attrs({65010, 1}));
  EXPECT_EQ(store.size(), 1u);
}

TEST(AttributeStore, HandleMayOutliveStore) {
  AttrHandle survivor;
  {
    AttributeStore store;
    survivor = store.intern(attrs({65010, 1}));
  }
  EXPECT_EQ(survivor->as_path.to_string(), "65010 1");  // ASan checks the free
}

TEST(Rib, PrefixesOfOneUpdateShareOneAttributeSet) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  std::vector<wire::Prefix> prefixes;
  for (int i = 0; i < 100; ++i) prefixes.push_back(pfx("10." + std::to_string(i) + ".0.0/16"));
  announce(rib, 1, prefixes, attrs({65010, 1}));
  EXPECT_EQ(rib.loc_rib_size(), 100u);
  EXPECT_EQ(rib.attributes().size(), 1u);
  EXPECT_EQ(rib.best(prefixes[0])->attrs, rib.best(prefixes[99])->attrs);
  withdraw(rib, 1, prefixes);
  EXPECT_EQ(rib.loc_rib_size(), 0u);
  EXPECT_EQ(rib.attributes().size(), 0u);  // released with the last route
}

TEST(Rib, LoopDetectionRejectsOwnAs) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  ASSERT_TRUE(rib.best(kNet).has_value());
  // RFC 4271 9.1.2: our AS in the path - excluded, and it replaces the old route.
  auto changes = announce(rib, 1, {kNet}, attrs({65010, kLocalAs, 1}));
  EXPECT_FALSE(rib.best(kNet).has_value());
  ASSERT_EQ(changes.best_paths.size(), 1u);
  EXPECT_FALSE(changes.best_paths[0].new_best.has_value());
  auto c = rib.counters(1);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->received, 2u);
  EXPECT_EQ(c->rejected, 1u);
  EXPECT_EQ(c->accepted, 0u);
}

TEST(Rib, WithdrawFallsBackToNextBest) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  up(rib, peer(2, 65020, 2));
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  announce(rib, 2, {kNet}, attrs({65020, 5, 1}));
  EXPECT_EQ(rib.best(kNet)->source, 1u);
  auto changes = withdraw(rib, 1, {kNet});
  ASSERT_EQ(changes.best_paths.size(), 1u);
  EXPECT_EQ(changes.best_paths[0].old_best->source, 1u);
  EXPECT_EQ(changes.best_paths[0].new_best->source, 2u);
  EXPECT_EQ(rib.best(kNet)->source, 2u);
  withdraw(rib, 2, {kNet});
  EXPECT_FALSE(rib.best(kNet).has_value());
}

TEST(Rib, NonBestChangeReportsNothing) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  up(rib, peer(2, 65020, 2));
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  auto changes = announce(rib, 2, {kNet}, attrs({65020, 5, 1}));
  EXPECT_TRUE(changes.best_paths.empty());
  // The same announcement again changes nothing at all.
  changes = announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_TRUE(changes.best_paths.empty());
}

TEST(Rib, PeerDownWithdrawsAllItsRoutes) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  up(rib, peer(2, 65020, 2));
  const auto other = pfx("198.51.100.0/24");
  announce(rib, 1, {kNet, other}, attrs({65010, 1}));
  announce(rib, 2, {kNet}, attrs({65020, 5, 1}));
  auto changes = rib.peer_down(1);
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(changes->best_paths.size(), 2u);
  EXPECT_EQ(rib.best(kNet)->source, 2u);
  EXPECT_FALSE(rib.best(other).has_value());
  EXPECT_FALSE(rib.counters(1).has_value());
  EXPECT_EQ(rib.peer_down(1).error(), RibError::UnknownPeer);
  EXPECT_EQ(rib.update(1, {}, std::vector{kNet}, attrs({65010})).error(), RibError::UnknownPeer);
  // The peer may come back.
  up(rib, peer(1, 65010, 1));
  EXPECT_EQ(rib.counters(1)->accepted, 0u);
}

TEST(Rib, PeerIdErrors) {
  Rib rib(config());
  EXPECT_EQ(rib.peer_up(peer(0, 65010, 1)).error(), RibError::ReservedPeerId);
  up(rib, peer(1, 65010, 1));
  EXPECT_EQ(rib.peer_up(peer(1, 65010, 1)).error(), RibError::PeerAlreadyUp);
  EXPECT_EQ(rib.take_outbound(7).error(), RibError::UnknownPeer);
  EXPECT_FALSE(bgpd::rib::to_string(RibError::UnknownPeer).empty());
}

TEST(Rib, EbgpLocalPrefIgnored) {
  // RFC 4271 5.1.5: LOCAL_PREF from an external peer is ignored.
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  up(rib, peer(2, 65010, 2));
  auto a = attrs({65010, 1});
  a.local_pref = 500;
  announce(rib, 2, {kNet}, a);
  EXPECT_FALSE(rib.best(kNet)->attrs->local_pref.has_value());
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_EQ(rib.best(kNet)->source, 1u);  // no LOCAL_PREF advantage for peer 2
}

TEST(Rib, Rfc8212EbgpWithoutPolicyImportsNothing) {
  Rib rib(config());
  auto p = peer(1, 65010, 1);
  p.import_policy.reset();  // no policy configured
  p.export_policy.reset();
  up(rib, p);
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_FALSE(rib.best(kNet).has_value());
  EXPECT_EQ(rib.counters(1)->rejected, 1u);
  rib.originate(pfx("192.0.2.0/24"), attrs({}));
  EXPECT_TRUE(take(rib, 1).announce.empty());  // and exports nothing
}

TEST(Rib, Rfc8212IbgpWithoutPolicyAcceptsAll) {
  Rib rib(config());
  auto p = peer(1, kLocalAs, 1);
  p.import_policy.reset();
  up(rib, p);
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_TRUE(rib.best(kNet).has_value());
}

// An import policy that sets LOCAL_PREF 300 on 203.0.113.0/24 and rejects
// everything else.
policy::Chain import_only_knet() {
  policy::PolicySet set;
  set.prefix_lists["only"] = {"only", {{kNet, std::nullopt, std::nullopt, true}}};
  policy::Term term;
  term.name = "knet";
  term.match.prefix_list = "only";
  term.actions.set_local_pref = 300;
  set.policies["in"] = {"in", {term}, policy::TermResult::Reject};
  auto compiled = policy::CompiledPolicySet::compile(set);
  EXPECT_TRUE(compiled.has_value());
  auto chain = policy::Chain::make(*compiled, {"in"});
  EXPECT_TRUE(chain.has_value());
  return *chain;
}

TEST(Rib, ImportPolicyModifiesAndCounts) {
  Rib rib(config());
  auto p = peer(1, 65010, 1);
  p.import_policy = import_only_knet();
  up(rib, p);
  const auto other = pfx("198.51.100.0/24");
  announce(rib, 1, {kNet, other}, attrs({65010, 1}));
  ASSERT_TRUE(rib.best(kNet).has_value());
  EXPECT_EQ(rib.best(kNet)->attrs->local_pref, 300u);
  EXPECT_FALSE(rib.best(other).has_value());
  auto c = rib.counters(1);
  EXPECT_EQ(c->received, 2u);
  EXPECT_EQ(c->accepted, 1u);
  EXPECT_EQ(c->rejected, 1u);
  withdraw(rib, 1, {kNet});
  EXPECT_EQ(rib.counters(1)->withdrawn, 1u);
  EXPECT_EQ(rib.counters(1)->accepted, 0u);
}

TEST(Rib, SoftReconfigurationInboundReRunsImport) {
  Rib rib(config());
  auto p = peer(1, 65010, 1);
  p.soft_reconfiguration_inbound = true;
  up(rib, p);
  const auto other = pfx("198.51.100.0/24");
  announce(rib, 1, {kNet, other}, attrs({65010, 1}));
  EXPECT_EQ(rib.loc_rib_size(), 2u);
  auto reload = rib.set_import_policy(1, import_only_knet());
  ASSERT_TRUE(reload.has_value());
  EXPECT_FALSE(reload->route_refresh_needed);
  EXPECT_EQ(reload->changes.best_paths.size(), 2u);  // one modified, one removed
  EXPECT_EQ(rib.best(kNet)->attrs->local_pref, 300u);
  EXPECT_FALSE(rib.best(other).has_value());
  std::size_t pre = 0;
  rib.for_each_adj_rib_in(1, true, [&](const wire::Prefix&, const AttrHandle&) { ++pre; });
  std::size_t post = 0;
  rib.for_each_adj_rib_in(1, false, [&](const wire::Prefix&, const AttrHandle&) { ++post; });
  EXPECT_EQ(pre, 2u);
  EXPECT_EQ(post, 1u);
  // And back to accept-all: the rejected route returns from the pre-policy table.
  ASSERT_TRUE(rib.set_import_policy(1, accept_all()).has_value());
  EXPECT_TRUE(rib.best(other).has_value());
  EXPECT_FALSE(rib.best(kNet)->attrs->local_pref.has_value());
}

TEST(Rib, ImportPolicyChangeWithoutSoftReconfigNeedsRouteRefresh) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  auto reload = rib.set_import_policy(1, import_only_knet());
  ASSERT_TRUE(reload.has_value());
  EXPECT_TRUE(reload->route_refresh_needed);
  EXPECT_TRUE(reload->changes.best_paths.empty());
  // The resent route goes through the new policy.
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_EQ(rib.best(kNet)->attrs->local_pref, 300u);
}

TEST(Rib, OriginatedRouteAndWithdrawal) {
  Rib rib(config());
  auto changes = rib.originate(kNet, attrs({}));
  ASSERT_EQ(changes.best_paths.size(), 1u);
  EXPECT_EQ(rib.best(kNet)->source, bgpd::rib::kLocalSource);
  std::size_t local = 0;
  rib.for_each_adj_rib_in(bgpd::rib::kLocalSource, false,
                          [&](const wire::Prefix&, const AttrHandle&) { ++local; });
  EXPECT_EQ(local, 1u);
  rib.withdraw_originated(kNet);
  EXPECT_FALSE(rib.best(kNet).has_value());
}

TEST(Rib, ForEachBestVisitsTheLocRib) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  announce(rib, 1, {kNet, pfx("2001:db8:1::/48")}, attrs({65010, 1}));
  std::size_t n = 0;
  rib.for_each_best([&](const wire::Prefix&, const bgpd::rib::Path& p) {
    EXPECT_EQ(p.source, 1u);
    ++n;
  });
  EXPECT_EQ(n, 2u);
}

}  // namespace
}  // namespace rib_test
