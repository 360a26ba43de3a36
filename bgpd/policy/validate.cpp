// bgpd/policy/validate.cpp - PolicySet validation and prefix-list matching.
#include <set>

#include "bgpd/policy/policy.hpp"

namespace bgpd::policy {

namespace {

std::size_t max_bits(const wire::Prefix& prefix) {
  return prefix.address.size() * 8;
}

// The effective [ge, le] of an entry (model.hpp): exact by default; ge
// alone extends le to the family's maximum.
struct LengthRange {
  std::size_t ge;
  std::size_t le;
};

LengthRange range_of(const PrefixListEntry& entry) {
  const std::size_t ge = entry.ge.value_or(entry.prefix.length);
  std::size_t le = entry.prefix.length;
  if (entry.le) {
    le = *entry.le;
  } else if (entry.ge) {
    le = max_bits(entry.prefix);
  }
  return {ge, le};
}

void check_entry(const std::string& list, std::size_t index, const PrefixListEntry& entry,
                 std::vector<PolicyError>& out) {
  auto error = [&](std::string field, std::string message) {
    out.push_back(
        {PolicyError::Object::PrefixList, list, index, {}, std::move(field), std::move(message)});
  };
  const std::size_t len = entry.prefix.length;
  const std::size_t max = max_bits(entry.prefix);
  if (entry.ge && *entry.ge < len) {
    error("ge", "ge " + std::to_string(*entry.ge) + " is shorter than the prefix length " +
                    std::to_string(len));
  }
  if (entry.ge && *entry.ge > max) {
    error("ge", "ge " + std::to_string(*entry.ge) + " exceeds " + std::to_string(max) + " bits");
  }
  if (entry.le && *entry.le < entry.ge.value_or(entry.prefix.length)) {
    error("le", "le " + std::to_string(*entry.le) + " is shorter than " +
                    (entry.ge ? "ge " + std::to_string(*entry.ge)
                              : "the prefix length " + std::to_string(len)));
  }
  if (entry.le && *entry.le > max) {
    error("le", "le " + std::to_string(*entry.le) + " exceeds " + std::to_string(max) + " bits");
  }
}

void check_policy(const PolicySet& set, const std::string& name, const Policy& policy,
                  std::vector<PolicyError>& out) {
  if (policy.default_result == TermResult::Continue) {
    out.push_back({PolicyError::Object::Policy,
                   name,
                   std::nullopt,
                   {},
                   "default_result",
                   "default_result must be accept or reject"});
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < policy.terms.size(); ++i) {
    const Term& term = policy.terms[i];
    auto error = [&](std::string field, std::string message) {
      out.push_back(
          {PolicyError::Object::Policy, name, i, term.name, std::move(field), std::move(message)});
    };
    if (!seen.insert(term.name).second) error("name", "duplicate term name '" + term.name + "'");
    if (term.match.prefix_list && set.prefix_lists.count(*term.match.prefix_list) == 0) {
      error("match.prefix_list", "unknown prefix list '" + *term.match.prefix_list + "'");
    }
    if (term.match.as_path_regex) {
      // Config load is the one place exceptions are allowed; std::regex
      // reports a bad pattern only by throwing, so turn it into an error.
      try {
        std::regex compiled(*term.match.as_path_regex, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        error("match.as_path_regex",
              "invalid regular expression '" + *term.match.as_path_regex + "': " + e.what());
      }
    }
  }
}

const char* object_name(PolicyError::Object object) {
  switch (object) {
    case PolicyError::Object::PrefixList:
      return "prefix list";
    case PolicyError::Object::Policy:
      return "policy";
    case PolicyError::Object::Chain:
      return "chain";
  }
  return "?";
}

}  // namespace

std::string to_string(const PolicyError& error) {
  std::string out = std::string(object_name(error.object)) + " '" + error.name + "'";
  if (error.index) {
    out += error.term.empty()
               ? " #" + std::to_string(*error.index)
               : " term '" + error.term + "' (#" + std::to_string(*error.index) + ")";
  }
  if (!error.field.empty()) out += " " + error.field;
  return out + ": " + error.message;
}

std::vector<PolicyError> validate(const PolicySet& set) {
  std::vector<PolicyError> out;
  for (const auto& [name, list] : set.prefix_lists) {
    for (std::size_t i = 0; i < list.entries.size(); ++i)
      check_entry(name, i, list.entries[i], out);
  }
  for (const auto& [name, policy] : set.policies) check_policy(set, name, policy, out);
  return out;
}

bool entry_covers(const PrefixListEntry& entry, const wire::Prefix& prefix) {
  if (!entry.prefix.contains(prefix)) return false;  // also checks the family
  const LengthRange range = range_of(entry);
  return prefix.length >= range.ge && prefix.length <= range.le;
}

bool prefix_list_matches(const PrefixList& list, const wire::Prefix& prefix) {
  for (const auto& entry : list.entries) {
    if (entry_covers(entry, prefix)) return entry.permit;
  }
  return false;
}

}  // namespace bgpd::policy
