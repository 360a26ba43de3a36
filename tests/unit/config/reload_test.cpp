// Reload plans: diff(old, new).
#include "bgpd/config/reload.hpp"
#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

Json reload_base() {
  return Json::parse(R"({
    "global": {"asn": 65001, "router_id": "192.0.2.1"},
    "prefix_lists": {"pl": [{"prefix": "10.0.0.0/8", "le": 24}]},
    "policies": {"in": {"terms": [{"name": "t", "match": {"prefix_list": "pl"}}]},
                 "out": {"default": "accept"}},
    "neighbors": [
      {"address": "192.0.2.2", "asn": 65002, "import": ["in"], "export": ["out"]},
      {"address": "192.0.2.3", "asn": 65003, "ao": {"mode": "static",
       "keychain": [{"id": 1, "send_id": 1, "recv_id": 1, "secret": "k1"}]}}
    ],
    "networks": [{"prefix": "198.51.100.0/24"}, {"prefix": "198.51.101.0/24"}]
  })");
}

Config must_parse(const Json& doc) {
  auto result = parse(doc);
  EXPECT_TRUE(accepted(result));
  return result ? std::move(result).value() : Config{};
}

const NeighborPlan& plan_for(const ReloadPlan& plan, const char* address) {
  for (const auto& n : plan.neighbors) {
    if (n.address.to_string() == address) return n;
  }
  static const NeighborPlan kNone;
  ADD_FAILURE() << "no plan for " << address;
  return kNone;
}

TEST(Reload, IdenticalConfigsGiveAnEmptyPlan) {
  const Config c = must_parse(reload_base());
  const ReloadPlan plan = plan_reload(c, c);
  EXPECT_TRUE(plan.empty());
  EXPECT_FALSE(plan.restart_required());
  ASSERT_EQ(plan.neighbors.size(), 2u);
  EXPECT_EQ(plan.neighbors[0].change, NeighborChange::Unchanged);
}

TEST(Reload, AddedAndRemovedNeighbors) {
  Json next = reload_base();
  next["neighbors"].erase(1);
  next["neighbors"].push_back({{"address", "192.0.2.9"}, {"asn", 65009}});
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  ASSERT_EQ(plan.neighbors.size(), 3u);
  EXPECT_EQ(plan_for(plan, "192.0.2.2").change, NeighborChange::Unchanged);
  EXPECT_EQ(plan_for(plan, "192.0.2.3").change, NeighborChange::Removed);
  EXPECT_EQ(plan_for(plan, "192.0.2.9").change, NeighborChange::Added);
  EXPECT_FALSE(plan.empty());
}

TEST(Reload, TransportChangeRequiresAReset) {
  Json next = reload_base();
  next["/neighbors/0/asn"_json_pointer] = 65012;
  next["/neighbors/1/md5"_json_pointer] = nullptr;
  next["/neighbors/1/ao/mode"_json_pointer] = "off";
  next["neighbors"][1]["ao"].erase("keychain");
  next["/neighbors/1/md5"_json_pointer] = "pw";
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  const NeighborPlan& a = plan_for(plan, "192.0.2.2");
  EXPECT_EQ(a.change, NeighborChange::ResetRequired);
  EXPECT_EQ(a.fields, std::vector<std::string>{"asn"});
  const NeighborPlan& b = plan_for(plan, "192.0.2.3");
  EXPECT_EQ(b.change, NeighborChange::ResetRequired);
  EXPECT_EQ(b.fields, (std::vector<std::string>{"ao/keychain", "ao/mode", "md5"}));
}

TEST(Reload, PolicyChangesAreSoftResets) {
  Json next = reload_base();
  next["/policies/out/default"_json_pointer] = "reject";
  next["/prefix_lists/pl/0/le"_json_pointer] = 28;  // changes "in" through its prefix list
  next["/neighbors/0/description"_json_pointer] = "now described";
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  EXPECT_EQ(plan.changed_prefix_lists, std::vector<std::string>{"pl"});
  EXPECT_EQ(plan.changed_policies, (std::vector<std::string>{"in", "out"}));
  const NeighborPlan& a = plan_for(plan, "192.0.2.2");
  EXPECT_EQ(a.change, NeighborChange::Soft);
  EXPECT_TRUE(a.soft_reset_in);
  EXPECT_TRUE(a.soft_reset_out);
  EXPECT_EQ(a.policies, (std::vector<std::string>{"in", "out"}));
  EXPECT_EQ(a.fields, std::vector<std::string>{"description"});
  EXPECT_EQ(plan_for(plan, "192.0.2.3").change, NeighborChange::Unchanged);
  EXPECT_FALSE(plan.restart_required());
}

TEST(Reload, ImportListChangeIsSoftInOnly) {
  Json next = reload_base();
  next["/neighbors/0/import"_json_pointer] = {"in", "out"};
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  const NeighborPlan& a = plan_for(plan, "192.0.2.2");
  EXPECT_EQ(a.change, NeighborChange::Soft);
  EXPECT_TRUE(a.soft_reset_in);
  EXPECT_FALSE(a.soft_reset_out);
}

TEST(Reload, KeychainChangeIsLive) {
  Json next = reload_base();
  next["/neighbors/1/ao/keychain/1"_json_pointer] =
      Json::parse(R"({"id": 2, "send_id": 2, "recv_id": 2, "secret": "k2"})");
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  const NeighborPlan& b = plan_for(plan, "192.0.2.3");
  EXPECT_EQ(b.change, NeighborChange::Soft);
  EXPECT_TRUE(b.keys_changed);
  EXPECT_FALSE(b.soft_reset_in);
}

TEST(Reload, SecretChangeIsSeenWithoutBeingNamed) {
  Json next = reload_base();
  next["/neighbors/1/ao/keychain/0/secret"_json_pointer] = "k1-rotated";
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  EXPECT_TRUE(plan_for(plan, "192.0.2.3").keys_changed);
  // The same KeyIDs cannot name the old and the new MKT at once: no
  // make-before-break, so the session resets (RFC 5925 section 3.1).
  EXPECT_EQ(plan_for(plan, "192.0.2.3").change, NeighborChange::ResetRequired);
}

TEST(Reload, GlobalRestartVersusLive) {
  Json next = reload_base();
  next["/global/router_id"_json_pointer] = "192.0.2.100";
  next["/global/listen/port"_json_pointer] = 1179;
  next["/global/log/level"_json_pointer] = "debug";
  next["/global/always_compare_med"_json_pointer] = true;
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  EXPECT_TRUE(plan.restart_required());
  EXPECT_EQ(plan.restart_fields, (std::vector<std::string>{"listen/port", "router_id"}));
  EXPECT_EQ(plan.live_fields, (std::vector<std::string>{"always_compare_med", "log/level"}));
  EXPECT_TRUE(plan.rerun_decision);
}

TEST(Reload, DefaultLocalPrefSoftResetsEveryNeighborIn) {
  Json next = reload_base();
  next["/global/default_local_pref"_json_pointer] = 150;
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  for (const auto& n : plan.neighbors) {
    EXPECT_EQ(n.change, NeighborChange::Soft);
    EXPECT_TRUE(n.soft_reset_in);
  }
}

TEST(Reload, InheritedTimerChangeReachesNeighbors) {
  Json next = reload_base();
  next["/global/hold_time"_json_pointer] = 30;
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  EXPECT_FALSE(plan.restart_required());
  const NeighborPlan& a = plan_for(plan, "192.0.2.2");
  EXPECT_EQ(a.change, NeighborChange::ResetRequired);
  EXPECT_EQ(a.fields, (std::vector<std::string>{"hold_time", "keepalive"}));
}

TEST(Reload, Networks) {
  Json next = reload_base();
  next["networks"] = Json::parse(R"([{"prefix": "198.51.100.0/24", "med": 5},
                                     {"prefix": "198.51.102.0/24"}])");
  const ReloadPlan plan = plan_reload(must_parse(reload_base()), must_parse(next));
  ASSERT_EQ(plan.networks_added.size(), 1u);
  EXPECT_EQ(plan.networks_added[0].to_string(), "198.51.102.0/24");
  ASSERT_EQ(plan.networks_removed.size(), 1u);
  EXPECT_EQ(plan.networks_removed[0].to_string(), "198.51.101.0/24");
  ASSERT_EQ(plan.networks_changed.size(), 1u);
  EXPECT_EQ(plan.networks_changed[0].to_string(), "198.51.100.0/24");
}

// Every field of the canonical print has an explicit rule, so that the
// docs' "reload" column (which lists the rules) covers every field.
void expect_rules_cover(const Json& object, std::span<const FieldRule> rules,
                        const std::string& prefix) {
  for (const auto& [key, value] : object.items()) {
    const std::string path = prefix.empty() ? key : prefix + "/" + key;
    if (effect_of(rules, path)) continue;
    if (value.is_object()) {
      expect_rules_cover(value, rules, path);
    } else {
      ADD_FAILURE() << "no reload rule for " << path;
    }
  }
}

TEST(Reload, EveryFieldHasARule) {
  const Json canonical = to_canonical_json(must_parse(reload_base()));
  expect_rules_cover(canonical["global"], global_field_rules(), "");
  expect_rules_cover(canonical["neighbors"][0], neighbor_field_rules(), "");
  EXPECT_EQ(effect_of(neighbor_field_rules(), "ao/announce/prot"), Effect::Reset);
  EXPECT_EQ(effect_of(neighbor_field_rules(), "ao/keychain"), Effect::Live);
  EXPECT_EQ(effect_of(global_field_rules(), "listen/addresses"), Effect::Restart);
  EXPECT_FALSE(effect_of(neighbor_field_rules(), "tlsx").has_value());
}

}  // namespace
}  // namespace bgpd::config::test
