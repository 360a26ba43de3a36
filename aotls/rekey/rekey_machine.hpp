// aotls/rekey/rekey_machine.hpp - hitless MKT renewal for one connection.
//
// A pure state machine (events in, actions out) for one side of one
// connection, implementing profile section 4. It runs keys::KeyInstaller
// until generation 1 is current and generation 2 installed (phase
// NextInstalled), then takes its key table over and rolls g -> g+1 for ever:
//
//   Ready     g current, g+1 installed. A trigger (timer, bytes, operator)
//             makes us the initiator: RNextKeyID := our g+1 receive KeyID,
//             Kick. A poll showing Current_key on our g+1 send key (the
//             peer asked for it, RFC 5925 section 7.5.2 as Linux applies
//             it) makes us the responder: the same two actions.
//   Rolling   g's keys retire by the shared rule (keys/key_table.hpp): the
//             send key as soon as Current_key is off it, the receive key
//             after the hold-down once our RNextKeyID moved and the peer
//             was seen sending under g+1. Both sides starting at once is
//             the same path for both: each asks, each is switched.
//   Deriving  g is gone: the rollover is complete (timer and byte count
//             restart); generation g+2's secrets are asked for and, once
//             installed, the machine is Ready at g+1.
//
// Nothing forces our own send key: Linux would switch it back while the
// peer still asks for the old one (profile section 4). The machine never
// holds a secret: they pass through InstallKey to the backend.
//
// Use: as KeyInstaller (carry the actions out in order, answer PollBackend
// and DeriveSecrets, call handle(TimePassed) from a timer), and also feed
// BytesTransferred as traffic flows and RolloverCommand from the operator;
// Kick follows the backend calls it is for: send something now (bgpd: a
// KEEPALIVE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aotls/keys/key_installer.hpp"
#include "aotls/keys/key_table.hpp"
#include "aotls/rekey/rekey_events.hpp"
#include "common/expected.hpp"

namespace aotls::rekey {

enum class RekeyPhase : std::uint8_t {
  Installing,  // keys::KeyInstaller is in charge (generations 0, 1, 2)
  Ready,       // g current, g+1 installed, no rollover open
  Rolling,     // moving to g+1; g's keys retiring
  Deriving,    // g retired; waiting for the secrets of g+2
};

std::string_view to_string(RekeyPhase phase);

enum class RekeyError : std::uint8_t {
  OutOfOrder,            // the event does not fit the phase
  UnexpectedGeneration,  // secrets of a generation that is not the one awaited
  MixedAlgorithms,
  EmptySecret,
  NotReady,            // RolloverCommand before generation 2 is installed
  RolloverInProgress,  // RolloverCommand while a rollover is open
};

std::string_view to_string(RekeyError error);

// For `bgpcli show ... ao`: never a secret.
struct RekeyStatus {
  RekeyPhase phase = RekeyPhase::Installing;
  // The generation this side sends under or, while a rollover is open, is
  // moving to (0: the default MKT).
  Generation generation = keys::kDefaultGeneration;
  std::uint64_t rollovers_done = 0;
  std::optional<Duration> last_rollover_duration;
  std::optional<RolloverTrigger> last_trigger;
  bool rollover_in_progress = false;
};

// One line for the CLI: "generation 7, 6 rollovers, last 2300 ms (timer),
// ready".
std::string to_string(const RekeyStatus& status);

class RekeyMachine {
 public:
  // `first`: the generation the handshake derives (keys::KeyInstaller).
  RekeyMachine(keys::Side side, RekeyConfig config,
               Generation first = keys::kFirstDerivedGeneration);

  // Starts at generation `current` (current on both sides, current+1
  // installed) instead of at the default MKT; the actions install both
  // generations' keys on an empty socket and set Current_key and
  // RNext_key. Lets tests and tools reach a KeyID wrap (every 127
  // generations) without hundreds of rollovers.
  struct Resumed;
  static common::Expected<Resumed, RekeyError> resume(keys::Side side, RekeyConfig config,
                                                      keys::SecretsDerived current,
                                                      keys::SecretsDerived next, TimePoint now);

  common::Expected<RekeyActions, RekeyError> handle(RekeyEvent event);

  keys::Side side() const { return side_; }
  RekeyPhase phase() const { return phase_; }
  // While Installing: how far the installer got.
  keys::KeyPhase install_phase() const { return installer_.phase(); }
  // A reload's new triggers; they count from the last rollover as before.
  void set_config(RekeyConfig config) { config_ = config; }
  RekeyStatus status() const;
  // When the rekey_interval trigger falls due, while Ready with a timer
  // configured (nullopt otherwise): a shell polling slowly wakes then, so
  // a rollover starts at its interval's end rather than at the next poll.
  std::optional<TimePoint> timer_due() const;
  // Every key this side holds (the installer's until it hands over).
  const std::vector<keys::KeyRecord>& keys() const;

 private:
  common::Expected<RekeyActions, RekeyError> on(keys::DefaultMktInstalled event);
  common::Expected<RekeyActions, RekeyError> on(keys::SecretsDerived&& event);
  common::Expected<RekeyActions, RekeyError> on(const keys::BackendPolled& event);
  common::Expected<RekeyActions, RekeyError> on(const keys::TimePassed& event);
  common::Expected<RekeyActions, RekeyError> on(const BytesTransferred& event);
  common::Expected<RekeyActions, RekeyError> on(const RolloverCommand& event);

  common::Expected<RekeyActions, RekeyError> delegate(keys::KeyEvent event);
  std::optional<RolloverTrigger> due_trigger(TimePoint now) const;
  void start_rollover(RolloverTrigger trigger, RekeyActions& actions);
  void restart_triggers();
  Duration poll_interval() const;

  keys::Side side_;
  RekeyConfig config_;
  RekeyPhase phase_ = RekeyPhase::Installing;
  keys::KeyInstaller installer_;
  keys::KeyTable table_;
  // Ready: the generation in use (current+1 is installed). Rolling and
  // Deriving: the generation being moved to.
  Generation current_ = keys::kDefaultGeneration;
  std::optional<TimePoint> now_;  // the latest time an event carried
  std::optional<TimePoint> next_poll_;
  std::optional<TimePoint> triggers_since_;
  std::uint64_t bytes_since_ = 0;
  std::optional<TimePoint> rollover_started_;
  std::uint64_t rollovers_done_ = 0;
  std::optional<Duration> last_rollover_duration_;
  std::optional<RolloverTrigger> last_trigger_;
};

struct RekeyMachine::Resumed {
  RekeyMachine machine;
  RekeyActions actions;
};

}  // namespace aotls::rekey
