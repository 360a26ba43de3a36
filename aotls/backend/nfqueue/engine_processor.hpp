// aotls/backend/nfqueue/engine_processor.hpp - the PacketProcessor that puts
// the user-space TCP-AO core (aotls/backend/userspace, UserspaceTcpAo)
// behind the NFQUEUE shell.
//
// Why a lock: the shell calls process() from its one packet thread, while
// the key API (add/delete keys, Current_key/RNext_key moves, counters) is
// called from the daemon's thread; the engine itself is not thread-safe
// (engine.hpp). Every access goes through the one mutex, so a key change
// takes effect between two packets, never in the middle of one.
// Verdicts map one to one (Accept, AcceptRewritten, Drop); drops are also
// counted here by reason, for the shell's diagnostics.
// Must not depend on: bgpd, Asio, logging. Implements: AO-TLS profile
// section 5 (userspace backend: one processor per daemon, fail-closed).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "aotls/backend/nfqueue/packet_processor.hpp"
#include "aotls/backend/userspace/engine.hpp"

namespace aotls::backend::nfqueue {

// Every DropReason, for per-reason counters (keep in step with verdict.hpp).
inline constexpr std::size_t kDropReasonCount =
    static_cast<std::size_t>(userspace::DropReason::CryptoFailure) + 1;

class EngineProcessor final : public PacketProcessor {
 public:
  explicit EngineProcessor(userspace::EngineOptions options = {}) : engine_(options) {}

  Verdict process(Direction direction, std::span<const std::uint8_t> packet,
                  std::vector<std::uint8_t>& rewritten) override;

  // Runs `fn(UserspaceTcpAo&)` under the lock and returns its result: the
  // key API and the socket lifecycle for threads other than the shell's.
  // `fn` must not keep pointers (KeyRing*, Connection*) past its return.
  template <typename Fn>
  decltype(auto) with_engine(Fn&& fn) {
    const std::lock_guard lock(mutex_);
    return std::forward<Fn>(fn)(engine_);
  }

  // Packets dropped for `reason` since construction.
  std::uint64_t drops(userspace::DropReason reason) const;

 private:
  mutable std::mutex mutex_;
  userspace::UserspaceTcpAo engine_;
  std::array<std::uint64_t, kDropReasonCount> drops_{};
};

// The 1:1 mappings between the shell's vocabulary and the core's.
userspace::PacketDirection to_packet_direction(Direction direction);
Verdict to_shell_verdict(userspace::VerdictKind kind);

}  // namespace aotls::backend::nfqueue
