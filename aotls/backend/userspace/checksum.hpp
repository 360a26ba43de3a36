// aotls/backend/userspace/checksum.hpp - the Internet checksum (RFC 1071)
// for the headers the user-space backend rewrites: the IPv4 header checksum
// and the TCP checksum over its IPv4 (RFC 9293 section 3.1) or IPv6
// (RFC 8200 section 8.1) pseudo-header.
#pragma once

#include <cstdint>
#include <span>

#include "aotls/segment/packet.hpp"

namespace aotls::backend::userspace {

// One's complement sum of `bytes` folded to 16 bits, added to `initial`
// (not complemented): building block for the checksums below.
std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0);

// The TCP checksum `view`'s segment should carry (computed with its checksum
// field taken as zero).
std::uint16_t tcp_checksum(const segment::PacketView& view);
// The IPv4 header checksum of `header` (its checksum field taken as zero).
std::uint16_t ipv4_header_checksum(std::span<const std::uint8_t> header);

// Writes both checksums (IPv4 header when IPv4, TCP always) into the packet
// `view` was parsed from.
void write_checksums(std::span<std::uint8_t> packet, const segment::PacketView& view);

}  // namespace aotls::backend::userspace
