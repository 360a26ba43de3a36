// aotls/rekey/static_chain.hpp - a static key chain rolling over on a live
// connection (profile section 4, "Static key chains follow the same rule").
//
// A pure machine (time passed in): the shell gives it the chain as
// configured (a reload replaces it) and, on a timer, the wall-clock time
// for the lifetimes and a poll of the backend. It answers with backend
// calls, make-before-break:
//  - every key inside its send or accept lifetime is installed (RFC 8177
//    style lifetimes, seconds since the epoch, either end open);
//  - RNextKeyID names the RecvID of the preferred receive key, the newest
//    inside its accept lifetime, and a change is kicked (a segment must
//    carry it: the peer's stack then switches its send key, RFC 5925
//    section 7.5.2 as Linux applies it); nothing forces our own send key;
//  - a key outside both lifetimes, or gone from the chain, is deleted once
//    it is neither Current_key nor RNext_key and its good-segment count has
//    stood still for the hold-down max(3 x RTO, 2 s), so late segments under
//    it still verify.
// With no key inside any lifetime nothing is deleted: the connection keeps
// what protects it, and status() says so.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "aotls/crypto/secret.hpp"
#include "aotls/keys/key_events.hpp"
#include "aotls/keys/key_table.hpp"
#include "aotls/rekey/rekey_events.hpp"

namespace aotls::rekey {

// A lifetime in seconds since the epoch; an unset end is open.
struct KeyLifetime {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  bool contains(std::int64_t now) const {
    return (!start || *start <= now) && (!end || now < *end);
  }
};

// One configured MKT of the chain. The secret is shared with the
// configuration and copied only into an InstallKey.
struct ChainKey {
  keys::KeyId send_id = 0;
  keys::KeyId recv_id = 0;
  keys::MktParams params;
  std::shared_ptr<const crypto::Secret> secret;
  KeyLifetime send;
  KeyLifetime accept;
};

struct StaticChainStatus {
  std::optional<keys::KeyId> preferred_recv_id;  // what RNextKeyID asks for
  std::uint64_t rnext_changes = 0;               // rollovers this side asked for
  bool no_valid_key = false;                     // no key inside any lifetime
};

class StaticChain {
 public:
  explicit StaticChain(std::vector<ChainKey> chain) : chain_(std::move(chain)) {}

  // A reload's chain: new keys go in at the next update, removed ones retire.
  void set_chain(std::vector<ChainKey> chain) { chain_ = std::move(chain); }

  // unix_now decides the lifetimes; poll is the backend's state (its `now`,
  // steady, times the hold-down).
  RekeyActions update(std::int64_t unix_now, const keys::BackendPolled& poll);

  StaticChainStatus status() const { return status_; }

 private:
  using Ids = std::pair<keys::KeyId, keys::KeyId>;
  struct Quiet {
    std::uint64_t good = 0;
    keys::TimePoint since;
  };

  const ChainKey* preferred(std::int64_t unix_now) const;
  bool wanted(const Ids& ids, std::int64_t unix_now) const;

  std::vector<ChainKey> chain_;
  std::map<Ids, Quiet> retiring_;
  StaticChainStatus status_;
};

}  // namespace aotls::rekey
