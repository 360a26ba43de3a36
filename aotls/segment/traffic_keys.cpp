#include "aotls/segment/traffic_keys.hpp"

#include <algorithm>
#include <utility>

#include "aotls/crypto/kdf.hpp"
#include "aotls/segment/byte_order.hpp"

namespace aotls::segment {

class KdfContextBuilder {
 public:
  static KdfContext build(std::span<const std::uint8_t> src, std::span<const std::uint8_t> dst,
                          std::uint16_t src_port, std::uint16_t dst_port, std::uint32_t src_isn,
                          std::uint32_t dst_isn) {
    KdfContext context;
    const std::span<std::uint8_t> out(context.bytes_);
    std::size_t pos = 0;
    for (const auto& address : {src, dst}) {
      std::copy(address.begin(), address.end(), out.begin() + static_cast<std::ptrdiff_t>(pos));
      pos += address.size();
    }
    store_be16(out, pos, src_port);
    store_be16(out, pos + 2, dst_port);
    store_be32(out, pos + 4, src_isn);
    store_be32(out, pos + 8, dst_isn);
    context.size_ = pos + 12;
    return context;
  }
};

common::Expected<KdfContext, SegmentError> kdf_context(const IpAddress& src, const IpAddress& dst,
                                                       std::uint16_t src_port,
                                                       std::uint16_t dst_port,
                                                       std::uint32_t src_isn,
                                                       std::uint32_t dst_isn) {
  if (src.version() != dst.version()) {
    return common::Unexpected(SegmentError::AddressFamilyMismatch);
  }
  return KdfContextBuilder::build(src.bytes(), dst.bytes(), src_port, dst_port, src_isn, dst_isn);
}

KdfContext kdf_context(const PacketView& segment, std::uint32_t src_isn, std::uint32_t dst_isn) {
  return KdfContextBuilder::build(segment.src_addr(), segment.dst_addr(), segment.src_port(),
                                  segment.dst_port(), src_isn, segment.is_pure_syn() ? 0 : dst_isn);
}

TrafficKeyKind traffic_key_kind(const PacketView& segment, Direction direction) {
  const bool syn = segment.is_pure_syn();
  if (direction == Direction::Send)
    return syn ? TrafficKeyKind::SendSyn : TrafficKeyKind::SendOther;
  return syn ? TrafficKeyKind::ReceiveSyn : TrafficKeyKind::ReceiveOther;
}

common::Expected<KdfContext, SegmentError> kdf_context(const ConnectionId& c, TrafficKeyKind kind) {
  switch (kind) {
    case TrafficKeyKind::SendSyn:
      return kdf_context(c.local_addr, c.remote_addr, c.local_port, c.remote_port, c.local_isn, 0);
    case TrafficKeyKind::ReceiveSyn:
      return kdf_context(c.remote_addr, c.local_addr, c.remote_port, c.local_port, c.remote_isn, 0);
    case TrafficKeyKind::SendOther:
      return kdf_context(c.local_addr, c.remote_addr, c.local_port, c.remote_port, c.local_isn,
                         c.remote_isn);
    case TrafficKeyKind::ReceiveOther:
      return kdf_context(c.remote_addr, c.local_addr, c.remote_port, c.local_port, c.remote_isn,
                         c.local_isn);
  }
  return common::Unexpected(SegmentError::AddressFamilyMismatch);  // unreachable
}

const crypto::Secret& TrafficKeys::get(TrafficKeyKind kind) const {
  switch (kind) {
    case TrafficKeyKind::SendSyn:
      return send_syn;
    case TrafficKeyKind::ReceiveSyn:
      return receive_syn;
    case TrafficKeyKind::SendOther:
      return send_other;
    case TrafficKeyKind::ReceiveOther:
      return receive_other;
  }
  return send_other;  // unreachable
}

common::Expected<TrafficKeys, SegmentError> derive_traffic_keys(
    crypto::KdfAlgorithm kdf, std::span<const std::uint8_t> master_key,
    const ConnectionId& connection) {
  if (master_key.empty()) return common::Unexpected(SegmentError::BadMasterKey);
  auto derive = [&](TrafficKeyKind kind) -> common::Expected<crypto::Secret, SegmentError> {
    auto context = kdf_context(connection, kind);
    if (!context) return common::Unexpected(context.error());
    auto key = crypto::derive_traffic_key(kdf, master_key, context->bytes());
    if (!key) return common::Unexpected(SegmentError::CryptoFailure);
    return std::move(*key);
  };
  auto send_syn = derive(TrafficKeyKind::SendSyn);
  auto receive_syn = derive(TrafficKeyKind::ReceiveSyn);
  auto send_other = derive(TrafficKeyKind::SendOther);
  auto receive_other = derive(TrafficKeyKind::ReceiveOther);
  for (const auto* key : {&send_syn, &receive_syn, &send_other, &receive_other}) {
    if (!*key) return common::Unexpected(key->error());
  }
  return TrafficKeys{std::move(*send_syn), std::move(*receive_syn), std::move(*send_other),
                     std::move(*receive_other)};
}

}  // namespace aotls::segment
