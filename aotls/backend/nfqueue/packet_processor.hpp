// aotls/backend/nfqueue/packet_processor.hpp - module header of
// aotls_nfqueue: the I/O shell of the userspace TCP-AO backend.
//
// Owns: the seam between the NFQUEUE shell and whatever decides about a
// packet (the userspace TCP-AO packet core signs, verifies and strips; tests
// plug in trivial processors). The shell itself lives in firewall_rules.hpp
// (pure iptables argv generation), firewall.hpp (running Debian's
// iptables/ip6tables, chain lifecycle), nfqueue_shell.hpp (libnetfilter_queue
// on one dedicated thread) and io_shell.hpp (both, in the right order).
// Must not depend on: bgpd, Asio, the packet core's internals, logging.
// Implements: AO-TLS profile section 5, userspace backend (rules scoped to
// the peer, installed before connect/listen and always removed, also after a
// crash; one queue per direction; verdicts in packet order; a dedicated
// thread; fail-closed, no --queue-bypass; ICMP errors about protected flows
// dropped, RFC 5925 section 7.8; configurable queue numbers).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace aotls::backend::nfqueue {

// Outbound: a segment our TCP stack sends (queued from OUTPUT).
// Inbound: a segment or ICMP error arriving for us (queued from INPUT).
enum class Direction : std::uint8_t { Outbound, Inbound };

std::string_view to_string(Direction direction);  // "outbound" / "inbound"

enum class Verdict : std::uint8_t {
  Accept,           // the packet leaves or enters unchanged
  AcceptRewritten,  // the processor's `rewritten` buffer replaces the packet
  Drop,             // silently discarded (RFC 5925 section 7.5: counted by the processor)
};

// Called on the shell's thread only, one packet at a time, in the order the
// kernel queued them; both directions come from the same thread, so an
// implementation needs no locking of its own against the shell.
class PacketProcessor {
 public:
  virtual ~PacketProcessor() = default;
  PacketProcessor() = default;
  PacketProcessor(const PacketProcessor&) = delete;
  PacketProcessor& operator=(const PacketProcessor&) = delete;

  // `packet` is the whole IP datagram (IPv4 or IPv6 header first). For
  // AcceptRewritten the processor writes the whole new datagram into
  // `rewritten` (reused between calls; at most 65535 bytes).
  virtual Verdict process(Direction direction, std::span<const std::uint8_t> packet,
                          std::vector<std::uint8_t>& rewritten) = 0;
};

}  // namespace aotls::backend::nfqueue
