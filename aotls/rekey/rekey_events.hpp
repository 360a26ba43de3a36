// aotls/rekey/rekey_events.hpp - what goes into and comes out of RekeyMachine.
//
// The rekey machine speaks the key machine's vocabulary (aotls/keys/
// key_events.hpp) plus what a rollover needs: the traffic volume and the
// operator's command in, a Kick out. Same contract as KeyInstaller: the
// shell carries the actions out in order, synchronously, answers
// PollBackend with BackendPolled and DeriveSecrets with SecretsDerived.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "aotls/keys/key_events.hpp"

namespace aotls::rekey {

using keys::Duration;
using keys::Generation;
using keys::TimePoint;

// Profile section 7's `ao.rekey_interval` and `ao.rekey_after_bytes`;
// nullopt disables that trigger (the operator command always works).
struct RekeyConfig {
  std::optional<Duration> rekey_interval;
  std::optional<std::uint64_t> rekey_after_bytes;
};

// ---- events (besides the keys:: ones) ----

// Bytes the connection carried (sent and received) since the last such
// event. Counted against rekey_after_bytes.
struct BytesTransferred {
  std::uint64_t bytes = 0;
};

// The operator asked for a rollover now (CLI).
struct RolloverCommand {};

using RekeyEvent =
    std::variant<keys::DefaultMktInstalled, keys::SecretsDerived, keys::BackendPolled,
                 keys::TimePassed, BytesTransferred, RolloverCommand>;

// ---- actions (besides the keys:: ones) ----

// Make the connection send a segment now, after the batch's backend calls:
// bgpd sends a KEEPALIVE, the library asks its user to write. Changing
// RNextKeyID alone sends nothing, and the peer switches only on a segment
// carrying it (profile section 4).
struct Kick {};

using RekeyAction = std::variant<keys::InstallKey, keys::DeleteKey, keys::SetCurrent,
                                 keys::SetRNext, keys::PollBackend, keys::DeriveSecrets, Kick>;
using RekeyActions = std::vector<RekeyAction>;

// What started a rollover; Peer when the peer's RNextKeyID switched our
// send key before we asked.
enum class RolloverTrigger : std::uint8_t { Timer, Bytes, Operator, Peer };

std::string_view to_string(RolloverTrigger trigger);

}  // namespace aotls::rekey
