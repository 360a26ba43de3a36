// bgpd/config/policy.cpp - "prefix_lists" and "policies" into policy::PolicySet.
//
// Validates what the policy engine relies on: referenced prefix lists
// exist, ge/le ranges are consistent, AS path regexes compile (std::regex,
// ECMAScript, as the engine evaluates them) and stay cheap to build.
#include <algorithm>
#include <limits>
#include <map>
#include <regex>

#include "bgpd/config/parse.hpp"

namespace bgpd::config::detail {
namespace {

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMaxRegexLength = 256;
// std::regex expands a{n,m} into copies of the automaton; the product of
// all bounds is an upper bound on that growth (nested or not).
constexpr std::uint64_t kMaxRegexRepetition = 1000;

// The product of the largest number inside every {...} of the pattern
// (escaped braces skipped), saturating at kMaxRegexRepetition + 1.
std::uint64_t repetition_product(std::string_view pattern) {
  std::uint64_t product = 1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    std::uint64_t largest = 0;
    std::uint64_t current = 0;
    for (++i; i < pattern.size() && pattern[i] != '}'; ++i) {
      if (pattern[i] >= '0' && pattern[i] <= '9') {
        current = std::min<std::uint64_t>(current * 10 + static_cast<std::uint64_t>(pattern[i] - '0'),
                                          kMaxRegexRepetition + 1);
      } else {
        current = 0;
      }
      largest = std::max(largest, current);
    }
    product = std::min(product * std::max<std::uint64_t>(largest, 1), kMaxRegexRepetition + 1);
  }
  return product;
}

std::optional<std::string> to_regex(const Json& v, const std::string& ptr, Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  if (text->size() > kMaxRegexLength) {
    errors.add(ptr, "longer than " + std::to_string(kMaxRegexLength) + " characters");
    return std::nullopt;
  }
  if (repetition_product(*text) > kMaxRegexRepetition) {
    errors.add(ptr, "repetition bounds {n,m} multiply to more than " +
                        std::to_string(kMaxRegexRepetition));
    return std::nullopt;
  }
  try {
    std::regex compiled(*text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    errors.add(ptr, std::string("not a valid ECMAScript regex: ") + e.what());
    return std::nullopt;
  }
  return text;
}

std::optional<policy::PrefixListEntry> parse_prefix_entry(const Json& value,
                                                          const std::string& ptr,
                                                          Errors& errors) {
  ObjectReader r(value, ptr, errors);
  auto prefix = r.get_required("prefix", to_prefix);
  auto ge = r.get("ge", uint_in<std::uint8_t>(0, 128));
  auto le = r.get("le", uint_in<std::uint8_t>(0, 128));
  const bool permit = r.get("action", one_of(kPrefixListActions)).value_or(true);
  r.finish();
  if (!prefix) return std::nullopt;
  const auto max = static_cast<std::uint8_t>(prefix->address.size() * 8);
  bool ok = true;
  auto check = [&](const std::optional<std::uint8_t>& bound, std::string_view key) {
    if (bound && (*bound < prefix->length || *bound > max)) {
      errors.add(r.at(key), "must be between the prefix length " +
                                std::to_string(prefix->length) + " and " + std::to_string(max));
      ok = false;
    }
  };
  check(ge, "ge");
  check(le, "le");
  if (ok && ge && le && *ge > *le) {
    errors.add(r.at("le"), "le " + std::to_string(*le) + " is below ge " + std::to_string(*ge));
    ok = false;
  }
  if (!ok) return std::nullopt;
  // Usual router semantics, resolved here so the engine sees no half-set
  // range: "ge" alone reaches up to the host length, "le" alone starts at
  // the prefix length; neither means an exact match.
  policy::PrefixListEntry entry{*prefix, ge, le, permit};
  if (ge && !le) entry.le = max;
  if (le && !ge) entry.ge = prefix->length;
  return entry;
}

policy::Match parse_match(const Json& value, const std::string& ptr,
                          const policy::PolicySet& set, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  policy::Match m;
  m.prefix_list = r.get("prefix_list", to_name);
  if (m.prefix_list && set.prefix_lists.count(*m.prefix_list) == 0) {
    errors.add(r.at("prefix_list"), "unknown prefix list '" + *m.prefix_list + "'");
  }
  m.family = r.get("family", one_of(kAfis));
  m.as_path_regex = r.get("as_path_regex", to_regex);
  m.origin_as = r.get("origin_as", uint_in<std::uint32_t>(0, kU32));
  m.as_path_contains = r.get("as_path_contains", uint_in<std::uint32_t>(0, kU32));
  m.as_path_max_length = r.get("as_path_max_length", uint_in<std::size_t>(0, 65535));
  m.communities_any = r.get("communities_any", unique_list_of(to_community))
                          .value_or(std::vector<wire::Community>{});
  m.large_communities_any = r.get("large_communities_any", unique_list_of(to_large_community))
                                .value_or(std::vector<wire::LargeCommunity>{});
  r.finish();
  return m;
}

policy::Actions parse_set(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  policy::Actions a;
  a.set_local_pref = r.get("local_pref", uint_in<std::uint32_t>(0, kU32));
  a.set_med = r.get("med", uint_in<std::uint32_t>(0, kU32));
  a.set_next_hop = r.get("next_hop", to_address);
  a.clear_communities = r.get("clear_communities", to_bool).value_or(false);
  a.remove_communities = r.get("remove_communities", unique_list_of(to_community))
                             .value_or(std::vector<wire::Community>{});
  a.add_communities = r.get("add_communities", unique_list_of(to_community))
                          .value_or(std::vector<wire::Community>{});
  a.add_large_communities = r.get("add_large_communities", unique_list_of(to_large_community))
                                .value_or(std::vector<wire::LargeCommunity>{});
  a.prepend_count = r.get("prepend_count", uint_in<std::uint8_t>(0, 32)).value_or(0);
  a.prepend_asn = r.get("prepend_asn", to_asn);
  if (a.prepend_asn && a.prepend_count == 0) {
    errors.add(r.at("prepend_asn"), "has no effect without prepend_count >= 1");
  }
  r.finish();
  return a;
}

policy::Term parse_term(const Json& value, const std::string& ptr, const policy::PolicySet& set,
                        Errors& errors) {
  ObjectReader r(value, ptr, errors);
  policy::Term term;
  term.name = r.get_required("name", to_name).value_or("");
  if (const Json* v = r.find("match")) term.match = parse_match(*v, r.at("match"), set, errors);
  if (const Json* v = r.find("set")) term.actions = parse_set(*v, r.at("set"), errors);
  term.result = r.get("action", one_of(kTermActions)).value_or(policy::TermResult::Accept);
  r.finish();
  return term;
}

policy::Policy parse_policy(const std::string& name, const Json& value, const std::string& ptr,
                            const policy::PolicySet& set, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  policy::Policy p;
  p.name = name;
  std::map<std::string, std::string> term_names;
  if (const Json* v = r.find("terms")) {
    for_each_element(*v, r.at("terms"), errors,
                     [&](const Json& e, const std::string& term_ptr, std::size_t) {
                       p.terms.push_back(parse_term(e, term_ptr, set, errors));
                       const std::string& term_name = p.terms.back().name;
                       if (term_name.empty()) return;
                       auto [it, inserted] = term_names.emplace(term_name, term_ptr);
                       if (!inserted) {
                         errors.add(child_pointer(term_ptr, "name"),
                                    "duplicate term name, already used by " + it->second);
                       }
                     });
  }
  p.default_result =
      r.get("default", one_of(kDefaultActions)).value_or(policy::TermResult::Reject);
  r.finish();
  return p;
}

// Calls f(name, value, pointer) for each member with a valid name.
template <class F>
void for_each_named(const Json* section, const std::string& ptr, Errors& errors, F&& f) {
  if (section == nullptr) return;
  if (!section->is_object()) {
    type_error(*section, ptr, errors, "an object of names");
    return;
  }
  for (const auto& [name, value] : section->items()) {
    const std::string member_ptr = child_pointer(ptr, name);
    if (!valid_name(name)) {
      errors.add(member_ptr, "names are 1 to 64 characters of A-Z a-z 0-9 _ - .");
      continue;
    }
    f(name, value, member_ptr);
  }
}

}  // namespace

policy::PolicySet parse_policy_set(const Json* prefix_lists, const Json* policies,
                                   Errors& errors) {
  policy::PolicySet set;
  for_each_named(prefix_lists, "/prefix_lists", errors,
                 [&](const std::string& name, const Json& value, const std::string& ptr) {
                   policy::PrefixList list{name, {}};
                   for_each_element(value, ptr, errors,
                                    [&](const Json& e, const std::string& p, std::size_t) {
                                      if (auto entry = parse_prefix_entry(e, p, errors)) {
                                        list.entries.push_back(*entry);
                                      }
                                    });
                   set.prefix_lists.emplace(name, std::move(list));
                 });
  for_each_named(policies, "/policies", errors,
                 [&](const std::string& name, const Json& value, const std::string& ptr) {
                   set.policies.emplace(name, parse_policy(name, value, ptr, set, errors));
                 });
  return set;
}

}  // namespace bgpd::config::detail
