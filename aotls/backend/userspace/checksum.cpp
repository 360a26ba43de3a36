#include "aotls/backend/userspace/checksum.hpp"

#include "aotls/segment/byte_order.hpp"

namespace aotls::backend::userspace {
namespace {

constexpr std::size_t kIpv4ChecksumOffset = 10;

std::uint16_t fold(std::uint32_t sum) {
  while ((sum >> 16) != 0) sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

// Sum of `bytes` skipping the two bytes at `skip` (a checksum field).
std::uint32_t sum_without(std::span<const std::uint8_t> bytes, std::size_t skip) {
  std::uint32_t sum = ones_complement_sum(bytes.first(skip));
  return ones_complement_sum(bytes.subspan(skip + 2), sum);
}

}  // namespace

std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial) {
  std::uint64_t sum = initial;
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += segment::load_be16(bytes, i);
  // An odd piece is padded with a zero byte; callers only split at even
  // offsets, so a trailing byte is always the segment's last.
  if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xffffU) + (sum >> 16);
  return static_cast<std::uint32_t>(sum);
}

std::uint16_t tcp_checksum(const segment::PacketView& view) {
  const std::size_t tcp_len = view.tcp_segment().size();
  std::uint32_t sum = ones_complement_sum(view.src_addr());
  sum = ones_complement_sum(view.dst_addr(), sum);
  // Both pseudo-headers reduce to: addresses, protocol, TCP length (the
  // IPv6 one's 32-bit length and zero padding add the same 16-bit words).
  sum += segment::kIpProtocolTcp;
  sum += static_cast<std::uint32_t>(tcp_len >> 16);
  sum += static_cast<std::uint32_t>(tcp_len & 0xffffU);
  sum = sum_without(view.tcp_segment(), segment::kTcpChecksumOffset) + fold(sum);
  return static_cast<std::uint16_t>(~fold(sum));
}

std::uint16_t ipv4_header_checksum(std::span<const std::uint8_t> header) {
  return static_cast<std::uint16_t>(~fold(sum_without(header, kIpv4ChecksumOffset)));
}

void write_checksums(std::span<std::uint8_t> packet, const segment::PacketView& view) {
  if (view.ip_version() == segment::IpVersion::V4) {
    const auto header = std::span<const std::uint8_t>(packet).first(view.tcp_offset());
    segment::store_be16(packet, kIpv4ChecksumOffset, ipv4_header_checksum(header));
  }
  segment::store_be16(packet, view.tcp_offset() + segment::kTcpChecksumOffset, tcp_checksum(view));
}

}  // namespace aotls::backend::userspace
