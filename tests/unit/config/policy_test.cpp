// prefix_lists and policies -> policy::PolicySet.
#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

Json with_policies(const char* prefix_lists, const char* policies) {
  Json doc = base_document();
  doc["prefix_lists"] = Json::parse(prefix_lists);
  doc["policies"] = Json::parse(policies);
  return doc;
}

TEST(PrefixList, EntriesAndGeLeResolution) {
  auto result = parse(with_policies(R"({"pl": [
      {"prefix": "10.0.0.0/8"},
      {"prefix": "10.0.0.0/8", "ge": 16},
      {"prefix": "10.0.0.0/8", "le": 24, "action": "deny"},
      {"prefix": "2001:db8::/32", "ge": 40, "le": 48}]})", "{}"));
  ASSERT_TRUE(accepted(result));
  const auto& entries = result->policies.prefix_lists.at("pl").entries;
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(result->policies.prefix_lists.at("pl").name, "pl");
  EXPECT_FALSE(entries[0].ge.has_value());
  EXPECT_FALSE(entries[0].le.has_value());
  EXPECT_TRUE(entries[0].permit);
  EXPECT_EQ(entries[1].ge, 16);
  EXPECT_EQ(entries[1].le, 32);  // "ge" alone reaches the host length
  EXPECT_EQ(entries[2].ge, 8);   // "le" alone starts at the prefix length
  EXPECT_EQ(entries[2].le, 24);
  EXPECT_FALSE(entries[2].permit);
  EXPECT_EQ(entries[3].ge, 40);
  EXPECT_EQ(entries[3].le, 48);
}

TEST(PrefixList, RangeRules) {
  auto result = parse(with_policies(R"({"pl": [
      {"prefix": "10.0.0.0/8", "ge": 4},
      {"prefix": "10.0.0.0/8", "le": 33},
      {"prefix": "10.0.0.0/8", "ge": 24, "le": 16},
      {"prefix": "10.0.0.0/8", "action": "allow"},
      {"ge": 8}]})", "{}"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/pl/0/ge", "between the prefix length 8 and 32"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/pl/1/le", "between the prefix length 8 and 32"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/pl/2/le", "le 16 is below ge 24"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/pl/3/action", "'permit' or 'deny'"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/pl/4/prefix", "required key is missing"));
  EXPECT_EQ(result.error().size(), 5u) << dump_errors(result.error());
}

TEST(PrefixList, NamesAndShape) {
  auto result = parse(with_policies(R"({"bad name": [], "ok": {}})", "{}"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/bad name", "names are 1 to 64 characters"));
  EXPECT_TRUE(has_error(result, "/prefix_lists/ok", "expected an array"));
  EXPECT_EQ(result.error().size(), 2u);
}

TEST(Policy, TermsMatchSetAndDefaults) {
  auto result = parse(with_policies(R"({"pl": [{"prefix": "10.0.0.0/8", "le": 32}]})", R"j({
    "p": {"terms": [
      {"name": "t1",
       "match": {"prefix_list": "pl", "family": "ipv4", "as_path_regex": "^65002( |$)",
                 "origin_as": 65010, "as_path_contains": 65020, "as_path_max_length": 10,
                 "communities_any": ["65001:1"], "large_communities_any": ["65001:1:1"]},
       "set": {"local_pref": 50, "med": 7, "next_hop": "192.0.2.1", "clear_communities": true,
               "remove_communities": ["65001:9"], "add_communities": ["no-advertise"],
               "add_large_communities": ["65001:2:3"], "prepend_count": 2,
               "prepend_asn": 65001},
       "action": "next"},
      {"name": "t2"}]}})j"));
  ASSERT_TRUE(accepted(result));
  const policy::Policy& p = result->policies.policies.at("p");
  EXPECT_EQ(p.name, "p");
  EXPECT_EQ(p.default_result, policy::TermResult::Reject);
  ASSERT_EQ(p.terms.size(), 2u);
  const policy::Term& t = p.terms[0];
  EXPECT_EQ(t.name, "t1");
  EXPECT_EQ(t.result, policy::TermResult::Continue);
  EXPECT_EQ(t.match.prefix_list, "pl");
  EXPECT_EQ(t.match.family, wire::Afi::Ipv4);
  EXPECT_EQ(t.match.as_path_regex, "^65002( |$)");
  EXPECT_EQ(t.match.origin_as, 65010u);
  EXPECT_EQ(t.match.as_path_contains, 65020u);
  EXPECT_EQ(t.match.as_path_max_length, 10u);
  EXPECT_EQ(t.match.communities_any, std::vector<wire::Community>{(65001u << 16) | 1});
  EXPECT_EQ(t.match.large_communities_any, (std::vector<wire::LargeCommunity>{{65001, 1, 1}}));
  EXPECT_EQ(t.actions.set_local_pref, 50u);
  EXPECT_EQ(t.actions.set_med, 7u);
  EXPECT_EQ(t.actions.set_next_hop->to_string(), "192.0.2.1");
  EXPECT_TRUE(t.actions.clear_communities);
  EXPECT_EQ(t.actions.remove_communities, std::vector<wire::Community>{(65001u << 16) | 9});
  EXPECT_EQ(t.actions.add_communities, std::vector<wire::Community>{wire::kNoAdvertise});
  EXPECT_EQ(t.actions.add_large_communities, (std::vector<wire::LargeCommunity>{{65001, 2, 3}}));
  EXPECT_EQ(t.actions.prepend_count, 2);
  EXPECT_EQ(t.actions.prepend_asn, 65001u);
  EXPECT_EQ(p.terms[1].result, policy::TermResult::Accept);
}

TEST(Policy, Rules) {
  auto result = parse(with_policies("{}", R"({
    "p": {"terms": [
      {"name": "a", "match": {"prefix_list": "missing"}},
      {"name": "a"},
      {"match": {"as_path_regex": "(65001"}},
      {"name": "r", "match": {"as_path_regex": "(1{999}){999}"}},
      {"name": "s", "set": {"prepend_asn": 65001, "prepend_count": 0}},
      {"name": "f", "match": {"family": "ipv4-unicast"}, "action": "continue"},
      {"name": "bad name!"}],
     "default": "next"},
    "q": {"terms": {}}})"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/0/match/prefix_list", "unknown prefix list 'missing'"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/1/name", "duplicate term name, already used by /policies/p/terms/0"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/2/name", "required key is missing"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/2/match/as_path_regex", "not a valid ECMAScript regex"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/3/match/as_path_regex", "multiply to more than 1000"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/4/set/prepend_asn", "without prepend_count"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/5/match/family", "'ipv4' or 'ipv6'"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/5/action", "'accept', 'reject' or 'next'"));
  EXPECT_TRUE(has_error(result, "/policies/p/terms/6/name", "names are 1 to 64"));
  EXPECT_TRUE(has_error(result, "/policies/p/default", "'accept' or 'reject'"));
  EXPECT_TRUE(has_error(result, "/policies/q/terms", "expected an array"));
  EXPECT_EQ(result.error().size(), 11u) << dump_errors(result.error());
}

TEST(Policy, LongRegexIsRefused) {
  auto result = parse(with_policies("{}", R"({"p": {"terms": [{"name": "t", "match": {}}]}})"));
  ASSERT_TRUE(accepted(result));
  Json doc = with_policies("{}", "{}");
  doc["policies"]["p"]["terms"] = {{{"name", "t"}, {"match", {{"as_path_regex", std::string(257, 'a')}}}}};
  EXPECT_TRUE(only_error(parse(doc), "/policies/p/terms/0/match/as_path_regex", "longer than 256"));
}

TEST(Policy, PrependCountIsBounded) {
  Json doc = with_policies("{}", R"({"p": {"terms": [{"name": "t", "set": {"prepend_count": 33}}]}})");
  EXPECT_TRUE(only_error(parse(doc), "/policies/p/terms/0/set/prepend_count", "between 0 and 32"));
}

}  // namespace
}  // namespace bgpd::config::test
