// tests/unit/rib/tablegen_test.cpp - the table generator's promises, and a
// generated table through the RIB (two peers, decision, export, peer down).
#include "tests/tools/tablegen/tablegen.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "tests/unit/rib/rib_fixture.hpp"

namespace rib_test {
namespace {

TEST(Tablegen, DeterministicPerSeed) {
  const auto a = tablegen::generate(2000, 500, 7);
  const auto b = tablegen::generate(2000, 500, 7);
  const auto c = tablegen::generate(2000, 500, 8);
  ASSERT_EQ(a.size(), 2500u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Tablegen, RealisticShape) {
  tablegen::Params params;
  params.ipv4 = 50000;
  params.ipv6 = 10000;
  params.seed = 3;
  const auto groups = tablegen::generate_groups(params);
  std::set<wire::Prefix> distinct;
  std::map<int, std::size_t> v4_lengths;
  std::map<int, std::size_t> v6_lengths;
  std::size_t with_med = 0;
  for (const auto& g : groups) {
    const std::size_t len = g.attributes.as_path.length();
    EXPECT_GE(len, 2u);
    EXPECT_LE(len, 8u);
    EXPECT_EQ(g.attributes.as_path.first_as(), params.peer_asn);
    EXPECT_TRUE(std::is_sorted(g.attributes.communities.begin(), g.attributes.communities.end()));
    if (g.attributes.med) ++with_med;
    for (const auto& p : g.prefixes) {
      distinct.insert(p);
      EXPECT_EQ(p.family(), g.prefixes.front().family());  // one family per group
      (p.family() == wire::Afi::Ipv4 ? v4_lengths : v6_lengths)[p.length]++;
    }
  }
  EXPECT_EQ(distinct.size(), 60000u);
  const double per_set = 60000.0 / static_cast<double>(groups.size());
  EXPECT_GE(per_set, 10.0);
  EXPECT_LE(per_set, 15.0);
  // /24 dominates IPv4 (about 60%), /48 IPv6 (about half), /16-/23 present.
  EXPECT_GT(v4_lengths[24], 50000u * 55 / 100);
  EXPECT_LT(v4_lengths[24], 50000u * 65 / 100);
  for (int len = 16; len <= 23; ++len) EXPECT_GT(v4_lengths[len], 0u) << len;
  EXPECT_GT(v6_lengths[48], 10000u * 45 / 100);
  for (const auto& [len, n] : v6_lengths) {
    EXPECT_GE(len, 32);
    EXPECT_LE(len, 48);
  }
  EXPECT_GT(with_med, 0u);
  EXPECT_LT(with_med, groups.size());
}

TEST(Tablegen, GeneratedTableThroughTheRib) {
  tablegen::Params params;
  params.ipv4 = 20000;
  params.ipv6 = 2000;
  params.seed = 11;
  const auto groups = tablegen::generate_groups(params);
  Rib rib(config());
  up(rib, peer(1, params.peer_asn, 1));
  up(rib, peer(2, 65002, 2));
  up(rib, peer(3, kLocalAs, 3));  // iBGP listener
  for (const auto& g : groups) announce(rib, 1, g.prefixes, g.attributes);
  EXPECT_EQ(rib.loc_rib_size(), 22000u);
  // Interning: about one set per UPDATE, plus the exported variants.
  EXPECT_LE(rib.attributes().size(), 3 * groups.size());
  // Peer 2 sends the same prefixes with one AS fewer: it wins at (a) where
  // the path is longer than 2, else later steps keep peer 1 (BGP Identifier).
  std::size_t expected_peer2 = 0;
  for (const auto& g : groups) {
    auto shorter = g.attributes;
    auto& asns = shorter.as_path.segments.front().asns;
    asns.front() = 65002;
    if (asns.size() > 2) asns.pop_back();
    if (g.attributes.as_path.length() > 2) expected_peer2 += g.prefixes.size();
    announce(rib, 2, g.prefixes, shorter);
  }
  std::size_t best_peer2 = 0;
  rib.for_each_best(
      [&](const wire::Prefix&, const bgpd::rib::Path& p) { best_peer2 += p.source == 2; });
  EXPECT_EQ(best_peer2, expected_peer2);
  auto batch = take(rib, 3);
  EXPECT_EQ(batch.prefix_count(), 22000u);
  EXPECT_EQ(batch.end_of_rib.size(), 2u);
  ASSERT_TRUE(rib.peer_down(2).has_value());
  std::size_t all_peer1 = 0;
  rib.for_each_best(
      [&](const wire::Prefix&, const bgpd::rib::Path& p) { all_peer1 += p.source == 1; });
  EXPECT_EQ(all_peer1, 22000u);
  ASSERT_TRUE(rib.peer_down(1).has_value());
  EXPECT_EQ(rib.loc_rib_size(), 0u);
  take(rib, 3);
  EXPECT_EQ(rib.attributes().size(), 0u);  // everything released
}

}  // namespace
}  // namespace rib_test
