// bgpd/policy/model.hpp - the data model of import/export policy.
//
// Owns: what config parses policy JSON into and what the policy engine
// evaluates. Plain values, no behaviour; the engine lives in policy.hpp.
// RFC 8212: an eBGP neighbor with no policy imports and exports nothing; the
// config layer records whether a neighbor had a policy at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bgpd/wire/types.hpp"

namespace bgpd::policy {

// One line of a prefix list: matches a route whose prefix lies inside
// `prefix` and whose length is within [ge, le] (both default to
// prefix.length, i.e. an exact match, as in the usual router syntax).
// As in that syntax, `ge` given alone opens the range up to the family's
// maximum length (32 or 128): "10.0.0.0/8 ge 24" matches /24../32 inside
// 10/8. Valid ranges: length <= ge <= le <= max bits (policy::validate).
struct PrefixListEntry {
  wire::Prefix prefix;
  std::optional<std::uint8_t> ge;
  std::optional<std::uint8_t> le;
  bool permit = true;
};

// First matching entry decides; no match means "does not match".
struct PrefixList {
  std::string name;
  std::vector<PrefixListEntry> entries;
};

// All present conditions must hold (logical AND); an empty Match matches all.
struct Match {
  std::optional<std::string> prefix_list;  // name of a PrefixList
  std::optional<wire::Afi> family;
  // ECMAScript regex searched in AsPath::to_string() ("65001 65002 {65003}").
  std::optional<std::string> as_path_regex;
  std::optional<std::uint32_t> origin_as;
  std::optional<std::uint32_t> as_path_contains;
  std::optional<std::size_t> as_path_max_length;
  std::vector<wire::Community> communities_any;             // any one present
  std::vector<wire::LargeCommunity> large_communities_any;  // any one present
};

struct Actions {
  std::optional<std::uint32_t> set_local_pref;
  std::optional<std::uint32_t> set_med;
  std::optional<wire::IpAddress> set_next_hop;
  bool clear_communities = false;
  std::vector<wire::Community> remove_communities;
  std::vector<wire::Community> add_communities;
  std::vector<wire::LargeCommunity> add_large_communities;
  std::uint8_t prepend_count = 0;  // prepend the local AS (or prepend_asn) n times
  std::optional<std::uint32_t> prepend_asn;
};

enum class TermResult : std::uint8_t {
  Accept,    // apply actions, stop, accept
  Reject,    // stop, reject
  Continue,  // apply actions, go on with the next term
};

struct Term {
  std::string name;
  Match match;
  Actions actions;
  TermResult result = TermResult::Accept;
};

// Terms in order; a route that no Accept/Reject term ends is decided by
// default_result (Accept or Reject only).
struct Policy {
  std::string name;
  std::vector<Term> terms;
  TermResult default_result = TermResult::Reject;
};

// Everything named, as the config defines it.
struct PolicySet {
  std::map<std::string, PrefixList> prefix_lists;
  std::map<std::string, Policy> policies;
};

}  // namespace bgpd::policy
