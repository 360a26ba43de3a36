// tests/unit/policy/policy_test.cpp - prefix lists, matches, actions, chains,
// RFC 8212 defaults.
#include "bgpd/policy/policy.hpp"

#include <gtest/gtest.h>

namespace {

using namespace bgpd::policy;
namespace wire = bgpd::wire;

wire::Prefix pfx(const char* text) {
  return *wire::Prefix::parse(text);
}

PrefixListEntry entry(const char* prefix, std::optional<std::uint8_t> ge = std::nullopt,
                      std::optional<std::uint8_t> le = std::nullopt, bool permit = true) {
  return PrefixListEntry{pfx(prefix), ge, le, permit};
}

wire::PathAttributes route(std::vector<std::uint32_t> asns) {
  wire::PathAttributes a;
  a.as_path.segments.push_back({wire::AsPathSegmentType::AsSequence, std::move(asns)});
  a.next_hop = wire::IpAddress::parse("192.0.2.1");
  return a;
}

const EvalContext kCtx{65000};

// One policy "p" with the given terms, compiled into a chain.
Chain chain_of(std::vector<Term> terms, TermResult fallback = TermResult::Reject,
               PolicySet set = {}) {
  set.policies["p"] = Policy{"p", std::move(terms), fallback};
  auto compiled = CompiledPolicySet::compile(std::move(set));
  EXPECT_TRUE(compiled.has_value());
  auto chain = Chain::make(*compiled, {"p"});
  EXPECT_TRUE(chain.has_value());
  return *chain;
}

Term term(const char* name, TermResult result = TermResult::Accept) {
  Term t;
  t.name = name;
  t.result = result;
  return t;
}

TEST(PrefixList, ExactMatchByDefault) {
  const auto e = entry("10.0.0.0/8");
  EXPECT_TRUE(entry_covers(e, pfx("10.0.0.0/8")));
  EXPECT_FALSE(entry_covers(e, pfx("10.1.0.0/16")));
  EXPECT_FALSE(entry_covers(e, pfx("11.0.0.0/8")));
}

TEST(PrefixList, GeAloneOpensToMaxLength) {
  const auto e = entry("10.0.0.0/8", 24);
  EXPECT_FALSE(entry_covers(e, pfx("10.1.0.0/16")));
  EXPECT_TRUE(entry_covers(e, pfx("10.1.2.0/24")));
  EXPECT_TRUE(entry_covers(e, pfx("10.1.2.3/32")));
  EXPECT_FALSE(entry_covers(e, pfx("10.0.0.0/8")));
}

TEST(PrefixList, LeAloneFromPrefixLength) {
  const auto e = entry("10.0.0.0/8", std::nullopt, 16);
  EXPECT_TRUE(entry_covers(e, pfx("10.0.0.0/8")));
  EXPECT_TRUE(entry_covers(e, pfx("10.20.0.0/16")));
  EXPECT_FALSE(entry_covers(e, pfx("10.20.30.0/24")));
}

TEST(PrefixList, GeAndLeRange) {
  const auto e = entry("192.168.0.0/16", 20, 24);
  EXPECT_FALSE(entry_covers(e, pfx("192.168.0.0/19")));
  EXPECT_TRUE(entry_covers(e, pfx("192.168.16.0/20")));
  EXPECT_TRUE(entry_covers(e, pfx("192.168.1.0/24")));
  EXPECT_FALSE(entry_covers(e, pfx("192.168.1.0/25")));
  EXPECT_FALSE(entry_covers(e, pfx("192.169.1.0/24")));  // outside the prefix
}

TEST(PrefixList, FamiliesDoNotMix) {
  EXPECT_FALSE(entry_covers(entry("0.0.0.0/0", std::nullopt, 32), pfx("2001:db8::/32")));
  EXPECT_TRUE(entry_covers(entry("2001:db8::/32", 48, 48), pfx("2001:db8:1::/48")));
}

TEST(PrefixList, FirstMatchDecidesAndDenyWins) {
  PrefixList list{
      "l", {entry("10.1.0.0/16", std::nullopt, 32, false), entry("10.0.0.0/8", std::nullopt, 32)}};
  EXPECT_FALSE(prefix_list_matches(list, pfx("10.1.2.0/24")));  // deny first
  EXPECT_TRUE(prefix_list_matches(list, pfx("10.2.0.0/24")));
  EXPECT_FALSE(prefix_list_matches(list, pfx("11.0.0.0/24")));  // no entry: no match
}

TEST(Match, PrefixListInATerm) {
  PolicySet set;
  set.prefix_lists["short"] = {"short", {entry("0.0.0.0/0", std::nullopt, 24)}};
  Term t = term("ok");
  t.match.prefix_list = "short";
  const Chain c = chain_of({t}, TermResult::Reject, set);
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/24"), route({65010}), kCtx).verdict, Verdict::Accept);
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/25"), route({65010}), kCtx).verdict, Verdict::Reject);
}

TEST(Match, AsPathRegex) {
  Term t = term("via-65002");
  t.match.as_path_regex = "(^| )65002( |$)";
  const Chain c = chain_of({t});
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), route({65001, 65002, 3}), kCtx).verdict, Verdict::Accept);
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), route({65001, 650021}), kCtx).verdict, Verdict::Reject);
  Term anchored = term("from-65001");
  anchored.match.as_path_regex = "^65001 ";
  const Chain d = chain_of({anchored});
  EXPECT_EQ(d.evaluate(pfx("10.0.0.0/8"), route({65001, 7}), kCtx).verdict, Verdict::Accept);
  EXPECT_EQ(d.evaluate(pfx("10.0.0.0/8"), route({7, 65001}), kCtx).verdict, Verdict::Reject);
}

TEST(Match, Communities) {
  Term t = term("tagged");
  t.match.communities_any = {0xFDE90064, 0xFDE90065};
  const Chain c = chain_of({t});
  auto a = route({65010});
  a.communities = {0xFDE90065};
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), a, kCtx).verdict, Verdict::Accept);
  a.communities = {0xFDE90066};
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), a, kCtx).verdict, Verdict::Reject);
}

TEST(Match, LargeCommunities) {
  Term t = term("large");
  t.match.large_communities_any = {{65010, 1, 2}};
  const Chain c = chain_of({t});
  auto a = route({65010});
  a.large_communities = {{65010, 1, 2}};
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), a, kCtx).verdict, Verdict::Accept);
  a.large_communities = {{65010, 1, 3}};
  EXPECT_EQ(c.evaluate(pfx("10.0.0.0/8"), a, kCtx).verdict, Verdict::Reject);
}

TEST(Match, AsPathAttributesAndFamilyAreAnded) {
  Term t = term("all");
  t.match.origin_as = 3;
  t.match.as_path_contains = 65002;
  t.match.as_path_max_length = 3;
  t.match.family = wire::Afi::Ipv4;
  const Chain c = chain_of({t});
  const auto p4 = pfx("10.0.0.0/8");
  EXPECT_EQ(c.evaluate(p4, route({65001, 65002, 3}), kCtx).verdict, Verdict::Accept);
  EXPECT_EQ(c.evaluate(p4, route({65001, 65002, 4}), kCtx).verdict, Verdict::Reject);  // origin
  EXPECT_EQ(c.evaluate(p4, route({65001, 65009, 3}), kCtx).verdict, Verdict::Reject);  // contains
  EXPECT_EQ(c.evaluate(p4, route({65001, 65002, 9, 3}), kCtx).verdict, Verdict::Reject);  // length
  EXPECT_EQ(c.evaluate(pfx("2001:db8::/32"), route({65001, 65002, 3}), kCtx).verdict,
            Verdict::Reject);  // family
}

TEST(Actions, SetAttributes) {
  Actions a;
  a.set_local_pref = 200;
  a.set_med = 30;
  a.set_next_hop = wire::IpAddress::parse("198.51.100.1");
  auto attrs = route({65010});
  apply_actions(a, attrs, kCtx);
  EXPECT_EQ(attrs.local_pref, 200u);
  EXPECT_EQ(attrs.med, 30u);
  EXPECT_EQ(attrs.next_hop, wire::IpAddress::parse("198.51.100.1"));
}

TEST(Actions, CommunitiesStaySortedAndUnique) {
  auto attrs = route({65010});
  attrs.communities = {10, 20, 30};
  Actions a;
  a.remove_communities = {20, 99};
  a.add_communities = {25, 5, 10};
  apply_actions(a, attrs, kCtx);
  EXPECT_EQ(attrs.communities, (std::vector<wire::Community>{5, 10, 25, 30}));
  Actions clear;
  clear.clear_communities = true;
  clear.add_communities = {7};
  apply_actions(clear, attrs, kCtx);
  EXPECT_EQ(attrs.communities, (std::vector<wire::Community>{7}));
}

TEST(Actions, LargeCommunitiesAdded) {
  auto attrs = route({65010});
  Actions a;
  a.add_large_communities = {{3, 0, 0}, {1, 2, 3}, {3, 0, 0}};
  apply_actions(a, attrs, kCtx);
  EXPECT_EQ(attrs.large_communities, (std::vector<wire::LargeCommunity>{{1, 2, 3}, {3, 0, 0}}));
}

TEST(Actions, PrependLocalAsOrGivenAs) {
  auto attrs = route({65010, 1});
  Actions a;
  a.prepend_count = 2;
  apply_actions(a, attrs, kCtx);
  EXPECT_EQ(attrs.as_path.to_string(), "65000 65000 65010 1");
  a.prepend_count = 1;
  a.prepend_asn = 64999;
  apply_actions(a, attrs, kCtx);
  EXPECT_EQ(attrs.as_path.to_string(), "64999 65000 65000 65010 1");
}

TEST(Chain, NoActionMeansNoCopy) {
  const Chain c = chain_of({term("accept")});
  auto out = c.evaluate(pfx("10.0.0.0/8"), route({65010}), kCtx);
  EXPECT_EQ(out.verdict, Verdict::Accept);
  EXPECT_FALSE(out.modified.has_value());
}

TEST(Chain, ContinueAppliesActionsAndGoesOn) {
  Term tag = term("tag", TermResult::Continue);
  tag.actions.add_communities = {42};
  Term lp = term("lp");
  lp.actions.set_local_pref = 250;
  const Chain c = chain_of({tag, lp});
  auto out = c.evaluate(pfx("10.0.0.0/8"), route({65010}), kCtx);
  EXPECT_EQ(out.verdict, Verdict::Accept);
  ASSERT_TRUE(out.modified.has_value());
  EXPECT_EQ(out.modified->communities, (std::vector<wire::Community>{42}));
  EXPECT_EQ(out.modified->local_pref, 250u);
}

TEST(Chain, RejectStopsAndDropsActions) {
  Term tag = term("tag", TermResult::Continue);
  tag.actions.set_med = 1;
  Term deny = term("deny", TermResult::Reject);
  const Chain c = chain_of({tag, deny, term("never")});
  auto out = c.evaluate(pfx("10.0.0.0/8"), route({65010}), kCtx);
  EXPECT_EQ(out.verdict, Verdict::Reject);
  EXPECT_FALSE(out.modified.has_value());
}

TEST(Chain, DefaultResultWhenNoTermDecides) {
  Term tag = term("tag", TermResult::Continue);
  tag.actions.set_med = 9;
  auto accept = chain_of({tag}, TermResult::Accept).evaluate(pfx("10.0.0.0/8"), route({1}), kCtx);
  EXPECT_EQ(accept.verdict, Verdict::Accept);
  EXPECT_EQ(accept.modified->med, 9u);
  EXPECT_EQ(
      chain_of({tag}, TermResult::Reject).evaluate(pfx("10.0.0.0/8"), route({1}), kCtx).verdict,
      Verdict::Reject);
}

TEST(Chain, UndecidedRouteFallsToNextPolicyAndLastDefault) {
  PolicySet set;
  Term only_short = term("short", TermResult::Reject);
  only_short.match.as_path_max_length = 1;
  set.policies["first"] = Policy{"first", {only_short}, TermResult::Reject};
  Term lp = term("lp", TermResult::Continue);
  lp.actions.set_local_pref = 77;
  set.policies["second"] = Policy{"second", {lp}, TermResult::Accept};
  auto compiled = CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  auto chain = Chain::make(*compiled, {"first", "second"});
  ASSERT_TRUE(chain.has_value());
  // "first" decides the short path; the long one passes to "second",
  // whose default (accept) ends the chain - not the default of "first".
  EXPECT_EQ(chain->evaluate(pfx("10.0.0.0/8"), route({1}), kCtx).verdict, Verdict::Reject);
  auto out = chain->evaluate(pfx("10.0.0.0/8"), route({1, 2}), kCtx);
  EXPECT_EQ(out.verdict, Verdict::Accept);
  EXPECT_EQ(out.modified->local_pref, 77u);
}

TEST(Chain, UnknownPolicyNameIsAnError) {
  auto compiled = CompiledPolicySet::compile({});
  ASSERT_TRUE(compiled.has_value());
  auto chain = Chain::make(*compiled, {"nope"});
  ASSERT_FALSE(chain.has_value());
  ASSERT_EQ(chain.error().size(), 1u);
  EXPECT_EQ(chain.error()[0].object, PolicyError::Object::Chain);
  EXPECT_EQ(chain.error()[0].index, 0u);
  EXPECT_FALSE(Chain::make(*compiled, {}).has_value());
}

TEST(Rfc8212, EbgpWithoutPolicyRejectsIbgpAccepts) {
  const auto p = pfx("10.0.0.0/8");
  const auto a = route({65010});
  EXPECT_EQ(Chain::default_for(true).evaluate(p, a, kCtx).verdict, Verdict::Reject);
  EXPECT_EQ(Chain::default_for(false).evaluate(p, a, kCtx).verdict, Verdict::Accept);
  auto ebgp = Chain::for_neighbor(nullptr, {}, /*ebgp=*/true);
  ASSERT_TRUE(ebgp.has_value());
  EXPECT_TRUE(ebgp->is_default());
  EXPECT_EQ(ebgp->evaluate(p, a, kCtx).verdict, Verdict::Reject);
  auto ibgp = Chain::for_neighbor(nullptr, {}, /*ebgp=*/false);
  ASSERT_TRUE(ibgp.has_value());
  EXPECT_EQ(ibgp->evaluate(p, a, kCtx).verdict, Verdict::Accept);
}

TEST(Rfc8212, ConfiguredPolicyReplacesTheDefault) {
  PolicySet set;
  set.policies["all"] = Policy{"all", {}, TermResult::Accept};
  auto compiled = CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  auto chain = Chain::for_neighbor(*compiled, {"all"}, /*ebgp=*/true);
  ASSERT_TRUE(chain.has_value());
  EXPECT_FALSE(chain->is_default());
  EXPECT_EQ(chain->evaluate(pfx("10.0.0.0/8"), route({1}), kCtx).verdict, Verdict::Accept);
}

}  // namespace
