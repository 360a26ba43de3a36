// aotls/backend/nfqueue/userspace_backend.cpp - see userspace_backend.hpp.
#include "aotls/backend/nfqueue/userspace_backend.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace aotls::backend::nfqueue {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kNeedsNetAdmin =
    "the userspace TCP-AO backend needs CAP_NET_ADMIN (run as root or grant the capability)";

std::string no_shell_error() {
  return "userspace TCP-AO backend: no NFQUEUE shell running";
}

}  // namespace

std::string startup_error_message(std::string_view shell_error, bool has_net_admin) {
  std::string line = "userspace TCP-AO backend cannot start: ";
  // The queue runner already names the capability for its own EPERM.
  if (!has_net_admin && shell_error.find("CAP_NET_ADMIN") == std::string_view::npos) {
    line += kNeedsNetAdmin;
    line += "; ";
  }
  line += shell_error;
  return line;
}

bool has_net_admin() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))) != 0;
}

// ---- lifecycle ----

UserspaceBackend::UserspaceBackend(std::unique_ptr<EngineProcessor> owned,
                                   EngineProcessor& processor, std::chrono::seconds linger)
    : owned_processor_(std::move(owned)), processor_(processor), linger_(linger) {}

UserspaceBackend::~UserspaceBackend() {
  stop();
}

common::Expected<std::unique_ptr<UserspaceBackend>, std::string> UserspaceBackend::start(
    UserspaceBackendOptions options) {
  auto processor = std::make_unique<EngineProcessor>(options.engine);
  EngineProcessor& ref = *processor;
  std::unique_ptr<UserspaceBackend> backend(
      new UserspaceBackend(std::move(processor), ref, options.linger));
  auto shell = IoShell::start(options.shell, ref);
  if (!shell) return common::Unexpected(startup_error_message(shell.error(), has_net_admin()));
  backend->shell_ = std::move(shell).value();
  backend->running_ = true;
  return backend;
}

std::unique_ptr<UserspaceBackend> UserspaceBackend::over_processor(EngineProcessor& processor,
                                                                   std::chrono::seconds linger) {
  return std::unique_ptr<UserspaceBackend>(new UserspaceBackend(nullptr, processor, linger));
}

void UserspaceBackend::stop() {
  const std::lock_guard lock(shell_mutex_);
  if (shell_) shell_->stop();
  running_ = false;
}

ProbeResult UserspaceBackend::probe() {
  const std::lock_guard lock(shell_mutex_);
  if (!running_) return {false, no_shell_error()};
  if (auto failure = shell_->queues().failure())
    return {false, "userspace TCP-AO backend: NFQUEUE thread failed: " + *failure};
  const auto& rules = shell_->firewall().config();
  return {true, "userspace TCP-AO backend running (NFQUEUE " + std::to_string(rules.queue_base) +
                    "/" + std::to_string(rules.queue_base + 1) + ", chains " + rules.chain_prefix +
                    ")"};
}

// ---- attach ----

bool UserspaceBackend::is_lingering(userspace::SocketId id) const {
  return std::any_of(lingering_.begin(), lingering_.end(),
                     [&](const Lingering& l) { return l.id == id; });
}

common::Expected<userspace::SocketId, std::error_code> UserspaceBackend::connection_for(
    userspace::UserspaceTcpAo& engine, const userspace::FlowTuple& tuple) {
  // Bounded: each round closes one lingering socket.
  for (auto found = engine.find_connection(tuple); found; found = engine.find_connection(tuple)) {
    if (std::find(attached_.begin(), attached_.end(), *found) != attached_.end())
      return common::Unexpected(make_error_code(AttachErrc::FlowInUse));
    // Created by a listener from a verified SYN: the accepted socket's.
    if (!is_lingering(*found)) return *found;
    std::erase_if(lingering_, [&](const Lingering& l) { return l.id == *found; });
    engine.close(*found);
  }
  return engine.open_connection(tuple);
}

common::Expected<userspace::SocketId, std::error_code> UserspaceBackend::attach_listener(
    const SocketSetup& setup) {
  const auto end = listener_end(setup);
  if (!end) return common::Unexpected(end.error());
  return processor_.with_engine([&](userspace::UserspaceTcpAo& engine) {
    const userspace::SocketId opened = engine.open_listener(end->address, end->port);
    attached_.push_back(opened);
    return opened;
  });
}

common::Expected<userspace::SocketId, std::error_code> UserspaceBackend::attach_connection(
    const SocketSetup& setup) {
  const auto tuple = connection_flow(setup);
  if (!tuple) return common::Unexpected(tuple.error());
  return processor_.with_engine([&](userspace::UserspaceTcpAo& engine) {
    auto taken = connection_for(engine, *tuple);
    if (taken) attached_.push_back(*taken);
    return taken;
  });
}

common::Expected<std::unique_ptr<UserspaceAoSocket>, std::error_code>
UserspaceBackend::attach_socket(const SocketSetup& setup) {
  reap(Clock::now());
  const auto id =
      setup.role == SocketRole::Listener ? attach_listener(setup) : attach_connection(setup);
  if (!id) return common::Unexpected(id.error());
  SocketOwner& owner = *this;
  return std::make_unique<UserspaceAoSocket>(processor_, owner, *id, setup.role);
}

std::unique_ptr<TcpAoSocket> UserspaceBackend::attach(const SocketSetup& setup) {
  auto socket = attach_socket(setup);
  if (!socket) return std::make_unique<RefusedAoSocket>(setup.role, socket.error());
  return std::move(socket).value();
}

void UserspaceBackend::release(userspace::SocketId id, SocketRole role) {
  const auto until = Clock::now() + linger_;
  processor_.with_engine([&](userspace::UserspaceTcpAo& engine) {
    std::erase(attached_, id);
    // A listener signs nothing after its close: only connections linger.
    if (role == SocketRole::Listener) {
      engine.close(id);
    } else {
      lingering_.push_back({id, until});
    }
  });
}

void UserspaceBackend::reap(Clock::time_point now) {
  processor_.with_engine([&](userspace::UserspaceTcpAo& engine) {
    std::erase_if(lingering_, [&](const Lingering& l) {
      if (l.until > now) return false;
      engine.close(l.id);
      return true;
    });
  });
}

std::size_t UserspaceBackend::lingering() const {
  return processor_.with_engine([&](userspace::UserspaceTcpAo&) { return lingering_.size(); });
}

// ---- rules and diagnostics ----

common::Expected<void, std::string> UserspaceBackend::add_peer(const PeerFlow& flow) {
  const std::lock_guard lock(shell_mutex_);
  if (!running_) return common::Unexpected(no_shell_error());
  auto added = shell_->firewall().add_peer(flow);
  if (!added) return common::Unexpected(std::move(added).error().message);
  return {};
}

common::Expected<void, std::string> UserspaceBackend::remove_peer(const PeerFlow& flow) {
  const std::lock_guard lock(shell_mutex_);
  if (!running_) return common::Unexpected(no_shell_error());
  auto removed = shell_->firewall().remove_peer(flow);
  if (!removed) return common::Unexpected(std::move(removed).error().message);
  return {};
}

BackendDiagnostics UserspaceBackend::diagnostics() const {
  BackendDiagnostics out;
  for (std::size_t i = 0; i < kDropReasonCount; ++i) {
    const auto reason = static_cast<userspace::DropReason>(i);
    out.drops.emplace_back(std::string(userspace::to_string(reason)), processor_.drops(reason));
  }
  const std::lock_guard lock(shell_mutex_);
  if (shell_) {
    out.outbound = shell_->queues().counters(Direction::Outbound);
    out.inbound = shell_->queues().counters(Direction::Inbound);
    out.receive_overruns = shell_->queues().receive_overruns();
    out.failure = shell_->queues().failure();
  }
  return out;
}

}  // namespace aotls::backend::nfqueue
