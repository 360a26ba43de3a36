// tests/unit/policy/validate_test.cpp - every validation error, with where it is.
#include <gtest/gtest.h>

#include "bgpd/policy/policy.hpp"

namespace {

using namespace bgpd::policy;
namespace wire = bgpd::wire;

PrefixListEntry entry(const char* prefix, std::optional<std::uint8_t> ge,
                      std::optional<std::uint8_t> le) {
  return PrefixListEntry{*wire::Prefix::parse(prefix), ge, le, true};
}

PolicySet with_entry(PrefixListEntry e) {
  PolicySet set;
  set.prefix_lists["pl"] = PrefixList{"pl", {entry("10.0.0.0/8", std::nullopt, std::nullopt), e}};
  return set;
}

// Exactly one error on entry #1 of "pl", in `field`.
void expect_entry_error(const PolicySet& set, const char* field) {
  auto errors = validate(set);
  ASSERT_EQ(errors.size(), 1u) << (errors.empty() ? "" : to_string(errors[0]));
  EXPECT_EQ(errors[0].object, PolicyError::Object::PrefixList);
  EXPECT_EQ(errors[0].name, "pl");
  EXPECT_EQ(errors[0].index, 1u);
  EXPECT_EQ(errors[0].field, field);
  EXPECT_FALSE(errors[0].message.empty());
}

TEST(Validate, GoodRangesPass) {
  EXPECT_TRUE(validate(with_entry(entry("10.0.0.0/8", 8, 32))).empty());
  EXPECT_TRUE(validate(with_entry(entry("10.0.0.0/8", 24, 24))).empty());
  EXPECT_TRUE(validate(with_entry(entry("2001:db8::/32", 48, 128))).empty());
  EXPECT_TRUE(validate(with_entry(entry("10.0.0.0/8", std::nullopt, 8))).empty());
}

TEST(Validate, GeShorterThanPrefix) {
  expect_entry_error(with_entry(entry("10.0.0.0/16", 8, std::nullopt)), "ge");
}

TEST(Validate, GeBeyondMaxBits) {
  expect_entry_error(with_entry(entry("10.0.0.0/8", 33, std::nullopt)), "ge");
}

TEST(Validate, LeShorterThanGe) {
  expect_entry_error(with_entry(entry("10.0.0.0/8", 24, 20)), "le");
}

TEST(Validate, LeShorterThanPrefixWithoutGe) {
  expect_entry_error(with_entry(entry("10.0.0.0/16", std::nullopt, 12)), "le");
}

TEST(Validate, LeBeyondMaxBits) {
  expect_entry_error(with_entry(entry("2001:db8::/32", std::nullopt, 129)), "le");
}

TEST(Validate, PolicyErrorsNameTermAndField) {
  PolicySet set;
  Term bad_list;
  bad_list.name = "t0";
  bad_list.match.prefix_list = "missing";
  Term bad_regex;
  bad_regex.name = "t1";
  bad_regex.match.as_path_regex = "(65001";
  Term dup;
  dup.name = "t0";
  set.policies["p"] = Policy{"p", {bad_list, bad_regex, dup}, TermResult::Continue};
  auto errors = validate(set);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].field, "default_result");
  EXPECT_FALSE(errors[0].index.has_value());
  EXPECT_EQ(errors[1].field, "match.prefix_list");
  EXPECT_EQ(errors[1].term, "t0");
  EXPECT_EQ(errors[1].index, 0u);
  EXPECT_EQ(errors[2].field, "match.as_path_regex");
  EXPECT_EQ(errors[2].term, "t1");
  EXPECT_EQ(errors[2].index, 1u);
  EXPECT_EQ(errors[3].field, "name");
  EXPECT_EQ(errors[3].index, 2u);
  for (const auto& e : errors) {
    EXPECT_EQ(e.object, PolicyError::Object::Policy);
    EXPECT_EQ(e.name, "p");
  }
  EXPECT_NE(to_string(errors[2]).find("term 't1' (#1) match.as_path_regex"), std::string::npos);
}

TEST(Validate, CompileRefusesInvalidSets) {
  PolicySet set;
  Term t;
  t.name = "x";
  t.match.as_path_regex = "[";
  set.policies["p"] = Policy{"p", {t}, TermResult::Reject};
  auto compiled = CompiledPolicySet::compile(set);
  ASSERT_FALSE(compiled.has_value());
  EXPECT_EQ(compiled.error().size(), 1u);
}

TEST(Validate, CompiledSetKeepsItsSource) {
  PolicySet set;
  set.policies["p"] = Policy{"p", {}, TermResult::Accept};
  auto compiled = CompiledPolicySet::compile(set);
  ASSERT_TRUE(compiled.has_value());
  EXPECT_EQ((*compiled)->source().policies.count("p"), 1u);
  EXPECT_NE((*compiled)->find("p"), nullptr);
  EXPECT_EQ((*compiled)->find("q"), nullptr);
}

}  // namespace
