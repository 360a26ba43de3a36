#include "aotls/keys/key_installer.hpp"

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

KeyRecord record_of(const Mkt& mkt, Side side) {
  KeyRecord record;
  record.send_id = mkt.send_id;
  record.recv_id = mkt.recv_id;
  record.generation = mkt.generation;
  record.use = mkt.use_by(side);
  return record;
}

}  // namespace

Duration hold_down(Duration rto) {
  return std::max(kHoldDownRtoFactor * rto, kMinHoldDown);
}

std::string_view to_string(KeyPhase phase) {
  switch (phase) {
    case KeyPhase::Idle:
      return "idle";
    case KeyPhase::DefaultOnly:
      return "default-only";
    case KeyPhase::Switching:
      return "switching";
    case KeyPhase::Derived:
      return "derived";
    case KeyPhase::NextInstalled:
      return "next-installed";
  }
  return "unknown phase";
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

common::Expected<KeyActions, KeyError> KeyInstaller::handle(KeyEvent event) {
  return std::visit([this](auto&& e) { return on(std::forward<decltype(e)>(e)); },
                    std::move(event));
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const DefaultMktInstalled&) {
  if (phase_ != KeyPhase::Idle) return common::Unexpected(KeyError::OutOfOrder);
  keys_.push_back(record_of(make_default_mkt(), side_));
  phase_ = KeyPhase::DefaultOnly;
  return KeyActions{};
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(SecretsDerived&& event) {
  const bool first = phase_ == KeyPhase::DefaultOnly;
  if (!first && phase_ != KeyPhase::Derived) return common::Unexpected(KeyError::OutOfOrder);
  const Generation g = event.generation;
  if (g != generation_ + 1) return common::Unexpected(KeyError::UnexpectedGeneration);

  auto c2s = make_derived_mkt(Direction::ClientToServer, g, event.client_to_server.params,
                              std::move(event.client_to_server.secret));
  if (!c2s) return common::Unexpected(to_key_error(c2s.error()));
  auto s2c = make_derived_mkt(Direction::ServerToClient, g, event.server_to_client.params,
                              std::move(event.server_to_client.secret));
  if (!s2c) return common::Unexpected(to_key_error(s2c.error()));

  Mkt& send = side_ == Side::Client ? *c2s : *s2c;
  Mkt& receive = side_ == Side::Client ? *s2c : *c2s;
  const KeyId send_id = send.send_id;
  const KeyId receive_id = receive.recv_id;
  keys_.push_back(record_of(send, side_));
  keys_.push_back(record_of(receive, side_));
  generation_ = g;

  // Profile section 3: the server installs its receive key first (the
  // client's Finished will come under it), the client its send key.
  KeyActions actions;
  if (side_ == Side::Server) {
    actions.emplace_back(InstallKey{std::move(receive)});
    actions.emplace_back(InstallKey{std::move(send)});
  } else {
    actions.emplace_back(InstallKey{std::move(send)});
    actions.emplace_back(InstallKey{std::move(receive)});
  }
  if (!first) {
    // Profile section 4: g+1 waits installed, unused, until a rollover asks
    // for it; neither Current_key nor RNext_key changes here.
    phase_ = KeyPhase::NextInstalled;
    return actions;
  }
  // Step 1, server: RNextKeyID = c(1) before its flight leaves; Current_key
  // stays on the default until the client asks for s(1). Step 2, client:
  // current = c(1) and RNextKeyID = s(1) before its Finished leaves.
  if (side_ == Side::Client) actions.emplace_back(SetCurrent{send_id});
  actions.emplace_back(SetRNext{receive_id});
  // Profile section 3 step 4: the default MKT is now retired like any old
  // receive key (section 4's hold-down).
  for (KeyRecord& key : keys_) {
    if (key.generation == kDefaultGeneration) key.state = KeyState::Retiring;
  }
  phase_ = KeyPhase::Switching;
  return actions;
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const BackendPolled& event) {
  if (phase_ == KeyPhase::Idle) return common::Unexpected(KeyError::OutOfOrder);
  observe(event);

  KeyActions actions;
  const Duration hold = hold_down(event.rto);
  for (KeyRecord& key : keys_) {
    // quiet_since is set only while nothing but the hold-down blocks it.
    if (key.state != KeyState::Retiring || !key.quiet_since) continue;
    if (event.now - *key.quiet_since < hold) continue;
    actions.emplace_back(DeleteKey{key.send_id, key.recv_id});
    key.state = KeyState::Deleting;
  }
  const bool older_left = std::any_of(keys_.begin(), keys_.end(), [&](const KeyRecord& key) {
    return key.generation < generation_;
  });
  if (phase_ == KeyPhase::Switching && !older_left) {
    // Profile section 4: g = 2 is installed right after the default MKT is
    // retired; its secrets come from TLS, so ask for them.
    phase_ = KeyPhase::Derived;
    actions.emplace_back(DeriveSecrets{generation_ + 1});
  }
  next_poll_ = event.now + poll_interval();
  return actions;
}

common::Expected<KeyActions, KeyError> KeyInstaller::on(const TimePassed& event) {
  KeyActions actions;
  if (phase_ == KeyPhase::Idle) return actions;
  if (!next_poll_ || event.now >= *next_poll_) {
    actions.emplace_back(PollBackend{});
    next_poll_ = event.now + poll_interval();
  }
  return actions;
}

void KeyInstaller::observe(const BackendPolled& poll) {
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

// Profile section 4: a send key goes once Current_key is off it (a stale
// RNextKeyID can then no longer switch it back); a receive key's hold-down
// runs only while our RNextKeyID is off it and the peer has been seen
// sending under the generation that replaces it (specs digest 1.6 step 5:
// deleting earlier drops the peer's retransmissions).
bool KeyInstaller::retirement_blocked(const KeyRecord& key) const {
  const bool sends = key.use != KeyUse::Receive;
  const bool receives = key.use != KeyUse::Send;
  if (sends && (!current_key_ || *current_key_ == key.send_id)) return true;
  if (!receives) return false;
  if (!rnext_key_ || *rnext_key_ == key.recv_id) return true;
  const auto successor = std::find_if(keys_.begin(), keys_.end(), [&](const KeyRecord& other) {
    return other.use == KeyUse::Receive && other.generation == key.generation + 1;
  });
  return successor == keys_.end() || successor->pkt_good.value_or(0) == 0;
}

Duration KeyInstaller::poll_interval() const {
  const bool open = phase_ == KeyPhase::Switching ||
                    std::any_of(keys_.begin(), keys_.end(),
                                [](const KeyRecord& key) { return key.state != KeyState::Active; });
  return open ? kFastPollInterval : kSlowPollInterval;
}

}  // namespace aotls::keys
