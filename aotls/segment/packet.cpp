#include "aotls/segment/packet.hpp"

#include <algorithm>
#include <array>

#include "aotls/segment/byte_order.hpp"

namespace aotls::segment {
namespace {

// IPv6 next-header values that are extension headers (IANA "IPv6 Extension
// Header Types"), as opposed to an upper-layer protocol that is not TCP.
constexpr std::array<std::uint8_t, 11> kIpv6ExtensionHeaders{0,   43,  44,  50,  51, 60,
                                                             135, 139, 140, 253, 254};

struct IpLayer {
  std::size_t packet_len;  // from the IP length field
  std::size_t header_len;
};

common::Expected<IpLayer, SegmentError> parse_ipv4(std::span<const std::uint8_t> packet) {
  if (packet.size() < kIpv4MinHeaderLen) return common::Unexpected(SegmentError::Truncated);
  const std::size_t header_len = std::size_t{packet[0] & 0x0fU} * 4;
  const std::size_t total_len = load_be16(packet, 2);
  if (header_len < kIpv4MinHeaderLen || total_len < header_len) {
    return common::Unexpected(SegmentError::BadIpHeaderLength);
  }
  if (total_len > packet.size()) return common::Unexpected(SegmentError::Truncated);
  if (packet[9] != kIpProtocolTcp) return common::Unexpected(SegmentError::NotTcp);
  return IpLayer{total_len, header_len};
}

common::Expected<IpLayer, SegmentError> parse_ipv6(std::span<const std::uint8_t> packet) {
  if (packet.size() < kIpv6HeaderLen) return common::Unexpected(SegmentError::Truncated);
  const std::size_t total_len = kIpv6HeaderLen + load_be16(packet, 4);
  if (total_len > packet.size()) return common::Unexpected(SegmentError::Truncated);
  const std::uint8_t next_header = packet[6];
  if (next_header != kIpProtocolTcp) {
    const bool extension = std::find(kIpv6ExtensionHeaders.begin(), kIpv6ExtensionHeaders.end(),
                                     next_header) != kIpv6ExtensionHeaders.end();
    return common::Unexpected(extension ? SegmentError::UnsupportedExtensionHeader
                                        : SegmentError::NotTcp);
  }
  return IpLayer{total_len, kIpv6HeaderLen};
}

}  // namespace

common::Expected<PacketView, SegmentError> PacketView::parse(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return common::Unexpected(SegmentError::Truncated);
  PacketView view;
  common::Expected<IpLayer, SegmentError> ip = common::Unexpected(SegmentError::BadIpVersion);
  switch (packet[0] >> 4) {
    case 4:
      view.version_ = IpVersion::V4;
      ip = parse_ipv4(packet);
      break;
    case 6:
      view.version_ = IpVersion::V6;
      ip = parse_ipv6(packet);
      break;
    default:
      break;
  }
  if (!ip) return common::Unexpected(ip.error());

  view.packet_ = packet.first(ip->packet_len);
  view.tcp_offset_ = ip->header_len;
  const std::span<const std::uint8_t> tcp = view.tcp_segment();
  if (tcp.size() < kTcpMinHeaderLen) return common::Unexpected(SegmentError::Truncated);
  view.tcp_header_len_ = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (view.tcp_header_len_ < kTcpMinHeaderLen || view.tcp_header_len_ > tcp.size()) {
    return common::Unexpected(SegmentError::BadTcpDataOffset);
  }
  auto ao = find_ao_option(view.options());
  if (!ao) return common::Unexpected(ao.error());
  view.ao_ = *ao;
  return view;
}

std::span<const std::uint8_t> PacketView::src_addr() const {
  return version_ == IpVersion::V4 ? packet_.subspan(12, 4) : packet_.subspan(8, 16);
}

std::span<const std::uint8_t> PacketView::dst_addr() const {
  return version_ == IpVersion::V4 ? packet_.subspan(16, 4) : packet_.subspan(24, 16);
}

std::uint16_t PacketView::src_port() const {
  return load_be16(packet_, tcp_offset_);
}
std::uint16_t PacketView::dst_port() const {
  return load_be16(packet_, tcp_offset_ + 2);
}
std::uint32_t PacketView::seq() const {
  return load_be32(packet_, tcp_offset_ + 4);
}
std::uint32_t PacketView::ack() const {
  return load_be32(packet_, tcp_offset_ + 8);
}

}  // namespace aotls::segment
