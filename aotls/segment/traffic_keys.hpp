// aotls/segment/traffic_keys.hpp - KDF contexts and the four traffic keys of
// an MKT on one connection (RFC 5925 section 5.2).
//
// The context is the segment's socket pair and ISNs seen from the segment
// (its source first):
//   src addr | dst addr | src port | dst port | src ISN | dst ISN
// (20 bytes for IPv4, 44 for IPv6, big-endian). Only a pure SYN (SYN=1,
// ACK=0) zeroes dst ISN; a SYN-ACK already knows both ISNs and is keyed with
// the "other" traffic keys (RFC 9235's SYN-ACK vectors confirm this).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "aotls/crypto/algorithms.hpp"
#include "aotls/crypto/secret.hpp"
#include "aotls/segment/ip_address.hpp"
#include "aotls/segment/packet.hpp"
#include "aotls/segment/segment_error.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

inline constexpr std::size_t kMaxKdfContextLen = 16 + 16 + 2 + 2 + 4 + 4;

class KdfContext {
 public:
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size_}; }

 private:
  friend class KdfContextBuilder;
  std::array<std::uint8_t, kMaxKdfContextLen> bytes_{};
  std::size_t size_ = 0;
};

// The context of a segment from `src` to `dst`. AddressFamilyMismatch when
// the two addresses are of different families.
common::Expected<KdfContext, SegmentError> kdf_context(const IpAddress& src, const IpAddress& dst,
                                                       std::uint16_t src_port,
                                                       std::uint16_t dst_port,
                                                       std::uint32_t src_isn,
                                                       std::uint32_t dst_isn);

// The context for a parsed segment, given the ISNs of its sender (src) and
// receiver (dst); dst_isn is replaced by 0 when the segment is a pure SYN.
KdfContext kdf_context(const PacketView& segment, std::uint32_t src_isn, std::uint32_t dst_isn);

enum class TrafficKeyKind : std::uint8_t { SendSyn, ReceiveSyn, SendOther, ReceiveOther };
enum class Direction : std::uint8_t { Send, Receive };

// Which of the four keys signs (Send) or verifies (Receive) `segment`.
TrafficKeyKind traffic_key_kind(const PacketView& segment, Direction direction);

// One TCP connection from this endpoint's point of view.
struct ConnectionId {
  IpAddress local_addr;
  IpAddress remote_addr;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;
  std::uint32_t local_isn = 0;
  std::uint32_t remote_isn = 0;
};

// The context of the traffic key `kind` on `connection`.
common::Expected<KdfContext, SegmentError> kdf_context(const ConnectionId& connection,
                                                       TrafficKeyKind kind);

struct TrafficKeys {
  crypto::Secret send_syn;
  crypto::Secret receive_syn;
  crypto::Secret send_other;
  crypto::Secret receive_other;

  const crypto::Secret& get(TrafficKeyKind kind) const;
};

// Derives the four traffic keys of an MKT (master key + KDF) for a
// connection. BadMasterKey for an empty master key.
common::Expected<TrafficKeys, SegmentError> derive_traffic_keys(
    crypto::KdfAlgorithm kdf, std::span<const std::uint8_t> master_key,
    const ConnectionId& connection);

}  // namespace aotls::segment
