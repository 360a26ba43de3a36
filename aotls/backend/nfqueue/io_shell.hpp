// aotls/backend/nfqueue/io_shell.hpp - the whole I/O shell of the userspace
// backend: queues bound first, then rules; at stop the queue thread ends
// first, then the rules go, and the queues are unbound at destruction.
//
// Why that order: a packet sent to a queue nobody serves waits in the
// kernel and is dropped when the queue is unbound, and a rule pointing at
// an unbound queue drops (no bypass); so between the steps traffic is
// dropped, never passed unprotected - fail-closed at both ends of the
// lifecycle (profile section 5).
#pragma once

#include <memory>
#include <string>

#include "aotls/backend/nfqueue/firewall.hpp"
#include "aotls/backend/nfqueue/nfqueue_shell.hpp"

namespace aotls::backend::nfqueue {

struct IoShellOptions {
  RuleConfig rules;  // rules.queue_base is the queues' base too
  std::uint32_t max_queue_len = 4096;
};

class IoShell {
 public:
  // The error is one line for the startup log (CAP_NET_ADMIN, a busy queue,
  // an iptables failure with its output).
  static common::Expected<std::unique_ptr<IoShell>, std::string> start(
      const IoShellOptions& options, PacketProcessor& processor,
      std::unique_ptr<CommandRunner> runner = std::make_unique<ExecRunner>());
  ~IoShell();
  IoShell(const IoShell&) = delete;
  IoShell& operator=(const IoShell&) = delete;

  Firewall& firewall() { return *firewall_; }
  NfqueueShell& queues() { return *queues_; }

  // The queue thread, then the rules; idempotent (also the destructor).
  // Counters stay readable until destruction.
  void stop();

 private:
  IoShell(std::unique_ptr<NfqueueShell> queues, std::unique_ptr<Firewall> firewall);
  std::unique_ptr<NfqueueShell> queues_;
  std::unique_ptr<Firewall> firewall_;
};

}  // namespace aotls::backend::nfqueue
