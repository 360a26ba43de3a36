#include "aotls/keys/key_table.hpp"

#include <algorithm>
#include <utility>

namespace aotls::keys {

namespace {

KeyError to_key_error(MktError error) {
  return error == MktError::MixedAlgorithms ? KeyError::MixedAlgorithms : KeyError::EmptySecret;
}

const KeyCounter* find_counter(const std::vector<KeyCounter>& counters, const KeyRecord& key) {
  const auto it = std::find_if(counters.begin(), counters.end(), [&](const KeyCounter& counter) {
    return counter.send_id == key.send_id && counter.recv_id == key.recv_id;
  });
  return it == counters.end() ? nullptr : &*it;
}

}  // namespace

Duration hold_down(Duration rto) {
  return std::max(kHoldDownRtoFactor * rto, kMinHoldDown);
}

std::string_view to_string(KeyError error) {
  switch (error) {
    case KeyError::OutOfOrder:
      return "event out of order";
    case KeyError::UnexpectedGeneration:
      return "secrets for an unexpected generation";
    case KeyError::MixedAlgorithms:
      return "MAC and KDF algorithms do not form a supported pair";
    case KeyError::EmptySecret:
      return "empty master key";
  }
  return "unknown key error";
}

void KeyTable::add(const Mkt& mkt) {
  KeyRecord record;
  record.send_id = mkt.send_id;
  record.recv_id = mkt.recv_id;
  record.generation = mkt.generation;
  record.use = mkt.use_by(side_);
  keys_.push_back(record);
}

common::Expected<KeyActions, KeyError> KeyTable::install(SecretsDerived&& secrets) {
  const Generation g = secrets.generation;
  auto c2s = make_derived_mkt(Direction::ClientToServer, g, secrets.client_to_server.params,
                              std::move(secrets.client_to_server.secret));
  if (!c2s) return common::Unexpected(to_key_error(c2s.error()));
  auto s2c = make_derived_mkt(Direction::ServerToClient, g, secrets.server_to_client.params,
                              std::move(secrets.server_to_client.secret));
  if (!s2c) return common::Unexpected(to_key_error(s2c.error()));

  Mkt& send = side_ == Side::Client ? *c2s : *s2c;
  Mkt& receive = side_ == Side::Client ? *s2c : *c2s;
  add(send);
  add(receive);
  KeyActions actions;
  if (side_ == Side::Server) {
    actions.emplace_back(InstallKey{std::move(receive)});
    actions.emplace_back(InstallKey{std::move(send)});
  } else {
    actions.emplace_back(InstallKey{std::move(send)});
    actions.emplace_back(InstallKey{std::move(receive)});
  }
  return actions;
}

void KeyTable::retire_older_than(Generation g) {
  for (KeyRecord& key : keys_) {
    if (key.generation < g && key.state == KeyState::Active) key.state = KeyState::Retiring;
  }
}

void KeyTable::observe(const BackendPolled& poll) {
  current_key_ = poll.current_key;
  rnext_key_ = poll.rnext_key;
  std::erase_if(keys_, [&](KeyRecord& key) {
    const KeyCounter* counter = find_counter(poll.keys, key);
    if (key.state == KeyState::Deleting) {
      if (counter == nullptr) return true;
      // Still there: the delete was refused (EBUSY when a stale RNextKeyID
      // moved Current_key back onto it). Retire it again from scratch.
      key.state = KeyState::Retiring;
      key.quiet_since.reset();
    }
    if (counter != nullptr) {
      if (key.pkt_good != counter->pkt_good) key.quiet_since.reset();
      key.pkt_good = counter->pkt_good;
    }
    return false;
  });
  for (KeyRecord& key : keys_) {
    if (key.state != KeyState::Retiring) continue;
    if (retirement_blocked(key)) {
      key.quiet_since.reset();
    } else if (!key.quiet_since) {
      key.quiet_since = poll.now;
    }
  }
}

KeyActions KeyTable::due_deletions(TimePoint now, Duration rto) {
  KeyActions actions;
  const Duration hold = hold_down(rto);
  for (KeyRecord& key : keys_) {
    // quiet_since is set only while nothing but the hold-down blocks it. A
    // pure send key needs no hold-down (profile section 4: delete it as soon
    // as Current_key is off it); only receiving keys wait for stragglers.
    if (key.state != KeyState::Retiring || !key.quiet_since) continue;
    if (key.use != KeyUse::Send && now - *key.quiet_since < hold) continue;
    actions.emplace_back(DeleteKey{key.send_id, key.recv_id});
    key.state = KeyState::Deleting;
  }
  return actions;
}

bool KeyTable::holds_older_than(Generation g) const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const KeyRecord& key) { return key.generation < g; });
}

bool KeyTable::retiring() const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [](const KeyRecord& key) { return key.state != KeyState::Active; });
}

// Profile section 4: a send key goes once Current_key is off it (a stale
// RNextKeyID can then no longer switch it back); a receive key's hold-down
// runs only while our RNextKeyID is off it and the peer has been seen
// sending under the generation that replaces it (specs digest 1.6 step 5:
// deleting earlier drops the peer's retransmissions).
bool KeyTable::retirement_blocked(const KeyRecord& key) const {
  const bool sends = key.use != KeyUse::Receive;
  const bool receives = key.use != KeyUse::Send;
  if (sends && (!current_key_ || *current_key_ == key.send_id)) return true;
  if (!receives) return false;
  if (!rnext_key_ || *rnext_key_ == key.recv_id) return true;
  // The successor is the next generation's receive key: g+1, or for the
  // default MKT the handshake's first generation (1 unless a test starts
  // later).
  const KeyRecord* successor = nullptr;
  for (const KeyRecord& other : keys_) {
    if (other.use != KeyUse::Receive || other.generation <= key.generation) continue;
    if (!successor || other.generation < successor->generation) successor = &other;
  }
  return successor == nullptr || successor->pkt_good.value_or(0) == 0;
}

}  // namespace aotls::keys
