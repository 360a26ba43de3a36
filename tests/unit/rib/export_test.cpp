// tests/unit/rib/export_test.cpp - Adj-RIB-Out: RFC 4271 9.2 rules, RFC 1997
// communities, attribute rewriting, batches grouped by attribute set.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/rib/rib_fixture.hpp"

namespace rib_test {
namespace {

using bgpd::rib::OutboundBatch;

const wire::Prefix kNet = pfx("203.0.113.0/24");

// The attributes announced for `prefix` in `batch`, or null.
const wire::PathAttributes* announced(const OutboundBatch& batch, const wire::Prefix& prefix) {
  for (const auto& g : batch.announce) {
    if (std::find(g.prefixes.begin(), g.prefixes.end(), prefix) != g.prefixes.end()) {
      return g.attributes.get();
    }
  }
  return nullptr;
}

// Peers: 1 eBGP AS 65010 (source), 2 eBGP AS 65020, 3 and 4 iBGP.
struct ExportTest : ::testing::Test {
  Rib rib{config()};
  void SetUp() override {
    up(rib, peer(1, 65010, 1));
    up(rib, peer(2, 65020, 2));
    up(rib, peer(3, kLocalAs, 3));
    up(rib, peer(4, kLocalAs, 4));
    for (PeerId p : {1u, 2u, 3u, 4u}) take(rib, p);  // drain the initial End-of-RIB
  }
};

TEST_F(ExportTest, EbgpRouteToEbgpPrependsAndSetsNextHopSelf) {
  auto a = attrs({65010, 1}, "192.0.2.1");
  a.med = 50;
  announce(rib, 1, {kNet}, a);
  auto batch = take(rib, 2);
  const auto* out = announced(batch, kNet);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->as_path.to_string(), "65000 65010 1");  // RFC 4271 5.1.2
  EXPECT_EQ(out->next_hop, ip("192.0.2.100"));           // next-hop self
  EXPECT_FALSE(out->local_pref.has_value());             // 5.1.5
  EXPECT_FALSE(out->med.has_value());                    // 5.1.4: not to another AS
}

TEST_F(ExportTest, NotSentBackToItsSource) {
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_TRUE(take(rib, 1).empty());
  EXPECT_EQ(rib.adj_rib_out(1, kNet), nullptr);
}

TEST_F(ExportTest, EbgpRouteToIbgpKeepsNextHopAndSetsLocalPref) {
  auto a = attrs({65010, 1}, "192.0.2.1");
  a.med = 50;
  announce(rib, 1, {kNet}, a);
  auto batch = take(rib, 3);
  const auto* out = announced(batch, kNet);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->as_path.to_string(), "65010 1");
  EXPECT_EQ(out->next_hop, ip("192.0.2.1"));
  EXPECT_EQ(out->local_pref, 100u);  // 5.1.5: MUST be in iBGP UPDATEs
  EXPECT_EQ(out->med, 50u);          // 5.1.4: MAY go over iBGP
}

TEST_F(ExportTest, IbgpNextHopSelfWhenConfigured) {
  ASSERT_TRUE(rib.peer_down(4).has_value());
  auto p = peer(4, kLocalAs, 4);
  p.next_hop_self = true;
  up(rib, p);
  take(rib, 4);
  announce(rib, 1, {kNet}, attrs({65010, 1}, "192.0.2.1"));
  const auto batch = take(rib, 4);
  const auto* out = announced(batch, kNet);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->next_hop, ip("192.0.2.100"));
}

TEST_F(ExportTest, IbgpLearnedNotReadvertisedToIbgp) {
  auto a = attrs({65030, 1});
  a.local_pref = 100;
  announce(rib, 3, {kNet}, a);
  EXPECT_TRUE(take(rib, 4).empty());                  // RFC 4271 9.2
  EXPECT_NE(announced(take(rib, 2), kNet), nullptr);  // but to eBGP, yes
}

TEST_F(ExportTest, NoExportStaysInTheAs) {
  auto a = attrs({65010, 1});
  a.communities = {wire::kNoExport};
  announce(rib, 1, {kNet}, a);
  EXPECT_TRUE(take(rib, 2).empty());                  // RFC 1997
  EXPECT_NE(announced(take(rib, 3), kNet), nullptr);  // iBGP still gets it
}

TEST_F(ExportTest, NoAdvertiseGoesNowhere) {
  auto a = attrs({65010, 1});
  a.communities = {wire::kNoAdvertise};
  announce(rib, 1, {kNet}, a);
  EXPECT_TRUE(rib.best(kNet).has_value());
  for (PeerId p : {2u, 3u, 4u}) EXPECT_TRUE(take(rib, p).empty()) << p;
}

TEST_F(ExportTest, OriginatedRouteToEbgpAndIbgp) {
  auto a = attrs({});
  a.next_hop.reset();
  a.med = 7;
  rib.originate(kNet, a);
  auto ebgp = take(rib, 2);
  const auto* e = announced(ebgp, kNet);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->as_path.to_string(), "65000");
  EXPECT_EQ(e->next_hop, ip("192.0.2.100"));
  EXPECT_EQ(e->med, 7u);  // our own MED may go out
  auto ibgp = take(rib, 3);
  const auto* i = announced(ibgp, kNet);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->as_path.to_string(), "");
  EXPECT_EQ(i->next_hop, ip("192.0.2.100"));  // none given: ours
  EXPECT_EQ(i->local_pref, 100u);
}

TEST_F(ExportTest, FamilyNotNegotiatedNotSent) {
  ASSERT_TRUE(rib.peer_down(2).has_value());
  auto p = peer(2, 65020, 2);
  p.families = {wire::Afi::Ipv4};
  up(rib, p);
  take(rib, 2);
  const auto v6 = pfx("2001:db8:1::/48");
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  auto v6attrs = attrs({65010, 1}, "2001:db8::1");
  announce(rib, 1, {v6}, v6attrs);
  auto batch = take(rib, 2);
  EXPECT_NE(announced(batch, kNet), nullptr);
  EXPECT_EQ(announced(batch, v6), nullptr);
}

TEST_F(ExportTest, MissingLocalAddressMeansNoExport) {
  ASSERT_TRUE(rib.peer_down(2).has_value());
  auto p = peer(2, 65020, 2);
  p.local_address_v6.reset();
  up(rib, p);
  take(rib, 2);
  announce(rib, 1, {pfx("2001:db8:1::/48")}, attrs({65010, 1}, "2001:db8::1"));
  EXPECT_TRUE(take(rib, 2).empty());
}

TEST_F(ExportTest, BatchGroupsPrefixesByAttributeSet) {
  std::vector<wire::Prefix> group1;
  std::vector<wire::Prefix> group2;
  for (int i = 0; i < 10; ++i) group1.push_back(pfx("10." + std::to_string(i) + ".0.0/16"));
  for (int i = 0; i < 5; ++i) group2.push_back(pfx("11." + std::to_string(i) + ".0.0/16"));
  announce(rib, 1, group1, attrs({65010, 1}));
  announce(rib, 1, group2, attrs({65010, 2}));
  auto batch = take(rib, 2);
  ASSERT_EQ(batch.announce.size(), 2u);
  std::vector<std::size_t> sizes{batch.announce[0].prefixes.size(),
                                 batch.announce[1].prefixes.size()};
  std::sort(sizes.begin(), sizes.end());
  EXPECT_EQ(sizes, (std::vector<std::size_t>{5, 10}));
  EXPECT_TRUE(batch.withdraw.empty());
  EXPECT_EQ(batch.prefix_count(), 15u);
  EXPECT_EQ(rib.counters(2)->advertised, 15u);
  EXPECT_TRUE(take(rib, 2).empty());  // drained
}

TEST_F(ExportTest, WithdrawalAndCoalescing) {
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  take(rib, 2);
  withdraw(rib, 1, {kNet});
  auto batch = take(rib, 2);
  EXPECT_TRUE(batch.announce.empty());
  ASSERT_EQ(batch.withdraw.size(), 1u);
  EXPECT_EQ(batch.withdraw[0], kNet);
  // Announce + withdraw before the session takes it: nothing to send.
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  withdraw(rib, 1, {kNet});
  EXPECT_TRUE(take(rib, 2).empty());
  // Two changes in a row: only the latest goes out.
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  announce(rib, 1, {kNet}, attrs({65010, 9, 1}));
  batch = take(rib, 2);
  ASSERT_EQ(batch.announce.size(), 1u);
  EXPECT_EQ(batch.announce[0].attributes->as_path.to_string(), "65000 65010 9 1");
}

TEST_F(ExportTest, PeerUpGetsTableThenEndOfRib) {
  announce(rib, 1, {kNet, pfx("198.51.100.0/24")}, attrs({65010, 1}));
  auto p = peer(5, 65050, 5);
  auto changes = up(rib, p);
  EXPECT_NE(std::find(changes.outbound.begin(), changes.outbound.end(), 5u),
            changes.outbound.end());
  auto first = rib.take_outbound(5, 1);  // partial: no End-of-RIB yet
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->prefix_count(), 1u);
  EXPECT_TRUE(first->end_of_rib.empty());
  auto rest = take(rib, 5);
  EXPECT_EQ(rest.prefix_count(), 1u);
  EXPECT_EQ(rest.end_of_rib, (std::vector<wire::Afi>{wire::Afi::Ipv4, wire::Afi::Ipv6}));
  EXPECT_TRUE(take(rib, 5).empty());  // RFC 4724: once
}

TEST_F(ExportTest, ChangesListPeersWithOutput) {
  auto changes = announce(rib, 1, {kNet}, attrs({65010, 1}));
  EXPECT_EQ(changes.outbound, (std::vector<PeerId>{2, 3, 4}));
}

TEST_F(ExportTest, ExportPolicyChangeReExports) {
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  take(rib, 2);
  policy::PolicySet set;
  policy::Term term;
  term.name = "prepend";
  term.actions.prepend_count = 2;
  term.actions.add_communities = {0xFDE80001};
  set.policies["out"] = {"out", {term}, policy::TermResult::Reject};
  auto compiled = policy::CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  auto chain = policy::Chain::make(*compiled, {"out"});
  ASSERT_TRUE(chain.has_value());
  ASSERT_TRUE(rib.set_export_policy(2, *chain).has_value());
  auto batch = take(rib, 2);
  const auto* out = announced(batch, kNet);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->as_path.to_string(), "65000 65000 65000 65010 1");
  EXPECT_EQ(out->communities, (std::vector<wire::Community>{0xFDE80001}));
  // Reject-all: the route is withdrawn from the peer.
  ASSERT_TRUE(rib.set_export_policy(2, policy::Chain::default_for(true)).has_value());
  batch = take(rib, 2);
  EXPECT_EQ(batch.withdraw, (std::vector<wire::Prefix>{kNet}));
  EXPECT_EQ(rib.counters(2)->advertised, 0u);
}

TEST_F(ExportTest, PolicyCannotPutLocalPrefTowardEbgp) {
  policy::PolicySet set;
  policy::Term term;
  term.name = "lp";
  term.actions.set_local_pref = 999;
  set.policies["out"] = {"out", {term}, policy::TermResult::Reject};
  auto compiled = policy::CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  ASSERT_TRUE(rib.set_export_policy(2, *policy::Chain::make(*compiled, {"out"})).has_value());
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  auto batch = take(rib, 2);
  const auto* out = announced(batch, kNet);
  ASSERT_NE(out, nullptr);
  EXPECT_FALSE(out->local_pref.has_value());  // RFC 4271 5.1.5 MUST NOT
}

}  // namespace
}  // namespace rib_test

namespace rib_test {
namespace {

TEST_F(ExportTest, PrefixDependentExportPolicyPerPrefix) {
  // Both prefixes share one attribute set; the policy decides per prefix,
  // so the per-event export memo must not reuse one result for both.
  policy::PolicySet set;
  set.prefix_lists["one"] = {"one", {{kNet, std::nullopt, std::nullopt, true}}};
  policy::Term term;
  term.name = "one";
  term.match.prefix_list = "one";
  set.policies["out"] = {"out", {term}, policy::TermResult::Reject};
  auto compiled = policy::CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  auto chain = policy::Chain::make(*compiled, {"out"});
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->depends_on_prefix());
  ASSERT_TRUE(rib.set_export_policy(2, *chain).has_value());
  const auto other = pfx("198.51.100.0/24");
  announce(rib, 1, {other, kNet}, attrs({65010, 1}));
  auto batch = take(rib, 2);
  EXPECT_NE(announced(batch, kNet), nullptr);
  EXPECT_EQ(announced(batch, other), nullptr);
  EXPECT_EQ(rib.counters(2)->advertised, 1u);
}

}  // namespace
}  // namespace rib_test

namespace rib_test {
namespace {

TEST(ExportBasics, EmptyTableStillOwesEndOfRib) {
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  auto batch = take(rib, 1);
  EXPECT_EQ(batch.prefix_count(), 0u);
  EXPECT_EQ(batch.end_of_rib, (std::vector<wire::Afi>{wire::Afi::Ipv4, wire::Afi::Ipv6}));
  EXPECT_TRUE(take(rib, 1).empty());
  EXPECT_TRUE(rib.explain(pfx("203.0.113.0/24")).empty());
}

TEST_F(ExportTest, PeerDownWithdrawsFromOtherPeers) {
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  take(rib, 2);
  auto changes = rib.peer_down(1);
  ASSERT_TRUE(changes.has_value());
  EXPECT_EQ(changes->outbound, (std::vector<PeerId>{2, 3, 4}));
  auto batch = take(rib, 2);
  EXPECT_EQ(batch.withdraw, (std::vector<wire::Prefix>{kNet}));
  EXPECT_EQ(rib.adj_rib_out(2, kNet), nullptr);
}

}  // namespace
}  // namespace rib_test
