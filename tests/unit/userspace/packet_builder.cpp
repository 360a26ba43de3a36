#include "packet_builder.hpp"

#include <stdexcept>

namespace aotls::backend::userspace::testing {
namespace {

bool is_v4(std::span<const std::uint8_t> packet) {
  return (packet[0] >> 4) == 4;
}

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] * 256 + b[at + 1]);
}

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>((v >> 8) & 0xff);
  b[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

// RFC 1071: sum of 16-bit words (odd tail padded), end-around carry.
std::uint16_t internet_checksum(const std::vector<std::uint8_t>& bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    const std::uint32_t hi = bytes[i];
    const std::uint32_t lo = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += (hi << 8) | lo;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// Pseudo-header (RFC 9293 3.1 / RFC 8200 8.1) followed by the segment.
std::vector<std::uint8_t> checksum_input(std::span<const std::uint8_t> packet) {
  const std::size_t off = tcp_offset(packet);
  const std::size_t tcp_len = packet.size() - off;
  std::vector<std::uint8_t> in;
  if (is_v4(packet)) {
    in.assign(packet.begin() + 12, packet.begin() + 20);
    in.push_back(0);
    in.push_back(6);
    in.push_back(static_cast<std::uint8_t>(tcp_len >> 8));
    in.push_back(static_cast<std::uint8_t>(tcp_len));
  } else {
    in.assign(packet.begin() + 8, packet.begin() + 40);
    for (int shift : {24, 16, 8, 0}) in.push_back(static_cast<std::uint8_t>(tcp_len >> shift));
    in.insert(in.end(), {0, 0, 0, 6});
  }
  in.insert(in.end(), packet.begin() + static_cast<std::ptrdiff_t>(off), packet.end());
  return in;
}

std::vector<std::uint8_t> ip_header(const segment::IpAddress& src, const segment::IpAddress& dst,
                                    std::uint8_t protocol, std::size_t payload_len) {
  std::vector<std::uint8_t> h;
  if (src.version() == segment::IpVersion::V4) {
    h = {0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, protocol, 0, 0};
    h.insert(h.end(), src.bytes().begin(), src.bytes().end());
    h.insert(h.end(), dst.bytes().begin(), dst.bytes().end());
    put16(h, 2, static_cast<std::uint32_t>(20 + payload_len));
  } else {
    h = {0x60, 0, 0, 0, 0, 0, protocol, 64};
    h.insert(h.end(), src.bytes().begin(), src.bytes().end());
    h.insert(h.end(), dst.bytes().begin(), dst.bytes().end());
    put16(h, 4, static_cast<std::uint32_t>(payload_len));
  }
  return h;
}

void fix_ip_length(std::vector<std::uint8_t>& packet) {
  if (is_v4(packet)) {
    put16(packet, 2, static_cast<std::uint32_t>(packet.size()));
  } else {
    put16(packet, 4, static_cast<std::uint32_t>(packet.size() - 40));
  }
}

}  // namespace

segment::IpAddress ip(const std::string& text) {
  auto parsed = segment::IpAddress::parse(text);
  if (!parsed) throw std::invalid_argument("bad address " + text);
  return *parsed;
}

std::vector<std::uint8_t> build(const TcpSpec& spec) {
  std::vector<std::uint8_t> options = spec.options;
  while (options.size() % 4 != 0) options.push_back(0);
  std::vector<std::uint8_t> tcp(20, 0);
  put16(tcp, 0, spec.src_port);
  put16(tcp, 2, spec.dst_port);
  put32(tcp, 4, spec.seq);
  put32(tcp, 8, spec.ack);
  tcp[12] = static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4);
  tcp[13] = spec.flags;
  put16(tcp, 14, 64000);
  tcp.insert(tcp.end(), options.begin(), options.end());
  tcp.insert(tcp.end(), spec.payload.begin(), spec.payload.end());
  std::vector<std::uint8_t> packet = ip_header(spec.src, spec.dst, 6, tcp.size());
  packet.insert(packet.end(), tcp.begin(), tcp.end());
  fix_checksums(packet);
  return packet;
}

std::vector<std::uint8_t> mss_option(std::uint16_t mss) {
  return {2, 4, static_cast<std::uint8_t>(mss >> 8), static_cast<std::uint8_t>(mss)};
}

std::vector<std::uint8_t> timestamps_option(std::uint32_t value, std::uint32_t echo) {
  std::vector<std::uint8_t> o{1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0};
  put32(o, 4, value);
  put32(o, 8, echo);
  return o;
}

std::vector<std::uint8_t> sack_option(std::size_t blocks) {
  std::vector<std::uint8_t> o{1, 1, 5, static_cast<std::uint8_t>(2 + 8 * blocks)};
  for (std::size_t i = 0; i < blocks * 8; ++i) o.push_back(static_cast<std::uint8_t>(0xa0 + i));
  return o;
}

std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::size_t tcp_offset(std::span<const std::uint8_t> packet) {
  return is_v4(packet) ? std::size_t{packet[0] & 0x0fU} * 4 : 40;
}

std::size_t tcp_header_len(std::span<const std::uint8_t> packet) {
  return std::size_t{packet[tcp_offset(packet) + 12]} >> 4 << 2;
}

std::vector<std::uint8_t> tcp_options(std::span<const std::uint8_t> packet) {
  const std::size_t off = tcp_offset(packet);
  return {packet.begin() + static_cast<std::ptrdiff_t>(off + 20),
          packet.begin() + static_cast<std::ptrdiff_t>(off + tcp_header_len(packet))};
}

std::vector<std::uint8_t> tcp_payload(std::span<const std::uint8_t> packet) {
  const std::size_t start = tcp_offset(packet) + tcp_header_len(packet);
  return {packet.begin() + static_cast<std::ptrdiff_t>(start), packet.end()};
}

bool checksums_valid(std::span<const std::uint8_t> packet) {
  const std::size_t ip_len = is_v4(packet) ? get16(packet, 2) : 40u + get16(packet, 4);
  if (ip_len != packet.size()) return false;
  if (is_v4(packet)) {
    const std::vector<std::uint8_t> header(
        packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(tcp_offset(packet)));
    if (internet_checksum(header) != 0) return false;
  }
  return internet_checksum(checksum_input(packet)) == 0;
}

void fix_checksums(std::vector<std::uint8_t>& packet) {
  const std::size_t off = tcp_offset(packet);
  if (is_v4(packet)) {
    put16(packet, 10, 0);
    put16(packet, 10,
          internet_checksum({packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(off)}));
  }
  put16(packet, off + 16, 0);
  put16(packet, off + 16, internet_checksum(checksum_input(packet)));
}

std::vector<std::uint8_t> without_trailing_ao(std::span<const std::uint8_t> packet) {
  std::vector<std::uint8_t> out(packet.begin(), packet.end());
  const std::size_t off = tcp_offset(out);
  const std::size_t hlen = tcp_header_len(out);
  const std::size_t ao_at = off + hlen - 16;
  if (out[ao_at] != 29 || out[ao_at + 1] != 16) throw std::runtime_error("no trailing AO option");
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(ao_at),
            out.begin() + static_cast<std::ptrdiff_t>(ao_at + 16));
  out[off + 12] = static_cast<std::uint8_t>(((hlen - 16) / 4) << 4 | (out[off + 12] & 0x0f));
  fix_ip_length(out);
  fix_checksums(out);
  return out;
}

void set_leading_mss(std::vector<std::uint8_t>& packet, std::uint16_t mss) {
  const std::size_t at = tcp_offset(packet) + 20;
  if (packet[at] != 2 || packet[at + 1] != 4) throw std::runtime_error("no leading MSS option");
  put16(packet, at + 2, mss);
  fix_checksums(packet);
}

std::vector<std::uint8_t> icmp_error(const segment::IpAddress& from, const segment::IpAddress& to,
                                     std::uint8_t type, std::uint8_t code,
                                     std::span<const std::uint8_t> quoted) {
  const std::size_t quote_len = std::min<std::size_t>(quoted.size(), tcp_offset(quoted) + 8);
  std::vector<std::uint8_t> icmp{type, code, 0, 0, 0, 0, 0, 0};
  icmp.insert(icmp.end(), quoted.begin(), quoted.begin() + static_cast<std::ptrdiff_t>(quote_len));
  const bool v4 = from.version() == segment::IpVersion::V4;
  std::vector<std::uint8_t> packet = ip_header(from, to, v4 ? 1 : 58, icmp.size());
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  if (v4) {
    put16(packet, 10, internet_checksum({packet.begin(), packet.begin() + 20}));
  }
  return packet;
}

}  // namespace aotls::backend::userspace::testing
