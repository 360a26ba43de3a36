// aotls/keys/key_installer.hpp - key installation for one connection.
//
// A pure state machine (events in, actions out) for one side of one
// connection. It installs generation 1 in the order of profile section 3,
// retires the default MKT by the hold-down rule of profile section 4, then
// asks for and installs generation 2 (section 4, first bullet). Starting a
// rollover from g to g+1 belongs to aotls/rekey, which takes over from the
// NextInstalled phase.
//
// Why the order is safe (profile section 3): the server holds its receive
// key c(1) and asks for it (RNextKeyID) before its flight leaves, so the
// client's Finished, sent under c(1), verifies. The client makes c(1)
// current and asks for s(1) before its Finished leaves; the server's stack
// then switches itself to s(1) on the first good segment carrying that
// RNextKeyID (RFC 5925 section 7.5.2). Nobody forces the server's send key.
//
// Use: the shell feeds every event to handle() and carries out the actions
// in order, synchronously, before the next event (the server's flight and
// the client's Finished wait for SecretsDerived's actions). PollBackend is
// answered with BackendPolled, DeriveSecrets with SecretsDerived; the shell
// calls handle(TimePassed) from its timer, and the machine says when to poll.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "aotls/keys/key_events.hpp"
#include "aotls/keys/key_layout.hpp"
#include "aotls/keys/key_table.hpp"
#include "common/expected.hpp"

namespace aotls::keys {

// Profile section 4: poll every 50-100 ms while a switch is open, every
// second otherwise.
inline constexpr Duration kFastPollInterval{100};
inline constexpr Duration kSlowPollInterval{1000};

enum class KeyPhase : std::uint8_t {
  Idle,           // nothing installed yet
  DefaultOnly,    // the default MKT only
  Switching,      // generation 1 installed, the default MKT not yet retired
  Derived,        // the default MKT retired; waiting for generation 2's secrets
  NextInstalled,  // generation g current, g+1 installed (rekey takes over)
};

std::string_view to_string(KeyPhase phase);

class KeyInstaller {
 public:
  // `first`: the generation the handshake derives (1 in the profile; a
  // later one lets tests reach a KeyID wrap without hundreds of rollovers).
  explicit KeyInstaller(Side side, Generation first = kFirstDerivedGeneration)
      : side_(side), first_(first), table_(side) {}

  common::Expected<KeyActions, KeyError> handle(KeyEvent event);

  Side side() const { return side_; }
  Generation first() const { return first_; }
  KeyPhase phase() const { return phase_; }
  // The newest generation installed (0 before the first derived keys).
  Generation generation() const { return generation_; }
  const std::vector<KeyRecord>& keys() const { return table_.keys(); }
  // Everything the machine knows of its keys; aotls/rekey takes it over.
  const KeyTable& table() const { return table_; }

 private:
  common::Expected<KeyActions, KeyError> on(const DefaultMktInstalled& event);
  common::Expected<KeyActions, KeyError> on(SecretsDerived&& event);
  common::Expected<KeyActions, KeyError> on(const BackendPolled& event);
  common::Expected<KeyActions, KeyError> on(const TimePassed& event);

  Duration poll_interval() const;

  Side side_;
  Generation first_;
  KeyPhase phase_ = KeyPhase::Idle;
  Generation generation_ = kDefaultGeneration;
  KeyTable table_;
  std::optional<TimePoint> next_poll_;
};

}  // namespace aotls::keys
