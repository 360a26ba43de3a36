// tests/unit/userspace/packet_builder.hpp - raw IPv4/IPv6 TCP packets as a
// kernel without TCP-AO would hand them to the user-space backend, and an
// independent checksum check (written from RFC 1071 / RFC 9293 / RFC 8200,
// not from the code under test).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aotls/backend/userspace/flow.hpp"
#include "aotls/segment/ip_address.hpp"

namespace aotls::backend::userspace::testing {

inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kPsh = 0x08;

struct TcpSpec {
  segment::IpAddress src;
  segment::IpAddress dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = kAck;
  std::vector<std::uint8_t> options;  // padded by the builder with EOL
  std::vector<std::uint8_t> payload;
};

segment::IpAddress ip(const std::string& text);
// A well-formed packet with correct checksums.
std::vector<std::uint8_t> build(const TcpSpec& spec);

// Option helpers (raw bytes).
std::vector<std::uint8_t> mss_option(std::uint16_t mss);
std::vector<std::uint8_t> timestamps_option(std::uint32_t value, std::uint32_t echo);  // NOP NOP TS
std::vector<std::uint8_t> sack_option(std::size_t blocks);  // NOP NOP SACK
std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts);

// Both checksums (IPv4 header and TCP) valid, and the IP length field
// matching the buffer.
bool checksums_valid(std::span<const std::uint8_t> packet);

// Offsets inside a packet.
std::size_t tcp_offset(std::span<const std::uint8_t> packet);
std::size_t tcp_header_len(std::span<const std::uint8_t> packet);
std::vector<std::uint8_t> tcp_options(std::span<const std::uint8_t> packet);
std::vector<std::uint8_t> tcp_payload(std::span<const std::uint8_t> packet);

// Removes a TCP-AO option that ends the option list (RFC 9235's packets put
// it last), fixing lengths and checksums by this file's own code.
std::vector<std::uint8_t> without_trailing_ao(std::span<const std::uint8_t> packet);
// Sets the value of an MSS option at the start of the option list.
void set_leading_mss(std::vector<std::uint8_t>& packet, std::uint16_t mss);
// Recomputes both checksums with this file's own code.
void fix_checksums(std::vector<std::uint8_t>& packet);

// An ICMP(v6) error quoting the first bytes of `quoted`, sent by `from`.
std::vector<std::uint8_t> icmp_error(const segment::IpAddress& from, const segment::IpAddress& to,
                                     std::uint8_t type, std::uint8_t code,
                                     std::span<const std::uint8_t> quoted);

}  // namespace aotls::backend::userspace::testing
