#include "aotls/backend/userspace/flow.hpp"

#include <algorithm>
#include <array>

#include "aotls/segment/byte_order.hpp"

namespace aotls::backend::userspace {
namespace {

constexpr std::uint8_t kIpProtocolIcmp = 1;
constexpr std::uint8_t kIpProtocolIcmpv6 = 58;
constexpr std::size_t kIcmpHeaderLen = 8;   // type, code, checksum, 4 unused
constexpr std::size_t kQuotedTcpBytes = 8;  // ports and sequence number (RFC 792)
constexpr std::size_t kIpv4ProtocolOffset = 9;
constexpr std::size_t kIpv6NextHeaderOffset = 6;

// RFC 5925 section 7.8, as a table: (type, code) pairs ignored by default.
struct IcmpRule {
  segment::IpVersion version;
  std::uint8_t type;
  std::uint8_t code;
};
constexpr std::array<IcmpRule, 5> kIgnoredIcmp{{
    {segment::IpVersion::V4, 3, 2},  // protocol unreachable
    {segment::IpVersion::V4, 3, 3},  // port unreachable
    {segment::IpVersion::V4, 3, 4},  // fragmentation needed
    {segment::IpVersion::V6, 1, 1},  // administratively prohibited
    {segment::IpVersion::V6, 1, 4},  // port unreachable
}};

struct IpHeader {
  segment::IpVersion version;
  std::size_t header_len;
  std::uint8_t protocol;
  std::span<const std::uint8_t> src;
  std::span<const std::uint8_t> dst;
};

// The fixed part of an IP header (IPv6 extension headers are not walked,
// like the segment parser).
std::optional<IpHeader> ip_header(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  if (packet[0] >> 4 == 4 && packet.size() >= segment::kIpv4MinHeaderLen) {
    const std::size_t len = std::size_t{packet[0] & 0x0fU} * 4;
    if (len < segment::kIpv4MinHeaderLen || len > packet.size()) return std::nullopt;
    return IpHeader{segment::IpVersion::V4, len, packet[kIpv4ProtocolOffset], packet.subspan(12, 4),
                    packet.subspan(16, 4)};
  }
  if (packet[0] >> 4 == 6 && packet.size() >= segment::kIpv6HeaderLen) {
    return IpHeader{segment::IpVersion::V6, segment::kIpv6HeaderLen, packet[kIpv6NextHeaderOffset],
                    packet.subspan(8, 16), packet.subspan(24, 16)};
  }
  return std::nullopt;
}

std::uint8_t icmp_protocol(segment::IpVersion version) {
  return version == segment::IpVersion::V4 ? kIpProtocolIcmp : kIpProtocolIcmpv6;
}

segment::IpAddress address(std::span<const std::uint8_t> bytes) {
  return *segment::IpAddress::from_bytes(bytes);  // 4 or 16 bytes by construction
}

}  // namespace

FlowTuple flow_of(const segment::PacketView& view, PacketDirection direction) {
  const auto src = address(view.src_addr());
  const auto dst = address(view.dst_addr());
  if (direction == PacketDirection::Outbound) {
    return FlowTuple{src, dst, view.src_port(), view.dst_port()};
  }
  return FlowTuple{dst, src, view.dst_port(), view.src_port()};
}

bool prefix_contains(const PeerPrefix& prefix, const segment::IpAddress& address) {
  if (prefix.address.version() != address.version()) return false;
  const auto want = prefix.address.bytes();
  const auto have = address.bytes();
  for (std::size_t bit = 0; bit < prefix.prefix_len && bit < have.size() * 8; ++bit) {
    const auto mask = static_cast<std::uint8_t>(0x80U >> (bit % 8));
    if ((want[bit / 8] & mask) != (have[bit / 8] & mask)) return false;
  }
  return true;
}

Payload classify(std::span<const std::uint8_t> packet) {
  const auto ip = ip_header(packet);
  if (!ip) return Payload::Malformed;
  if (ip->protocol == segment::kIpProtocolTcp) return Payload::Tcp;
  if (ip->protocol == icmp_protocol(ip->version)) return Payload::Icmp;
  return Payload::Other;
}

std::optional<IgnorableIcmp> ignorable_icmp(std::span<const std::uint8_t> packet) {
  const auto ip = ip_header(packet);
  if (!ip || ip->protocol != icmp_protocol(ip->version)) return std::nullopt;
  const auto icmp = packet.subspan(ip->header_len);
  if (icmp.size() < kIcmpHeaderLen) return std::nullopt;
  const bool listed = std::any_of(kIgnoredIcmp.begin(), kIgnoredIcmp.end(), [&](const IcmpRule& r) {
    return r.version == ip->version && r.type == icmp[0] && r.code == icmp[1];
  });
  if (!listed) return std::nullopt;
  const auto quoted = ip_header(icmp.subspan(kIcmpHeaderLen));
  if (!quoted || quoted->version != ip->version || quoted->protocol != segment::kIpProtocolTcp) {
    return std::nullopt;
  }
  const auto tcp = icmp.subspan(kIcmpHeaderLen + quoted->header_len);
  if (tcp.size() < kQuotedTcpBytes) return std::nullopt;
  // The quoted segment is one this host sent: its source is our end.
  return IgnorableIcmp{FlowTuple{address(quoted->src), address(quoted->dst),
                                 segment::load_be16(tcp, 0), segment::load_be16(tcp, 2)}};
}

}  // namespace aotls::backend::userspace
