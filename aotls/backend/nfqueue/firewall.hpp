// aotls/backend/nfqueue/firewall.hpp - runs the argv of firewall_rules.hpp:
// the chain lifecycle of the userspace backend.
//
// Commands are executed directly (posix_spawnp, argv, no shell), so no
// address or name is ever parsed by a shell. Startup is "ensure clean, then
// create": whatever a crashed previous run with the same prefix and queue
// base left behind is removed first (profile section 5: rules always
// removed, also after a crash, at the next start).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aotls/backend/nfqueue/firewall_rules.hpp"
#include "common/expected.hpp"

namespace aotls::backend::nfqueue {

struct CommandResult {
  int exit_status = 0;  // 0 = success; 127 = could not be started; 128+N = signal N
  std::string output;   // stdout and stderr together, truncated
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  CommandRunner() = default;
  CommandRunner(const CommandRunner&) = delete;
  CommandRunner& operator=(const CommandRunner&) = delete;

  virtual CommandResult run(const Argv& argv) = 0;
};

// posix_spawnp + waitpid; keeps the first 4 KiB of the output.
class ExecRunner final : public CommandRunner {
 public:
  CommandResult run(const Argv& argv) override;
};

// "iptables -w -t mangle -N X" (exit 1): "iptables: Chain already exists."
std::string describe_failure(const Argv& argv, const CommandResult& result);

struct FirewallError {
  std::string message;  // the command, its exit status and output; one line
};

class Firewall {
 public:
  // Validates `config`, removes leftovers, creates the chains and jumps.
  // On failure nothing of ours is left installed.
  static common::Expected<std::unique_ptr<Firewall>, FirewallError> start(
      RuleConfig config, std::unique_ptr<CommandRunner> runner);
  ~Firewall();
  Firewall(const Firewall&) = delete;
  Firewall& operator=(const Firewall&) = delete;

  // Scope the queues to one more / one less peer flow. Add before the
  // socket's connect() or listen().
  common::Expected<void, FirewallError> add_peer(const PeerFlow& flow);
  common::Expected<void, FirewallError> remove_peer(const PeerFlow& flow);

  // Removes jumps and chains (best effort; idempotent; also the destructor).
  void stop();

  const RuleConfig& config() const { return config_; }

 private:
  Firewall(RuleConfig config, std::unique_ptr<CommandRunner> runner);
  void remove_everything();
  common::Expected<void, FirewallError> run_all(const std::vector<Argv>& commands);

  RuleConfig config_;
  std::unique_ptr<CommandRunner> runner_;
  bool running_ = false;
};

}  // namespace aotls::backend::nfqueue
