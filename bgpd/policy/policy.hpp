// bgpd/policy/policy.hpp - the import/export policy engine.
//
// Owns: validation of a PolicySet (model.hpp), its compilation (prefix lists
// resolved by name, AS-path regexes compiled once per load, never per
// route), prefix-list matching with ge/le, and the evaluation of a chain of
// policies on one route: (prefix, attributes) -> accept/reject + the
// modified attributes.
// Must not depend on: sockets, Asio, clocks, logging, the RIB or config.
// RFCs: RFC 8212 (default reject for eBGP without policy), RFC 1997 and
// RFC 8092 (communities matched and set), RFC 4271 section 5.1.2 (AS prepend).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "bgpd/policy/model.hpp"
#include "common/expected.hpp"

namespace bgpd::policy {

// One validation problem. The config layer turns (object, name, index,
// field) into a JSON pointer, e.g. /policies/<name>/terms/<index>/match/...
struct PolicyError {
  enum class Object : std::uint8_t { PrefixList, Policy, Chain };
  Object object = Object::Policy;
  std::string name;                  // prefix list, policy, or the chain's policy name
  std::optional<std::size_t> index;  // entry (prefix list), term (policy), position (chain)
  std::string term;                  // the term's name when object == Policy and index is set
  std::string field;                 // "ge", "le", "match.prefix_list", "match.as_path_regex", ...
  std::string message;
  bool operator==(const PolicyError&) const = default;
};

// "policy 'p' term 'deny-long' (#1) match.as_path_regex: ..." for logs and CLI.
std::string to_string(const PolicyError& error);

// Every problem at once (the config layer reports them all): unknown prefix
// lists, invalid regexes, ge/le ranges outside length <= ge <= le <= max
// bits, default_result Continue, duplicate term names.
std::vector<PolicyError> validate(const PolicySet& set);

// Does `entry` cover `prefix` (family, containment and the ge/le range)?
bool entry_covers(const PrefixListEntry& entry, const wire::Prefix& prefix);
// First covering entry decides; it must be a permit. No entry: no match.
bool prefix_list_matches(const PrefixList& list, const wire::Prefix& prefix);

struct CompiledTerm {
  const Term* term = nullptr;
  const PrefixList* prefix_list = nullptr;  // resolved match.prefix_list
  std::optional<std::regex> as_path_regex;  // compiled match.as_path_regex
};

struct CompiledPolicy {
  const Policy* policy = nullptr;
  std::vector<CompiledTerm> terms;
};

// A validated PolicySet with everything resolved; immutable and shared by
// every chain built from it (a reload compiles a new one).
class CompiledPolicySet {
 public:
  static common::Expected<std::shared_ptr<const CompiledPolicySet>, std::vector<PolicyError>>
  compile(PolicySet set);

  CompiledPolicySet(const CompiledPolicySet&) = delete;
  CompiledPolicySet& operator=(const CompiledPolicySet&) = delete;

  const CompiledPolicy* find(const std::string& name) const;
  const PolicySet& source() const { return source_; }

 private:
  explicit CompiledPolicySet(PolicySet set) : source_(std::move(set)) {}

  PolicySet source_;  // CompiledTerm/CompiledPolicy point into it
  std::map<std::string, CompiledPolicy> policies_;
};

enum class Verdict : std::uint8_t { Accept, Reject };

struct EvalContext {
  std::uint32_t local_asn = 0;  // what prepend_count prepends without prepend_asn
};

struct Outcome {
  Verdict verdict = Verdict::Reject;
  // Set when an action ran on an accepted route; otherwise the input
  // attributes stand (copy on write: no copy for routes no action touches).
  std::optional<wire::PathAttributes> modified;
};

// The policies of one neighbor direction, in order. A term that ends in
// Accept or Reject decides at once; a policy whose terms decide nothing
// hands the route (with the actions of its Continue terms applied) to the
// next policy; if none decides, the default_result of the LAST policy does.
class Chain {
 public:
  // RFC 8212 section 3: an eBGP neighbor with no policy imports and exports
  // nothing; iBGP neighbors keep the traditional accept-all.
  static Chain default_for(bool ebgp);
  // Policies by name; an unknown name is an error (object Chain, index =
  // position). An empty list is an error too: use for_neighbor.
  static common::Expected<Chain, std::vector<PolicyError>> make(
      std::shared_ptr<const CompiledPolicySet> set, const std::vector<std::string>& names);
  // The config layer's entry point: no names means default_for(ebgp).
  static common::Expected<Chain, std::vector<PolicyError>> for_neighbor(
      std::shared_ptr<const CompiledPolicySet> set, const std::vector<std::string>& names,
      bool ebgp);

  Outcome evaluate(const wire::Prefix& prefix, const wire::PathAttributes& attrs,
                   const EvalContext& ctx) const;

  // True for an RFC 8212 default chain (no configured policy).
  bool is_default() const { return policies_.empty(); }
  // False when no term looks at the prefix (prefix list, family): then the
  // outcome depends on the attributes alone and callers may memoise it.
  bool depends_on_prefix() const { return depends_on_prefix_; }

 private:
  Chain(std::shared_ptr<const CompiledPolicySet> set, std::vector<const CompiledPolicy*> policies,
        Verdict fallback);

  std::shared_ptr<const CompiledPolicySet> set_;  // keeps policies_ alive
  std::vector<const CompiledPolicy*> policies_;
  Verdict fallback_;
  bool depends_on_prefix_ = false;
};

// Applies one term's actions to `attrs` (exposed for tests and for config
// previews). Communities stay sorted and unique (wire/types.hpp invariant).
void apply_actions(const Actions& actions, wire::PathAttributes& attrs, const EvalContext& ctx);

}  // namespace bgpd::policy
