// tests/unit/segment/test_packets.hpp - builds raw IPv4/IPv6 TCP packets for
// tests, the fuzz seed and the benchmark. Checksums are left at zero: TCP-AO
// never reads them.
#pragma once

#include <cstdint>
#include <vector>

#include "aotls/segment/byte_order.hpp"
#include "aotls/segment/ip_address.hpp"
#include "aotls/segment/tcp_options.hpp"

namespace aotls::test {

struct TestSegment {
  segment::IpVersion version = segment::IpVersion::V4;
  std::vector<std::uint8_t> ip_options;  // IPv4 only, a multiple of 4 bytes
  std::vector<std::uint8_t> src{10, 0, 0, 1};
  std::vector<std::uint8_t> dst{10, 0, 0, 2};
  std::uint16_t src_port = 40000;
  std::uint16_t dst_port = 179;
  std::uint32_t seq = 0x01020304;
  std::uint32_t ack = 0x0a0b0c0d;
  std::uint8_t flags = 0x18;              // PSH, ACK
  std::vector<std::uint8_t> tcp_options;  // padded by the builder to 4 bytes
  std::vector<std::uint8_t> payload;
};

// NOP, NOP, timestamps (10 bytes), TCP-AO with a zero MAC: the RFC 9235
// non-SYN layout.
inline std::vector<std::uint8_t> timestamps_and_ao(std::uint8_t key_id, std::uint8_t rnext,
                                                   std::size_t mac_len = 12) {
  std::vector<std::uint8_t> options{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  std::vector<std::uint8_t> ao(segment::kAoOptionHeaderLen + mac_len);
  (void)segment::encode_ao_option(ao, key_id, rnext, mac_len);
  options.insert(options.end(), ao.begin(), ao.end());
  return options;
}

inline TestSegment ipv6_segment() {
  TestSegment s;
  s.version = segment::IpVersion::V6;
  s.src = std::vector<std::uint8_t>(16, 0);
  s.dst = std::vector<std::uint8_t>(16, 0);
  s.src[0] = s.dst[0] = 0xfd;
  s.src[15] = 1;
  s.dst[15] = 2;
  return s;
}

inline std::vector<std::uint8_t> build_packet(const TestSegment& s) {
  std::vector<std::uint8_t> options = s.tcp_options;
  while (options.size() % 4 != 0) options.push_back(segment::kTcpOptionEol);
  const std::size_t tcp_len = 20 + options.size() + s.payload.size();
  const bool v4 = s.version == segment::IpVersion::V4;
  const std::size_t ip_len = v4 ? 20 + s.ip_options.size() : 40;
  std::vector<std::uint8_t> p(ip_len + tcp_len, 0);
  if (v4) {
    p[0] = static_cast<std::uint8_t>(0x40 | (ip_len / 4));
    segment::store_be16(p, 2, static_cast<std::uint16_t>(ip_len + tcp_len));
    p[8] = 64;
    p[9] = 6;
    std::copy(s.src.begin(), s.src.end(), p.begin() + 12);
    std::copy(s.dst.begin(), s.dst.end(), p.begin() + 16);
    std::copy(s.ip_options.begin(), s.ip_options.end(), p.begin() + 20);
  } else {
    p[0] = 0x60;
    segment::store_be16(p, 4, static_cast<std::uint16_t>(tcp_len));
    p[6] = 6;
    p[7] = 64;
    std::copy(s.src.begin(), s.src.end(), p.begin() + 8);
    std::copy(s.dst.begin(), s.dst.end(), p.begin() + 24);
  }
  const auto t = static_cast<std::ptrdiff_t>(ip_len);
  segment::store_be16(p, ip_len, s.src_port);
  segment::store_be16(p, ip_len + 2, s.dst_port);
  segment::store_be32(p, ip_len + 4, s.seq);
  segment::store_be32(p, ip_len + 8, s.ack);
  p[ip_len + 12] = static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4);
  p[ip_len + 13] = s.flags;
  segment::store_be16(p, ip_len + 14, 65535);
  std::copy(options.begin(), options.end(), p.begin() + t + 20);
  std::copy(s.payload.begin(), s.payload.end(),
            p.begin() + t + 20 + static_cast<std::ptrdiff_t>(options.size()));
  return p;
}

}  // namespace aotls::test
