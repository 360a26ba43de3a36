// aotls/rekey/static_chain.cpp - see static_chain.hpp.
#include "aotls/rekey/static_chain.hpp"

#include <algorithm>

namespace aotls::rekey {
namespace {

keys::Mkt mkt_of(const ChainKey& key) {
  keys::Mkt mkt;
  mkt.send_id = key.send_id;
  mkt.recv_id = key.recv_id;
  mkt.params = key.params;
  mkt.secret = crypto::Secret(key.secret->bytes());
  return mkt;
}

bool usable(const ChainKey& key, std::int64_t unix_now) {
  return key.send.contains(unix_now) || key.accept.contains(unix_now);
}

}  // namespace

// Profile section 4: the newest key inside its accept lifetime (the later
// one in the chain when two start together).
const ChainKey* StaticChain::preferred(std::int64_t unix_now) const {
  const ChainKey* best = nullptr;
  for (const ChainKey& key : chain_) {
    if (!key.accept.contains(unix_now)) continue;
    if (!best || key.accept.start.value_or(0) >= best->accept.start.value_or(0)) best = &key;
  }
  return best;
}

bool StaticChain::wanted(const Ids& ids, std::int64_t unix_now) const {
  return std::any_of(chain_.begin(), chain_.end(), [&](const ChainKey& key) {
    return Ids{key.send_id, key.recv_id} == ids && usable(key, unix_now);
  });
}

RekeyActions StaticChain::update(std::int64_t unix_now, const keys::BackendPolled& poll) {
  RekeyActions actions;
  auto installed = [&](const ChainKey& key) {
    return std::any_of(poll.keys.begin(), poll.keys.end(), [&](const keys::KeyCounter& k) {
      return k.send_id == key.send_id && k.recv_id == key.recv_id;
    });
  };
  // Make before break: what is coming goes in before anything goes out.
  for (const ChainKey& key : chain_) {
    if (usable(key, unix_now) && !installed(key)) actions.emplace_back(keys::InstallKey{mkt_of(key)});
  }
  const ChainKey* best = preferred(unix_now);
  status_.no_valid_key = best == nullptr;
  if (best) {
    status_.preferred_recv_id = best->recv_id;
    if (poll.rnext_key != best->recv_id) {
      actions.emplace_back(keys::SetRNext{best->recv_id});
      actions.emplace_back(Kick{});
      ++status_.rnext_changes;
    }
  }
  // With no valid key, keep everything: deleting would leave the
  // connection without protection or without a key the peer sends under.
  if (!best) return actions;
  for (const keys::KeyCounter& key : poll.keys) {
    const Ids ids{key.send_id, key.recv_id};
    const bool blocked = poll.current_key == key.send_id || poll.rnext_key == key.recv_id ||
                         best->recv_id == key.recv_id;
    if (wanted(ids, unix_now) || blocked) {
      retiring_.erase(ids);
      continue;
    }
    auto [entry, fresh] = retiring_.try_emplace(ids, Quiet{key.pkt_good, poll.now});
    if (!fresh && entry->second.good != key.pkt_good) entry->second = Quiet{key.pkt_good, poll.now};
    if (poll.now - entry->second.since >= keys::hold_down(poll.rto)) {
      actions.emplace_back(keys::DeleteKey{key.send_id, key.recv_id});
      retiring_.erase(entry);
    }
  }
  return actions;
}

}  // namespace aotls::rekey
