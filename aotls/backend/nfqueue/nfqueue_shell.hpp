// aotls/backend/nfqueue/nfqueue_shell.hpp - the queue runner: two NFQUEUE
// queues (outbound = base, inbound = base + 1) served by one dedicated
// thread through libnetfilter_queue.
//
// Copy-packet mode; each packet's verdict is given before the next packet
// is read, so verdicts leave in the order the kernel queued the packets
// (profile section 5). One thread for both queues keeps the processor
// single-threaded. A processor that throws, or rewrites to an impossible
// size, gets the packet dropped (fail-closed).
// What the processor sees (Linux nfnetlink_queue, no NFQA_CFG_F_GSO): GSO
// packets are segmented before queueing, so each packet is one wire-sized
// segment, and checksums left to offload are completed first. A rewritten
// packet must carry complete, valid IP and TCP checksums: the kernel marks
// it CHECKSUM_NONE and the receiver verifies it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "aotls/backend/nfqueue/packet_processor.hpp"
#include "common/expected.hpp"

namespace aotls::backend::nfqueue {

struct QueueCounters {
  std::uint64_t packets = 0;         // handed to the processor
  std::uint64_t accepted = 0;        // NF_ACCEPT, unchanged
  std::uint64_t rewritten = 0;       // NF_ACCEPT with the processor's bytes
  std::uint64_t dropped = 0;         // NF_DROP as the processor decided
  std::uint64_t failed = 0;          // dropped because the processor threw or misbehaved
  std::uint64_t verdict_errors = 0;  // nfq_set_verdict failed
};

struct ShellOptions {
  std::uint16_t queue_base = 4200;
  std::uint32_t max_queue_len = 4096;  // packets the kernel holds per queue
};

struct ShellError {
  std::error_code code;
  std::string message;  // one line, for the startup log
};

class NfqueueShell {
 public:
  // Binds both queues and starts the thread. Without CAP_NET_ADMIN: EPERM,
  // with a message naming the capability; a queue bound by another process
  // (the kernel answers EPERM there too): EBUSY, with a message saying so.
  // `processor` must outlive the shell.
  static common::Expected<std::unique_ptr<NfqueueShell>, ShellError> start(
      const ShellOptions& options, PacketProcessor& processor);
  ~NfqueueShell();  // stop(), then unbind and close
  NfqueueShell(const NfqueueShell&) = delete;
  NfqueueShell& operator=(const NfqueueShell&) = delete;

  // Wakes and joins the thread; idempotent. Packets queued afterwards wait
  // in the kernel until the queues are unbound, then are dropped.
  void stop();

  QueueCounters counters(Direction direction) const;
  // Netlink receive overruns (ENOBUFS): the kernel dropped packets it could
  // not deliver to us (never passed unverified: there is no bypass).
  std::uint64_t receive_overruns() const;
  // Set when the thread ended on its own because of an error.
  std::optional<std::string> failure() const;

  struct Impl;

 private:
  explicit NfqueueShell(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aotls::backend::nfqueue
