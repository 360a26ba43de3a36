// aotls/segment/packet.hpp - a parsed view of one raw IPv4 or IPv6 TCP packet.
//
// The view locates, without copying, what TCP-AO needs: the addresses, the
// TCP header, its options (and the TCP-AO option among them) and the payload.
// It stores offsets, so the same layout serves a const packet (verify) and
// the mutable buffer it was parsed from (sign writes the MAC in place).
//
// Deliberately not checked (RFC 5925 section 5.1 leaves them out of the MAC,
// and the RFC 9235 IPv4 vectors carry wrong TCP checksums): IPv4 TOS, ID,
// flags, fragment offset, TTL and header checksum; IPv6 traffic class, flow
// label and hop limit; the TCP checksum. Fragments are expected to be
// reassembled before they reach TCP-AO (netfilter's defragmentation does so
// ahead of NFQUEUE). Bytes after the IP length field's end (link padding) are
// ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "aotls/segment/ip_address.hpp"
#include "aotls/segment/segment_error.hpp"
#include "aotls/segment/tcp_options.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

inline constexpr std::uint8_t kIpProtocolTcp = 6;
inline constexpr std::size_t kIpv4MinHeaderLen = 20;
inline constexpr std::size_t kIpv6HeaderLen = 40;
inline constexpr std::size_t kTcpMinHeaderLen = 20;
inline constexpr std::size_t kTcpChecksumOffset = 16;

inline constexpr std::uint8_t kTcpFlagFin = 0x01;
inline constexpr std::uint8_t kTcpFlagSyn = 0x02;
inline constexpr std::uint8_t kTcpFlagRst = 0x04;
inline constexpr std::uint8_t kTcpFlagAck = 0x10;

class PacketView {
 public:
  // Parses the IP header (IPv4 with options; IPv6 without extension
  // headers), the TCP header and the full option list.
  static common::Expected<PacketView, SegmentError> parse(std::span<const std::uint8_t> packet);

  IpVersion ip_version() const { return version_; }
  // The IP packet up to its length field's end.
  std::span<const std::uint8_t> packet() const { return packet_; }
  std::span<const std::uint8_t> src_addr() const;
  std::span<const std::uint8_t> dst_addr() const;

  std::size_t tcp_offset() const { return tcp_offset_; }
  std::size_t tcp_header_len() const { return tcp_header_len_; }
  // TCP header + options + payload: the "TCP length" of the pseudo-header.
  std::span<const std::uint8_t> tcp_segment() const { return packet_.subspan(tcp_offset_); }
  std::span<const std::uint8_t> tcp_header() const {
    return packet_.subspan(tcp_offset_, tcp_header_len_);
  }
  std::span<const std::uint8_t> options() const { return tcp_header().subspan(kTcpMinHeaderLen); }
  std::span<const std::uint8_t> payload() const {
    return packet_.subspan(tcp_offset_ + tcp_header_len_);
  }

  std::uint16_t src_port() const;
  std::uint16_t dst_port() const;
  std::uint32_t seq() const;
  std::uint32_t ack() const;
  std::uint8_t flags() const { return packet_[tcp_offset_ + 13]; }
  // A SYN without ACK: the one segment whose traffic key zeroes the peer's
  // ISN (RFC 5925 section 5.2).
  bool is_pure_syn() const { return (flags() & (kTcpFlagSyn | kTcpFlagAck)) == kTcpFlagSyn; }

  const std::optional<AoOption>& ao() const { return ao_; }
  // Offset of the TCP-AO MAC from the start of the packet (requires ao()).
  std::size_t ao_mac_offset() const { return tcp_offset_ + kTcpMinHeaderLen + ao_->mac_offset(); }

 private:
  PacketView() = default;

  std::span<const std::uint8_t> packet_;
  IpVersion version_ = IpVersion::V4;
  std::size_t tcp_offset_ = 0;
  std::size_t tcp_header_len_ = 0;
  std::optional<AoOption> ao_;
};

}  // namespace aotls::segment
