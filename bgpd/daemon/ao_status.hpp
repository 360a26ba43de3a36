// bgpd/daemon/ao_status.hpp - TCP-AO as `show neighbor` and the API show it
// (profile section 5's counters; draft-piraux-tcp-ao-tls state). Key IDs,
// algorithms and counters only: never a secret.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "aotls/backend/nfqueue/userspace_backend.hpp"
#include "bgpd/session/ao_service.hpp"

namespace bgpd::daemon {

// One connection: backend, state, generation, current/RNext KeyIDs, the
// peer's announcement, per-key and per-connection counters, time since the
// last key switch.
nlohmann::json to_json(const session::AoSession& ao, std::chrono::steady_clock::time_point now);

// The backend: kind, the kernel probe, the key log, and the userspace
// backend's queues and drops by reason (`show ao`).
nlohmann::json to_json(const session::AoService& service);

}  // namespace bgpd::daemon
