// aotls/keys/key_events.hpp - what goes into and comes out of KeyInstaller.
//
// Events are facts the shell observed (a backend call done, TLS secrets
// exported, a poll of the backend, time); actions are backend calls the
// shell must make, in order, synchronously, before feeding the next event.
// Time is always passed in, never read.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "aotls/crypto/secret.hpp"
#include "aotls/keys/key_layout.hpp"
#include "aotls/keys/mkt.hpp"

namespace aotls::keys {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::milliseconds;

// ---- events ----

// The default MKT (make_default_mkt) is on the socket for this peer: added
// before connect(), or inherited by an accepted socket from its listener.
struct DefaultMktInstalled {};

// One direction's derived key: the sender's announced parameters and the
// TLS exporter output for (direction, generation).
struct DirectionSecret {
  MktParams params;
  crypto::Secret secret;
};

// Both secrets of `generation` are derived. Server: after its flight is
// produced into memory, before it leaves. Client: after it processed the
// server Finished, before its own Finished leaves (profile section 3).
struct SecretsDerived {
  Generation generation = kFirstDerivedGeneration;
  DirectionSecret client_to_server;
  DirectionSecret server_to_client;
};

// Per-key counter as the backend reports it (TCP_AO_GET_KEYS pkt_good).
struct KeyCounter {
  KeyId send_id = kDefaultKeyId;
  KeyId recv_id = kDefaultKeyId;
  std::uint64_t pkt_good = 0;
};

// A read of the backend: which keys are Current_key and RNext_key (by
// SendID and RecvID, as TCP_AO_INFO reports them), every installed key's
// good-segment counter, and the connection's RTO (for the hold-down).
struct BackendPolled {
  TimePoint now;
  std::optional<KeyId> current_key;
  std::optional<KeyId> rnext_key;
  std::vector<KeyCounter> keys;
  Duration rto{1000};  // RFC 6298's initial RTO, for a backend that cannot tell
};

// The shell's timer fired.
struct TimePassed {
  TimePoint now;
};

using KeyEvent = std::variant<DefaultMktInstalled, SecretsDerived, BackendPolled, TimePassed>;

// ---- actions ----

struct InstallKey {
  Mkt mkt;
};
// A refused delete (EBUSY: a stale RNextKeyID moved Current_key back onto
// the key) needs no event: the next poll still lists the key, and the
// machine starts its hold-down again.
struct DeleteKey {
  KeyId send_id = kDefaultKeyId;
  KeyId recv_id = kDefaultKeyId;
};
struct SetCurrent {
  KeyId send_id = kDefaultKeyId;
};
struct SetRNext {
  KeyId recv_id = kDefaultKeyId;
};
// Read the backend and answer with BackendPolled.
struct PollBackend {};
// Export the secrets of `generation` and answer with SecretsDerived.
struct DeriveSecrets {
  Generation generation = kFirstDerivedGeneration;
};

using KeyAction =
    std::variant<InstallKey, DeleteKey, SetCurrent, SetRNext, PollBackend, DeriveSecrets>;
using KeyActions = std::vector<KeyAction>;

}  // namespace aotls::keys
