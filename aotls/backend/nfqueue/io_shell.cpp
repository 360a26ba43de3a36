// aotls/backend/nfqueue/io_shell.cpp - see io_shell.hpp.
#include "aotls/backend/nfqueue/io_shell.hpp"

namespace aotls::backend::nfqueue {

IoShell::IoShell(std::unique_ptr<NfqueueShell> queues, std::unique_ptr<Firewall> firewall)
    : queues_(std::move(queues)), firewall_(std::move(firewall)) {}

IoShell::~IoShell() {
  stop();
}

common::Expected<std::unique_ptr<IoShell>, std::string> IoShell::start(
    const IoShellOptions& options, PacketProcessor& processor,
    std::unique_ptr<CommandRunner> runner) {
  auto queues = NfqueueShell::start({options.rules.queue_base, options.max_queue_len}, processor);
  if (!queues) return common::Unexpected(queues.error().message);
  auto firewall = Firewall::start(options.rules, std::move(runner));
  if (!firewall) return common::Unexpected(firewall.error().message);
  return std::unique_ptr<IoShell>(
      new IoShell(std::move(queues).value(), std::move(firewall).value()));
}

void IoShell::stop() {
  queues_->stop();
  firewall_->stop();
}

}  // namespace aotls::backend::nfqueue
