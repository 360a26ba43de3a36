// tests/unit/rib/decision_test.cpp - RFC 4271 section 9.1.2 step by step.
//
// Each Step_<letter>_ test sends one prefix from two peers with routes that
// differ only at that step. The better route always comes from peer 2,
// which would LOSE every later tie-break (higher BGP Identifier, higher
// address), so the step under test - and not a later one - must decide.
#include <gtest/gtest.h>

#include "tests/unit/rib/rib_fixture.hpp"

namespace rib_test {
namespace {

using bgpd::rib::DecisionStep;

const wire::Prefix kNet = pfx("203.0.113.0/24");

// Winner is the Loc-RIB best, the loser was eliminated by `step`.
void expect_decided(const Rib& rib, PeerId winner, PeerId loser, DecisionStep step) {
  auto best = rib.best(kNet);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->source, winner);
  auto why = rib.explain(kNet);
  ASSERT_EQ(why.size(), 2u);
  EXPECT_EQ(why[0].path.source, winner);
  EXPECT_FALSE(why[0].eliminated_by.has_value());
  EXPECT_EQ(why[1].path.source, loser);
  ASSERT_TRUE(why[1].eliminated_by.has_value());
  EXPECT_EQ(*why[1].eliminated_by, step) << bgpd::rib::describe(*why[1].eliminated_by);
}

// Two peers in `asn` (iBGP when kLocalAs), peer 2 losing all later ties.
void two_peers(Rib& rib, std::uint32_t asn1, std::uint32_t asn2) {
  up(rib, peer(1, asn1, 1));
  up(rib, peer(2, asn2, 2));
}

TEST(Decision, Step_a_HigherLocalPref) {
  Rib rib(config());
  two_peers(rib, kLocalAs, kLocalAs);
  auto a = attrs({65010, 1});
  a.local_pref = 100;
  announce(rib, 1, {kNet}, a);
  a.local_pref = 200;
  announce(rib, 2, {kNet}, a);
  expect_decided(rib, 2, 1, DecisionStep::LocalPref);
}

TEST(Decision, Step_a_MissingLocalPrefUsesConfiguredDefault) {
  // iBGP route without LOCAL_PREF counts as default 100 < 150.
  RibConfig cfg = config();
  cfg.default_local_pref = 150;
  Rib rib(cfg);
  two_peers(rib, kLocalAs, kLocalAs);
  auto a = attrs({65010, 1});
  a.local_pref = 120;
  announce(rib, 1, {kNet}, a);
  a.local_pref.reset();
  announce(rib, 2, {kNet}, a);
  expect_decided(rib, 2, 1, DecisionStep::LocalPref);
}

TEST(Decision, Step_Local_LocallyOriginatedPreferred) {
  Rib rib(config());
  up(rib, peer(1, kLocalAs, 1));
  auto a = attrs({});  // an iBGP route originated inside our AS: empty path
  announce(rib, 1, {kNet}, a);
  rib.originate(kNet, a);
  expect_decided(rib, bgpd::rib::kLocalSource, 1, DecisionStep::LocallyOriginated);
}

TEST(Decision, Step_a_ShorterAsPath) {
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  announce(rib, 1, {kNet}, attrs({65010, 3, 1}));
  announce(rib, 2, {kNet}, attrs({65010, 1}));
  expect_decided(rib, 2, 1, DecisionStep::AsPathLength);
}

TEST(Decision, Step_a_AsSetCountsAsOne) {
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  announce(rib, 1, {kNet}, attrs({65010, 3, 1}));
  auto a = attrs({65010});
  a.as_path.segments.push_back({wire::AsPathSegmentType::AsSet, {4, 5, 6}});
  announce(rib, 2, {kNet}, a);  // length 2: the set counts once
  expect_decided(rib, 2, 1, DecisionStep::AsPathLength);
}

TEST(Decision, Step_b_LowerOrigin) {
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  auto a = attrs({65010, 1});
  a.origin = wire::Origin::Incomplete;
  announce(rib, 1, {kNet}, a);
  a.origin = wire::Origin::Egp;
  announce(rib, 2, {kNet}, a);
  expect_decided(rib, 2, 1, DecisionStep::Origin);
}

TEST(Decision, Step_c_LowerMedSameNeighborAs) {
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  auto a = attrs({65010, 1});
  a.med = 20;
  announce(rib, 1, {kNet}, a);
  a.med = 10;
  announce(rib, 2, {kNet}, a);
  expect_decided(rib, 2, 1, DecisionStep::Med);
}

TEST(Decision, Step_c_MissingMedIsLowest) {
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  auto a = attrs({65010, 1});
  a.med = 5;
  announce(rib, 1, {kNet}, a);
  a.med.reset();  // RFC 4271 9.1.2.2 (c): treated as 0
  announce(rib, 2, {kNet}, a);
  expect_decided(rib, 2, 1, DecisionStep::Med);
}

TEST(Decision, Step_c_MedNotComparedAcrossNeighborAses) {
  Rib rib(config());
  two_peers(rib, 65010, 65020);
  auto a = attrs({65010, 1});
  a.med = 20;
  announce(rib, 1, {kNet}, a);
  auto b = attrs({65020, 1});
  b.med = 10;
  announce(rib, 2, {kNet}, b);
  // The lower MED of peer 2 does not count; peer 1 wins on BGP Identifier.
  expect_decided(rib, 1, 2, DecisionStep::BgpIdentifier);
}

TEST(Decision, Step_c_AlwaysCompareMed) {
  Rib rib(config(/*always_compare_med=*/true));
  two_peers(rib, 65010, 65020);
  auto a = attrs({65010, 1});
  a.med = 20;
  announce(rib, 1, {kNet}, a);
  auto b = attrs({65020, 1});
  b.med = 10;
  announce(rib, 2, {kNet}, b);
  expect_decided(rib, 2, 1, DecisionStep::Med);
}

TEST(Decision, Step_c_MedGroupsPerNeighborAs) {
  // The RFC's pairwise rule: X(AS A, MED 5) removes Y(AS A, MED 10) but
  // not Z(AS B, MED 50); Z then loses later (f) to X.
  Rib rib(config());
  up(rib, peer(1, 65010, 1));
  up(rib, peer(2, 65010, 2));
  up(rib, peer(3, 65020, 3));
  auto x = attrs({65010, 1});
  x.med = 5;
  auto y = x;
  y.med = 10;
  auto z = attrs({65020, 1});
  z.med = 50;
  announce(rib, 1, {kNet}, x);
  announce(rib, 2, {kNet}, y);
  announce(rib, 3, {kNet}, z);
  auto why = rib.explain(kNet);
  ASSERT_EQ(why.size(), 3u);
  EXPECT_EQ(why[0].path.source, 1u);
  EXPECT_EQ(why[1].path.source, 3u);
  EXPECT_EQ(why[1].eliminated_by, DecisionStep::BgpIdentifier);
  EXPECT_EQ(why[2].path.source, 2u);
  EXPECT_EQ(why[2].eliminated_by, DecisionStep::Med);
}

TEST(Decision, Step_d_EbgpOverIbgp) {
  Rib rib(config());
  two_peers(rib, kLocalAs, 65010);
  auto a = attrs({65010, 1});
  a.local_pref = 100;  // equal to the eBGP default
  announce(rib, 1, {kNet}, a);
  announce(rib, 2, {kNet}, attrs({65010, 1}));
  expect_decided(rib, 2, 1, DecisionStep::EbgpOverIbgp);
}

TEST(Decision, Step_e_IgpCostTreatedAsEqual) {
  // No IGP cost is known: step e never removes a route; f decides.
  Rib rib(config());
  two_peers(rib, 65010, 65010);
  announce(rib, 1, {kNet}, attrs({65010, 1}, "198.51.100.1"));
  announce(rib, 2, {kNet}, attrs({65010, 1}, "198.51.100.2"));
  expect_decided(rib, 1, 2, DecisionStep::BgpIdentifier);
}

TEST(Decision, Step_f_LowerBgpIdentifier) {
  Rib rib(config());
  auto p1 = peer(1, 65010, 1);
  p1.bgp_identifier = 9;
  up(rib, p1);
  up(rib, peer(2, 65010, 2));  // identifier 2, address .2 (worse at g)
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  announce(rib, 2, {kNet}, attrs({65010, 1}));
  expect_decided(rib, 2, 1, DecisionStep::BgpIdentifier);
}

TEST(Decision, Step_g_LowerPeerAddress) {
  Rib rib(config());
  auto p1 = peer(1, 65010, 1);
  p1.address = ip("192.0.2.9");
  auto p2 = peer(2, 65010, 1);  // the same router, another session
  p2.address = ip("192.0.2.3");
  up(rib, p1);
  up(rib, p2);
  announce(rib, 1, {kNet}, attrs({65010, 1}));
  announce(rib, 2, {kNet}, attrs({65010, 1}));
  expect_decided(rib, 2, 1, DecisionStep::PeerAddress);
}

TEST(Decision, TieBreakOrder_EarlierStepBeatsAllLaterOnes) {
  // Peer 1 has the higher LOCAL_PREF and is worse at every later step.
  Rib rib(config());
  two_peers(rib, kLocalAs, kLocalAs);
  auto worse_later = attrs({65010, 3, 2, 1});
  worse_later.local_pref = 300;
  worse_later.origin = wire::Origin::Incomplete;
  worse_later.med = 1000;
  auto better_later = attrs({65010, 1});
  better_later.local_pref = 200;
  announce(rib, 1, {kNet}, worse_later);
  announce(rib, 2, {kNet}, better_later);
  expect_decided(rib, 1, 2, DecisionStep::LocalPref);
}

TEST(Decision, DeterministicWhateverTheArrivalOrder) {
  for (bool reversed : {false, true}) {
    Rib rib(config());
    two_peers(rib, 65010, 65010);
    const PeerId first = reversed ? 2 : 1;
    const PeerId second = reversed ? 1 : 2;
    announce(rib, first, {kNet}, attrs({65010, 1}));
    announce(rib, second, {kNet}, attrs({65010, 1}));
    expect_decided(rib, 1, 2, DecisionStep::BgpIdentifier);
  }
}

TEST(Decision, StepsCiteTheRfc) {
  EXPECT_EQ(bgpd::rib::rfc_reference(DecisionStep::AsPathLength), "9.1.2.2 (a)");
  EXPECT_EQ(bgpd::rib::rfc_reference(DecisionStep::Med), "9.1.2.2 (c)");
  EXPECT_EQ(bgpd::rib::rfc_reference(DecisionStep::PeerAddress), "9.1.2.2 (g)");
  EXPECT_FALSE(bgpd::rib::describe(DecisionStep::LocalPref).empty());
}

}  // namespace
}  // namespace rib_test
