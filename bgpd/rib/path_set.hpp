// bgpd/rib/path_set.hpp - the candidate paths of one prefix.
//
// Owns: the per-prefix storage of the post-policy Adj-RIB-In of every peer
// (one Path per source, RFC 4271 section 3.2: a new route from a peer
// replaces its previous one) with the Loc-RIB best path kept first.
// Layout: most prefixes have a single path, so it is stored inline (16
// bytes) and further paths go to a vector allocated only when needed; an
// entry costs 24 bytes plus the hash node.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "bgpd/rib/route.hpp"

namespace bgpd::rib {

class PathSet {
 public:
  enum class Change : std::uint8_t { Added, Replaced, Unchanged };

  bool empty() const { return !first_.attrs; }
  std::size_t size() const { return empty() ? 0 : 1 + (rest_ ? rest_->size() : 0); }
  // Index 0 is the best path once the decision process has run (select()).
  const Path& operator[](std::size_t i) const { return i == 0 ? first_ : (*rest_)[i - 1]; }
  const Path& best() const { return first_; }

  const Path* find(PeerId source) const {
    for (std::size_t i = 0; i < size(); ++i) {
      if ((*this)[i].source == source) return &(*this)[i];
    }
    return nullptr;
  }

  Change upsert(PeerId source, AttrHandle attrs) {
    for (std::size_t i = 0; i < size(); ++i) {
      Path& p = at(i);
      if (p.source != source) continue;
      if (p.attrs == attrs) return Change::Unchanged;
      p.attrs = std::move(attrs);
      return Change::Replaced;
    }
    if (empty()) {
      first_ = Path{source, std::move(attrs)};
    } else {
      if (!rest_) rest_ = std::make_unique<std::vector<Path>>();
      rest_->push_back(Path{source, std::move(attrs)});
    }
    return Change::Added;
  }

  bool remove(PeerId source) {
    for (std::size_t i = 0; i < size(); ++i) {
      if (at(i).source != source) continue;
      if (rest_ && !rest_->empty()) {
        at(i) = std::move(rest_->back());
        rest_->pop_back();
        if (rest_->empty()) rest_.reset();
      } else {
        first_ = Path{};
      }
      return true;
    }
    return false;
  }

  // Makes path `i` the first (best) one.
  void select(std::size_t i) {
    if (i != 0) std::swap(first_, at(i));
  }

 private:
  Path& at(std::size_t i) { return i == 0 ? first_ : (*rest_)[i - 1]; }

  Path first_;
  std::unique_ptr<std::vector<Path>> rest_;
};

}  // namespace bgpd::rib
