// aotls/backend/nfqueue/userspace_backend.hpp - the `userspace` TCP-AO
// backend behind the one Backend interface (aotls/backend/backend.hpp): the
// user-space core (UserspaceTcpAo) inside an EngineProcessor, served by the
// NFQUEUE I/O shell (IoShell: queues and iptables rules).
//
// Owns: the mapping from the daemon's sockets to engine sockets (attach),
// their deferred close, the peer scoping of the rules, the startup message.
// Why a deferred close: after the daemon closes a connection the kernel
// still sends its last ACKs and FIN retransmissions during TIME-WAIT, and
// they must be signed (engine.hpp); the engine socket stays `linger` long.
// Thread model: attach/add_peer/remove_peer/reap/diagnostics and the
// sockets' calls come from the daemon's threads; every engine access (and
// this class's socket bookkeeping) is under EngineProcessor's one mutex;
// the rules under a mutex of their own. The NFQUEUE thread only processes.
// Must not depend on: bgpd, Asio, logging.
// Implements: AO-TLS profile section 5 (`userspace` backend, same key API
// and counters as `kernel`, rules added before connect/listen, fail-closed).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/backend/nfqueue/engine_processor.hpp"
#include "aotls/backend/nfqueue/io_shell.hpp"
#include "aotls/backend/nfqueue/userspace_socket.hpp"
#include "common/expected.hpp"

namespace aotls::backend::nfqueue {

struct UserspaceBackendOptions {
  IoShellOptions shell;  // rules (chain prefix, queue_base from config ao.nfqueue_base)
  userspace::EngineOptions engine;
  // How long a closed connection's keys stay (TIME-WAIT, last ACKs).
  std::chrono::seconds linger{60};
};

// For the CLI: what the backend dropped and what the queues did.
struct BackendDiagnostics {
  // Every DropReason in enum order, by its to_string name.
  std::vector<std::pair<std::string, std::uint64_t>> drops;
  QueueCounters outbound;
  QueueCounters inbound;
  std::uint64_t receive_overruns = 0;
  std::optional<std::string> failure;  // the queue thread ended on this error
};

// The startup log line for a shell that would not start. `shell_error` is
// IoShell's one line (the failing step - NFQUEUE bind or an iptables
// command - with its errno text or output); without CAP_NET_ADMIN the line
// says first that the backend needs it, since both steps need it.
std::string startup_error_message(std::string_view shell_error, bool has_net_admin);

// The process's effective CAP_NET_ADMIN (capget).
bool has_net_admin();

class UserspaceBackend final : public Backend, private SocketOwner {
 public:
  // Starts the processor and the IoShell. Error: startup_error_message.
  static common::Expected<std::unique_ptr<UserspaceBackend>, std::string> start(
      UserspaceBackendOptions options);
  // Over an existing processor, without a shell (no queues, no rules):
  // for tests and for a caller that runs the shell itself. `processor`
  // must outlive the backend.
  static std::unique_ptr<UserspaceBackend> over_processor(EngineProcessor& processor,
                                                          std::chrono::seconds linger);
  // Stops the shell. The sockets attached must be destroyed before.
  ~UserspaceBackend() override;

  BackendKind kind() const override { return BackendKind::Userspace; }
  // Supported while the shell runs (its queue thread has not failed).
  ProbeResult probe() override;
  // Listener: getsockname -> engine.open_listener. Connection: bound local
  // end (specific address, port != 0) + setup.remote_* (or getpeername);
  // takes the connection a listener created from a verified SYN (accepted
  // socket), else opens one. A lingering connection of the same 4-tuple is
  // closed first (the kernel reused the tuple, so it is gone). A refused
  // socket is a RefusedAoSocket answering the AttachErrc / errno.
  std::unique_ptr<TcpAoSocket> attach(const SocketSetup& setup) override;
  // The same, with the refusal as an error instead of a RefusedAoSocket.
  common::Expected<std::unique_ptr<UserspaceAoSocket>, std::error_code> attach_socket(
      const SocketSetup& setup);

  // Peer scoping of the NFQUEUE rules: add before connecting to the peer or
  // before it can be accepted; one call per neighbor.
  common::Expected<void, std::string> add_peer(const PeerFlow& flow);
  common::Expected<void, std::string> remove_peer(const PeerFlow& flow);

  // Closes the engine sockets whose linger ended at or before `now` (also
  // done by attach()).
  void reap(std::chrono::steady_clock::time_point now);
  // Engine sockets released by their TcpAoSocket and not yet closed.
  std::size_t lingering() const;

  BackendDiagnostics diagnostics() const;

  // Stops the shell (queue thread, then rules; IoShell's fail-closed
  // order); idempotent, also the destructor.
  void stop();

 private:
  struct Lingering {
    userspace::SocketId id;
    std::chrono::steady_clock::time_point until;
  };

  UserspaceBackend(std::unique_ptr<EngineProcessor> owned, EngineProcessor& processor,
                   std::chrono::seconds linger);
  void release(userspace::SocketId id, SocketRole role) override;
  common::Expected<userspace::SocketId, std::error_code> attach_listener(const SocketSetup& setup);
  common::Expected<userspace::SocketId, std::error_code> attach_connection(
      const SocketSetup& setup);
  // Under the engine lock: the engine socket for `tuple`, adopting the
  // listener's connection, or the AttachErrc.
  common::Expected<userspace::SocketId, std::error_code> connection_for(
      userspace::UserspaceTcpAo& engine, const userspace::FlowTuple& tuple);
  bool is_lingering(userspace::SocketId id) const;

  std::unique_ptr<EngineProcessor> owned_processor_;  // before shell_: outlives it
  EngineProcessor& processor_;
  std::chrono::seconds linger_;
  // Guarded by processor_'s mutex (touched only inside with_engine).
  std::vector<userspace::SocketId> attached_;
  std::vector<Lingering> lingering_;
  mutable std::mutex shell_mutex_;  // the rules are not thread-safe
  std::unique_ptr<IoShell> shell_;  // kept after stop(): counters stay readable
  bool running_ = false;            // guarded by shell_mutex_
};

}  // namespace aotls::backend::nfqueue
