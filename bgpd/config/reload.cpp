// bgpd/config/reload.cpp - diff two configs into a ReloadPlan.
//
// Both configs are compared in their canonical JSON form (secrets revealed,
// in memory only; a plan names fields, never values), so every field the
// canonical print knows is diffed without a hand-written comparison per
// struct, and a new field without a rule falls back to Reset, the safe side.
#include "bgpd/config/reload.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "bgpd/config/config.hpp"

namespace bgpd::config {
namespace {

using Json = nlohmann::json;

constexpr std::array<FieldRule, 27> kNeighborRules{{
    {"address", Effect::Reset},
    {"asn", Effect::Reset},
    {"description", Effect::Live},
    {"port", Effect::Reset},
    {"local_address", Effect::Reset},
    {"passive", Effect::Reset},
    {"hold_time", Effect::Reset},  // negotiated in OPEN (RFC 4271 section 4.2)
    {"keepalive", Effect::Live},   // local timer only
    {"connect_retry", Effect::Live},
    {"families", Effect::Reset},  // capabilities are negotiated in OPEN
    {"next_hop_self", Effect::SoftOut},
    {"import", Effect::SoftIn},
    {"export", Effect::SoftOut},
    {"md5", Effect::Reset},
    {"tls/mode", Effect::Reset},
    {"tls/fallback_after", Effect::Live},
    {"tls/handshake_timeout", Effect::Live},
    {"tls/peer_name", Effect::Reset},  // the peer was verified against the old name
    {"ao/mode", Effect::Reset},
    {"ao/announce", Effect::Reset},  // sent once, in the handshake
    {"ao/rekey_interval", Effect::Live},
    {"ao/rekey_after_bytes", Effect::Live},
    {"ao/fallback_after", Effect::Live},
    {"ao/keychain", Effect::Live},  // make-before-break key rollover (profile section 4)
    {"fallback", Effect::Reset},
    {"shutdown", Effect::Reset},       // ManualStop / ManualStart
    {"route_refresh", Effect::Reset},  // a capability, negotiated in OPEN
}};

constexpr std::array<FieldRule, 15> kGlobalRules{{
    {"asn", Effect::Restart},
    {"router_id", Effect::Restart},
    {"listen", Effect::Restart},
    {"hold_time", Effect::Live},  // a default: neighbors' effective values are diffed
    {"keepalive", Effect::Live},
    {"connect_retry", Effect::Live},
    {"log", Effect::Live},
    {"control_socket", Effect::Restart},
    {"ao/backend", Effect::Restart},
    {"ao/tls_extension_type", Effect::Restart},
    {"ao/keylog_file", Effect::Restart},
    {"ao/nfqueue_base", Effect::Restart},
    {"tls", Effect::Live},  // used by the next handshakes
    {"always_compare_med", Effect::Decision},
    {"default_local_pref", Effect::SoftIn},
}};

// Leaf paths where a and b differ; arrays compare as a whole.
void diff_paths(const Json& a, const Json& b, const std::string& prefix,
                std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    static const Json kNull;
    for (const auto& k : keys) {
      const Json& av = a.contains(k) ? a.at(k) : kNull;
      const Json& bv = b.contains(k) ? b.at(k) : kNull;
      diff_paths(av, bv, prefix.empty() ? k : prefix + "/" + k, out);
    }
    return;
  }
  if (a != b) out.push_back(prefix);
}

std::map<std::string, const Json*> members(const Json& object) {
  std::map<std::string, const Json*> out;
  for (const auto& [k, v] : object.items()) out.emplace(k, &v);
  return out;
}

// Names whose JSON differs between the two objects (added and removed too).
std::vector<std::string> changed_members(const Json& a, const Json& b) {
  std::vector<std::string> out;
  auto ma = members(a);
  auto mb = members(b);
  for (const auto& [name, v] : ma) {
    auto it = mb.find(name);
    if (it == mb.end() || *it->second != *v) out.push_back(name);
  }
  for (const auto& [name, v] : mb) {
    if (ma.count(name) == 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool references(const policy::Policy& p, const std::vector<std::string>& lists) {
  return std::any_of(p.terms.begin(), p.terms.end(), [&](const policy::Term& t) {
    return t.match.prefix_list &&
           std::find(lists.begin(), lists.end(), *t.match.prefix_list) != lists.end();
  });
}

void apply_global_rules(const Json& old_global, const Json& new_global, ReloadPlan& plan,
                        bool& soft_in_all) {
  std::vector<std::string> paths;
  diff_paths(old_global, new_global, "", paths);
  for (const auto& path : paths) {
    const Effect effect = effect_of(kGlobalRules, path).value_or(Effect::Restart);
    if (effect == Effect::Restart) {
      plan.restart_fields.push_back(path);
      continue;
    }
    plan.live_fields.push_back(path);
    if (effect == Effect::Decision) plan.rerun_decision = true;
    if (effect == Effect::SoftIn) soft_in_all = true;
  }
}

void uses_changed_policies(const NeighborConfig& n, const std::vector<std::string>& changed,
                           NeighborPlan& plan) {
  auto scan = [&](const std::optional<std::vector<std::string>>& chain, bool& flag) {
    if (!chain) return;
    for (const auto& name : *chain) {
      if (std::find(changed.begin(), changed.end(), name) == changed.end()) continue;
      flag = true;
      if (std::find(plan.policies.begin(), plan.policies.end(), name) == plan.policies.end()) {
        plan.policies.push_back(name);
      }
    }
  };
  scan(n.import_policies, plan.soft_reset_in);
  scan(n.export_policies, plan.soft_reset_out);
}

// A static chain rolls live (profile section 4) unless a KeyID pair stays
// while its MKT changes: the same SendID/RecvID cannot name two MKTs at once
// (RFC 5925 section 3.1), so make-before-break is impossible and the
// session resets.
bool keychain_rolls_live(const Json& old_n, const Json& new_n) {
  const Json& before = old_n.at("ao").at("keychain");
  const Json& after = new_n.at("ao").at("keychain");
  if (!before.is_array() || !after.is_array()) return false;
  for (const Json& key : after) {
    for (const Json& old_key : before) {
      if (key.at("send_id") != old_key.at("send_id") || key.at("recv_id") != old_key.at("recv_id")) {
        continue;
      }
      for (const char* field : {"secret_hex", "algorithm", "include_options"}) {
        if (key.at(field) != old_key.at(field)) return false;
      }
    }
  }
  return true;
}

NeighborPlan compare_neighbor(const Json& old_n, const Json& new_n) {
  NeighborPlan plan;
  diff_paths(old_n, new_n, "", plan.fields);
  bool reset = false;
  for (const auto& path : plan.fields) {
    switch (effect_of(kNeighborRules, path).value_or(Effect::Reset)) {
      case Effect::SoftIn: plan.soft_reset_in = true; break;
      case Effect::SoftOut: plan.soft_reset_out = true; break;
      case Effect::Live:
        if (path == "ao/keychain" || path.starts_with("ao/keychain/")) {
          plan.keys_changed = true;
          if (!keychain_rolls_live(old_n, new_n)) reset = true;
        }
        break;
      case Effect::Decision:
      case Effect::Reset:
      case Effect::Restart: reset = true; break;
    }
  }
  plan.change = reset ? NeighborChange::ResetRequired
                      : (plan.fields.empty() ? NeighborChange::Unchanged : NeighborChange::Soft);
  return plan;
}

}  // namespace

std::span<const FieldRule> neighbor_field_rules() { return kNeighborRules; }
std::span<const FieldRule> global_field_rules() { return kGlobalRules; }

std::optional<Effect> effect_of(std::span<const FieldRule> rules, std::string_view path) {
  const FieldRule* best = nullptr;
  for (const auto& rule : rules) {
    const bool covers = path == rule.path ||
                        (path.starts_with(rule.path) && path.size() > rule.path.size() &&
                         path[rule.path.size()] == '/');
    if (covers && (best == nullptr || rule.path.size() > best->path.size())) best = &rule;
  }
  if (best == nullptr) return std::nullopt;
  return best->effect;
}

bool ReloadPlan::empty() const {
  return restart_fields.empty() && live_fields.empty() && !rerun_decision &&
         changed_policies.empty() && changed_prefix_lists.empty() && networks_added.empty() &&
         networks_removed.empty() && networks_changed.empty() &&
         std::all_of(neighbors.begin(), neighbors.end(), [](const NeighborPlan& n) {
           return n.change == NeighborChange::Unchanged;
         });
}

ReloadPlan plan_reload(const Config& old_config, const Config& new_config) {
  const Json a = to_canonical_json(old_config, Secrets::Reveal);
  const Json b = to_canonical_json(new_config, Secrets::Reveal);
  ReloadPlan plan;
  bool soft_in_all = false;
  apply_global_rules(a.at("global"), b.at("global"), plan, soft_in_all);

  plan.changed_prefix_lists = changed_members(a.at("prefix_lists"), b.at("prefix_lists"));
  plan.changed_policies = changed_members(a.at("policies"), b.at("policies"));
  // A policy whose prefix list changed behaves differently too.
  for (const auto& [name, p] : new_config.policies.policies) {
    if (references(p, plan.changed_prefix_lists) &&
        std::find(plan.changed_policies.begin(), plan.changed_policies.end(), name) ==
            plan.changed_policies.end()) {
      plan.changed_policies.push_back(name);
    }
  }
  std::sort(plan.changed_policies.begin(), plan.changed_policies.end());

  // Neighbors: canonical arrays are in the same (address) order as the
  // configs' vectors, so index i of one is index i of the other.
  std::map<wire::IpAddress, std::size_t> old_index;
  for (std::size_t i = 0; i < old_config.neighbors.size(); ++i) {
    old_index.emplace(old_config.neighbors[i].address, i);
  }
  for (std::size_t i = 0; i < new_config.neighbors.size(); ++i) {
    const NeighborConfig& n = new_config.neighbors[i];
    auto it = old_index.find(n.address);
    NeighborPlan np;
    if (it == old_index.end()) {
      np.change = NeighborChange::Added;
    } else {
      np = compare_neighbor(a.at("neighbors")[it->second], b.at("neighbors")[i]);
      old_index.erase(it);
      uses_changed_policies(n, plan.changed_policies, np);
      if (soft_in_all) np.soft_reset_in = true;
      if (np.change == NeighborChange::Unchanged && (np.soft_reset_in || np.soft_reset_out)) {
        np.change = NeighborChange::Soft;
      }
    }
    np.address = n.address;
    plan.neighbors.push_back(std::move(np));
  }
  for (const auto& [address, index] : old_index) {
    NeighborPlan np;
    np.address = address;
    np.change = NeighborChange::Removed;
    plan.neighbors.push_back(std::move(np));
  }
  std::sort(plan.neighbors.begin(), plan.neighbors.end(),
            [](const NeighborPlan& x, const NeighborPlan& y) { return x.address < y.address; });

  std::map<wire::Prefix, std::size_t> old_networks;
  for (std::size_t i = 0; i < old_config.networks.size(); ++i) {
    old_networks.emplace(old_config.networks[i].prefix, i);
  }
  for (std::size_t i = 0; i < new_config.networks.size(); ++i) {
    const wire::Prefix& prefix = new_config.networks[i].prefix;
    auto it = old_networks.find(prefix);
    if (it == old_networks.end()) {
      plan.networks_added.push_back(prefix);
      continue;
    }
    if (a.at("networks")[it->second] != b.at("networks")[i]) plan.networks_changed.push_back(prefix);
    old_networks.erase(it);
  }
  for (const auto& [prefix, index] : old_networks) plan.networks_removed.push_back(prefix);
  return plan;
}

std::string_view to_string(NeighborChange change) {
  switch (change) {
    case NeighborChange::Unchanged: return "unchanged";
    case NeighborChange::Soft: return "soft";
    case NeighborChange::ResetRequired: return "reset-required";
    case NeighborChange::Added: return "added";
    case NeighborChange::Removed: return "removed";
  }
  return "?";
}

std::string_view to_string(Effect effect) {
  switch (effect) {
    case Effect::Live: return "live";
    case Effect::SoftIn: return "soft-in";
    case Effect::SoftOut: return "soft-out";
    case Effect::Decision: return "decision";
    case Effect::Reset: return "reset";
    case Effect::Restart: return "restart";
  }
  return "?";
}

}  // namespace bgpd::config
