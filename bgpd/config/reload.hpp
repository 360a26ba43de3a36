// bgpd/config/reload.hpp - what a configuration reload must do.
//
// Owns: diff(old, new) -> ReloadPlan, and the tables saying how each field
// takes effect (live, soft reset in/out, session reset, daemon restart);
// docs/configuration.md's "reload" column is these tables. Pure: the daemon
// executes the plan (RFC 2918 / RFC 7313 route refresh for soft-in when the
// peer supports it, re-evaluation of Adj-RIB-In otherwise).
// Must not depend on session, api, daemon or Asio.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgpd/config/model.hpp"

namespace bgpd::config {

// How a changed field takes effect.
enum class Effect : std::uint8_t {
  Live,      // applied without touching sessions (description, timers of the next attempt)
  SoftIn,    // re-run import policy: route refresh / Adj-RIB-In re-evaluation
  SoftOut,   // re-run export policy and re-advertise
  Decision,  // re-run the decision process over Loc-RIB
  Reset,     // the session must be torn down and re-established
  Restart,   // the daemon must restart (listener, identity, AO backend)
};

// A field path relative to its section ("ao/keychain", "listen/port"); a
// rule for "tls" covers "tls/mode" and every other path below it.
struct FieldRule {
  std::string_view path;
  Effect effect;
};

std::span<const FieldRule> neighbor_field_rules();
std::span<const FieldRule> global_field_rules();
// The rule for `path` (exact or nearest ancestor); nullopt if none.
std::optional<Effect> effect_of(std::span<const FieldRule> rules, std::string_view path);

enum class NeighborChange : std::uint8_t { Unchanged, Soft, ResetRequired, Added, Removed };

struct NeighborPlan {
  wire::IpAddress address;
  NeighborChange change = NeighborChange::Unchanged;
  bool soft_reset_in = false;
  bool soft_reset_out = false;
  bool keys_changed = false;  // ao/keychain: install/retire static keys live
  std::vector<std::string> fields;    // changed neighbor fields, e.g. "ao/mode"
  std::vector<std::string> policies;  // changed policies in its import/export
};

struct ReloadPlan {
  std::vector<std::string> restart_fields;  // global paths that need a restart
  std::vector<std::string> live_fields;     // global paths applied live
  bool rerun_decision = false;
  std::vector<NeighborPlan> neighbors;        // old and new, sorted by address
  std::vector<std::string> changed_policies;  // added, removed or modified
  std::vector<std::string> changed_prefix_lists;
  std::vector<wire::Prefix> networks_added;
  std::vector<wire::Prefix> networks_removed;
  std::vector<wire::Prefix> networks_changed;

  bool restart_required() const { return !restart_fields.empty(); }
  // Nothing to do at all.
  bool empty() const;
};

ReloadPlan plan_reload(const Config& old_config, const Config& new_config);

std::string_view to_string(NeighborChange change);
std::string_view to_string(Effect effect);

}  // namespace bgpd::config
