// tests/ao/nfqueue/test_processors.hpp - trivial PacketProcessors that
// exercise the NFQUEUE shell without the TCP-AO packet core.
//
// MarkerProcessor mimics what the core does to TCP segments: outbound it
// appends an 8-byte RFC 6994 experimental option (kind 253, our ExID, a
// 32-bit packet counter) and fixes lengths and checksums; inbound it
// requires the option, checks the counter only grows (verdicts kept packet
// order at both ends), strips it and fixes the checksums again. Segments
// without room for it (options over 40 bytes) are dropped; tests disable
// SACK. Non-TCP packets (queued ICMP errors) pass and are counted.
#pragma once

#include <cstdint>

#include "aotls/backend/nfqueue/packet_processor.hpp"

namespace aotls::test {

using backend::nfqueue::Direction;
using backend::nfqueue::PacketProcessor;
using backend::nfqueue::Verdict;

inline constexpr std::uint8_t kMarkerKind = 253;  // RFC 6994 experimental
inline constexpr std::uint16_t kMarkerExId = 0xA07C;
inline constexpr std::size_t kMarkerLen = 8;

struct MarkerCounters {
  std::uint64_t marked = 0;               // outbound, option added
  std::uint64_t no_room = 0;              // outbound, dropped: options would pass 40 bytes
  std::uint64_t stripped = 0;             // inbound, option found and removed
  std::uint64_t missing = 0;              // inbound, dropped: no marker
  std::uint64_t out_of_order = 0;         // inbound, counter not above the last one
  std::uint64_t gaps = 0;                 // inbound, counter skipped values
  std::uint32_t first_disorder_last = 0;  // for the log: last counter before the first
  std::uint32_t first_disorder_seen = 0;  // gap or out-of-order event, and the one seen
  std::uint64_t other = 0;                // not IPv4/IPv6 TCP: passed
  std::uint64_t malformed = 0;            // truncated headers: dropped
};

class MarkerProcessor final : public PacketProcessor {
 public:
  Verdict process(Direction direction, std::span<const std::uint8_t> packet,
                  std::vector<std::uint8_t>& rewritten) override;
  const MarkerCounters& counters() const { return counters_; }

 private:
  MarkerCounters counters_;
  std::uint32_t next_counter_ = 1;
  std::uint32_t last_seen_ = 0;
};

// Passes everything, counting per direction.
class CountProcessor final : public PacketProcessor {
 public:
  Verdict process(Direction direction, std::span<const std::uint8_t> packet,
                  std::vector<std::uint8_t>& rewritten) override;
  std::uint64_t outbound = 0;
  std::uint64_t inbound = 0;
};

// Drops everything: a connection through it can never be made.
class DropProcessor final : public PacketProcessor {
 public:
  Verdict process(Direction direction, std::span<const std::uint8_t> packet,
                  std::vector<std::uint8_t>& rewritten) override;
  std::uint64_t dropped = 0;
};

// The TCP checksum (RFC 793 / RFC 8200 section 8.1 pseudo-header) a
// well-formed IPv4/IPv6 TCP packet should carry; for tests.
std::uint16_t tcp_checksum(std::span<const std::uint8_t> packet);

}  // namespace aotls::test
