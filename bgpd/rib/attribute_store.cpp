// bgpd/rib/attribute_store.cpp - hash-consing of path attribute sets.
#include "bgpd/rib/attribute_store.hpp"

#include <memory>
#include <utility>

namespace bgpd::rib {

AttributeStore::~AttributeStore() {
  // Surviving handles free their node on their last release.
  for (auto* node : nodes_) node->store = nullptr;
}

template <class A>
AttrHandle AttributeStore::intern_impl(A&& attrs) {
  const std::size_t hash = wire::hash_value(attrs);
  auto it = nodes_.find(Probe{&attrs, hash});
  if (it != nodes_.end()) return AttrHandle(*it);
  auto node = std::make_unique<detail::InternedAttributes>(
      detail::InternedAttributes{std::forward<A>(attrs), hash, 0, this});
  nodes_.insert(node.get());
  return AttrHandle(node.release());
}

AttrHandle AttributeStore::intern(const wire::PathAttributes& attrs) {
  return intern_impl(attrs);
}

AttrHandle AttributeStore::intern(wire::PathAttributes&& attrs) {
  return intern_impl(std::move(attrs));
}

void AttributeStore::release(detail::InternedAttributes* node) {
  nodes_.erase(node);
  delete node;
}

}  // namespace bgpd::rib
