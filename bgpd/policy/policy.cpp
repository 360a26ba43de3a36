// bgpd/policy/policy.cpp - compilation and evaluation of policy chains.
#include "bgpd/policy/policy.hpp"

#include <algorithm>

namespace bgpd::policy {

namespace {

template <class T>
void insert_sorted_unique(std::vector<T>& values, const T& value) {
  auto it = std::lower_bound(values.begin(), values.end(), value);
  if (it == values.end() || *it != value) values.insert(it, value);
}

template <class T>
bool contains_any(const std::vector<T>& sorted_haystack, const std::vector<T>& needles) {
  return std::any_of(needles.begin(), needles.end(), [&](const T& n) {
    return std::binary_search(sorted_haystack.begin(), sorted_haystack.end(), n);
  });
}

// Per-evaluation state: the route as the terms see it (copy on write).
class RouteView {
 public:
  RouteView(const wire::Prefix& prefix, const wire::PathAttributes& input)
      : prefix_(prefix), input_(input) {}

  const wire::Prefix& prefix() const { return prefix_; }
  const wire::PathAttributes& attrs() const { return modified_ ? *modified_ : input_; }
  wire::PathAttributes& mutable_attrs() {
    if (!modified_) modified_ = input_;
    as_path_text_.reset();
    return *modified_;
  }
  // AsPath::to_string() once per route (and again only after a change).
  const std::string& as_path_text() {
    if (!as_path_text_) as_path_text_ = attrs().as_path.to_string();
    return *as_path_text_;
  }
  std::optional<wire::PathAttributes> take_modified() { return std::move(modified_); }

 private:
  const wire::Prefix& prefix_;
  const wire::PathAttributes& input_;
  std::optional<wire::PathAttributes> modified_;
  std::optional<std::string> as_path_text_;
};

bool has_actions(const Actions& a) {
  return a.set_local_pref || a.set_med || a.set_next_hop || a.clear_communities ||
         !a.remove_communities.empty() || !a.add_communities.empty() ||
         !a.add_large_communities.empty() || a.prepend_count > 0;
}

// All present conditions must hold (model.hpp: logical AND).
bool matches(const CompiledTerm& ct, RouteView& route) {
  const Match& m = ct.term->match;
  const wire::PathAttributes& attrs = route.attrs();
  if (ct.prefix_list && !prefix_list_matches(*ct.prefix_list, route.prefix())) return false;
  if (m.family && route.prefix().family() != *m.family) return false;
  if (m.origin_as && attrs.as_path.origin_as() != m.origin_as) return false;
  if (m.as_path_contains && !attrs.as_path.contains(*m.as_path_contains)) return false;
  if (m.as_path_max_length && attrs.as_path.length() > *m.as_path_max_length) return false;
  if (!m.communities_any.empty() && !contains_any(attrs.communities, m.communities_any)) {
    return false;
  }
  if (!m.large_communities_any.empty() &&
      !contains_any(attrs.large_communities, m.large_communities_any)) {
    return false;
  }
  if (ct.as_path_regex && !std::regex_search(route.as_path_text(), *ct.as_path_regex)) {
    return false;
  }
  return true;
}

Verdict to_verdict(TermResult result) {
  return result == TermResult::Accept ? Verdict::Accept : Verdict::Reject;
}

}  // namespace

void apply_actions(const Actions& a, wire::PathAttributes& attrs, const EvalContext& ctx) {
  if (a.set_local_pref) attrs.local_pref = *a.set_local_pref;
  if (a.set_med) attrs.med = *a.set_med;
  if (a.set_next_hop) attrs.next_hop = *a.set_next_hop;
  // Order: clear, then remove, then add - so "clear + add X" leaves {X}.
  if (a.clear_communities) attrs.communities.clear();
  for (auto c : a.remove_communities) {
    auto it = std::lower_bound(attrs.communities.begin(), attrs.communities.end(), c);
    if (it != attrs.communities.end() && *it == c) attrs.communities.erase(it);
  }
  for (auto c : a.add_communities) insert_sorted_unique(attrs.communities, c);
  for (const auto& lc : a.add_large_communities) insert_sorted_unique(attrs.large_communities, lc);
  // RFC 4271 section 5.1.2: prepending goes to the leftmost AS_SEQUENCE.
  if (a.prepend_count > 0)
    attrs.as_path.prepend(a.prepend_asn.value_or(ctx.local_asn), a.prepend_count);
}

common::Expected<std::shared_ptr<const CompiledPolicySet>, std::vector<PolicyError>>
CompiledPolicySet::compile(PolicySet set) {
  auto errors = validate(set);
  if (!errors.empty()) return common::Unexpected(std::move(errors));
  std::shared_ptr<CompiledPolicySet> out(new CompiledPolicySet(std::move(set)));
  for (const auto& [name, policy] : out->source_.policies) {
    CompiledPolicy cp{&policy, {}};
    cp.terms.reserve(policy.terms.size());
    for (const auto& term : policy.terms) {
      CompiledTerm ct{&term, nullptr, std::nullopt};
      if (term.match.prefix_list)
        ct.prefix_list = &out->source_.prefix_lists.at(*term.match.prefix_list);
      // validate() already proved the pattern compiles.
      if (term.match.as_path_regex) {
        ct.as_path_regex.emplace(*term.match.as_path_regex,
                                 std::regex::ECMAScript | std::regex::optimize);
      }
      cp.terms.push_back(std::move(ct));
    }
    out->policies_.emplace(name, std::move(cp));
  }
  return std::shared_ptr<const CompiledPolicySet>(std::move(out));
}

const CompiledPolicy* CompiledPolicySet::find(const std::string& name) const {
  auto it = policies_.find(name);
  return it == policies_.end() ? nullptr : &it->second;
}

Chain::Chain(std::shared_ptr<const CompiledPolicySet> set,
             std::vector<const CompiledPolicy*> policies, Verdict fallback)
    : set_(std::move(set)), policies_(std::move(policies)), fallback_(fallback) {
  for (const CompiledPolicy* p : policies_) {
    for (const CompiledTerm& ct : p->terms) {
      if (ct.prefix_list || ct.term->match.family) depends_on_prefix_ = true;
    }
  }
}

Chain Chain::default_for(bool ebgp) {
  return Chain(nullptr, {}, ebgp ? Verdict::Reject : Verdict::Accept);
}

common::Expected<Chain, std::vector<PolicyError>> Chain::make(
    std::shared_ptr<const CompiledPolicySet> set, const std::vector<std::string>& names) {
  std::vector<PolicyError> errors;
  std::vector<const CompiledPolicy*> policies;
  if (names.empty()) {
    errors.push_back({PolicyError::Object::Chain, {}, std::nullopt, {}, {}, "empty policy chain"});
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const CompiledPolicy* p = set ? set->find(names[i]) : nullptr;
    if (!p) {
      errors.push_back(
          {PolicyError::Object::Chain, names[i], i, {}, {}, "unknown policy '" + names[i] + "'"});
      continue;
    }
    policies.push_back(p);
  }
  if (!errors.empty()) return common::Unexpected(std::move(errors));
  const Verdict fallback = to_verdict(policies.back()->policy->default_result);
  return Chain(std::move(set), std::move(policies), fallback);
}

common::Expected<Chain, std::vector<PolicyError>> Chain::for_neighbor(
    std::shared_ptr<const CompiledPolicySet> set, const std::vector<std::string>& names,
    bool ebgp) {
  if (names.empty()) return default_for(ebgp);
  return make(std::move(set), names);
}

Outcome Chain::evaluate(const wire::Prefix& prefix, const wire::PathAttributes& attrs,
                        const EvalContext& ctx) const {
  RouteView route(prefix, attrs);
  for (const CompiledPolicy* policy : policies_) {
    for (const CompiledTerm& ct : policy->terms) {
      if (!matches(ct, route)) continue;
      const Term& term = *ct.term;
      if (term.result == TermResult::Reject) return Outcome{Verdict::Reject, std::nullopt};
      if (has_actions(term.actions)) apply_actions(term.actions, route.mutable_attrs(), ctx);
      if (term.result == TermResult::Accept) return Outcome{Verdict::Accept, route.take_modified()};
    }
  }
  if (fallback_ == Verdict::Reject) return Outcome{Verdict::Reject, std::nullopt};
  return Outcome{Verdict::Accept, route.take_modified()};
}

}  // namespace bgpd::policy
