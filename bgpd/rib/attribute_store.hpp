// bgpd/rib/attribute_store.hpp - interned, shared, immutable path attributes.
//
// Owns: the one copy of each distinct PathAttributes value held by the RIB.
// A full table has ~1 distinct attribute set per 10-15 prefixes (the
// prefixes of one UPDATE share one set, RFC 4271 section 4.3), so routes
// hold an 8-byte AttrHandle instead of a copy; equal handles mean equal
// attributes, which also lets Adj-RIB-Out group prefixes per UPDATE.
// Must not depend on: policy, sockets, Asio, clocks, logging.
//
// Threading: the reference count is not atomic. Handles belong to the RIB's
// strand; values that cross to another strand are copied (OutboundBatch
// carries shared_ptr<const PathAttributes>, not handles).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_set>

#include "bgpd/wire/types.hpp"

namespace bgpd::rib {

class AttributeStore;

namespace detail {
struct InternedAttributes {
  wire::PathAttributes value;
  std::size_t hash = 0;
  std::uint32_t refs = 0;
  AttributeStore* store = nullptr;  // null once the store is gone
};
}  // namespace detail

// A counted reference to an interned attribute set; null by default.
class AttrHandle {
 public:
  AttrHandle() = default;
  AttrHandle(const AttrHandle& other) : node_(other.node_) { retain(); }
  AttrHandle(AttrHandle&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  AttrHandle& operator=(const AttrHandle& other) {
    if (node_ != other.node_) {
      AttrHandle copy(other);
      swap(copy);
    }
    return *this;
  }
  AttrHandle& operator=(AttrHandle&& other) noexcept {
    AttrHandle moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~AttrHandle() { reset(); }

  void reset();
  void swap(AttrHandle& other) noexcept { std::swap(node_, other.node_); }

  explicit operator bool() const { return node_ != nullptr; }
  const wire::PathAttributes& operator*() const { return node_->value; }
  const wire::PathAttributes* operator->() const { return &node_->value; }
  const wire::PathAttributes* get() const { return node_ ? &node_->value : nullptr; }
  // Live references to this set (for tests and memory accounting).
  std::uint32_t use_count() const { return node_ ? node_->refs : 0; }

  // Interned: same set <=> same node, so identity is value equality.
  friend bool operator==(const AttrHandle& a, const AttrHandle& b) { return a.node_ == b.node_; }

  struct Hash {
    std::size_t operator()(const AttrHandle& h) const noexcept {
      return std::hash<const void*>{}(h.node_);
    }
  };

 private:
  friend class AttributeStore;
  explicit AttrHandle(detail::InternedAttributes* node) : node_(node) { retain(); }
  void retain() {
    if (node_) ++node_->refs;
  }

  detail::InternedAttributes* node_ = nullptr;
};

class AttributeStore {
 public:
  AttributeStore() = default;
  // Handles may outlive the store (they then free their set themselves),
  // but that is a wiring mistake; the RIB declares its store first.
  ~AttributeStore();
  AttributeStore(const AttributeStore&) = delete;
  AttributeStore& operator=(const AttributeStore&) = delete;

  // The handle of the stored set equal to `attrs`, stored now if new.
  AttrHandle intern(const wire::PathAttributes& attrs);
  AttrHandle intern(wire::PathAttributes&& attrs);

  // Distinct attribute sets alive.
  std::size_t size() const { return nodes_.size(); }

 private:
  friend class AttrHandle;
  void release(detail::InternedAttributes* node);

  struct Probe {
    const wire::PathAttributes* value;
    std::size_t hash;
  };
  struct NodeHash {
    using is_transparent = void;
    std::size_t operator()(const detail::InternedAttributes* n) const noexcept { return n->hash; }
    std::size_t operator()(const Probe& p) const noexcept { return p.hash; }
  };
  struct NodeEq {
    using is_transparent = void;
    bool operator()(const detail::InternedAttributes* a,
                    const detail::InternedAttributes* b) const {
      return a == b;
    }
    bool operator()(const Probe& p, const detail::InternedAttributes* n) const {
      return p.hash == n->hash && *p.value == n->value;
    }
    bool operator()(const detail::InternedAttributes* n, const Probe& p) const {
      return (*this)(p, n);
    }
  };

  template <class A>
  AttrHandle intern_impl(A&& attrs);

  std::unordered_set<detail::InternedAttributes*, NodeHash, NodeEq> nodes_;
};

inline void AttrHandle::reset() {
  if (node_ && --node_->refs == 0) {
    if (node_->store) {
      node_->store->release(node_);
    } else {
      delete node_;
    }
  }
  node_ = nullptr;
}

}  // namespace bgpd::rib
