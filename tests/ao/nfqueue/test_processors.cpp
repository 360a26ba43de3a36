// tests/ao/nfqueue/test_processors.cpp - see test_processors.hpp.
#include "tests/ao/nfqueue/test_processors.hpp"

#include <optional>

namespace aotls::test {
namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::size_t kMaxOptions = 40;

std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
void put16(std::vector<std::uint8_t>& b, std::size_t at, std::size_t value) {
  b[at] = static_cast<std::uint8_t>(value >> 8);
  b[at + 1] = static_cast<std::uint8_t>(value);
}
std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(get16(b, at)) << 16 | get16(b, at + 2);
}

// Where the TCP header starts and how long it is, for IPv4 or IPv6 (no
// extension headers) packets whose lengths are consistent.
struct TcpLayout {
  bool v6 = false;
  std::size_t tcp = 0;         // offset of the TCP header
  std::size_t header_len = 0;  // TCP header with options
};

std::optional<TcpLayout> tcp_layout(std::span<const std::uint8_t> p) {
  if (p.empty()) return std::nullopt;
  TcpLayout layout;
  if (p[0] >> 4 == 4) {
    if (p.size() < 20 || p[9] != kTcp || get16(p, 2) != p.size()) return std::nullopt;
    layout.tcp = static_cast<std::size_t>(p[0] & 0x0f) * 4;
  } else if (p[0] >> 4 == 6) {
    if (p.size() < 40 || p[6] != kTcp || get16(p, 4) + 40u != p.size()) return std::nullopt;
    layout.v6 = true;
    layout.tcp = 40;
  } else {
    return std::nullopt;
  }
  if (p.size() < layout.tcp + 20) return std::nullopt;
  layout.header_len = static_cast<std::size_t>(p[layout.tcp + 12] >> 4) * 4;
  if (layout.header_len < 20 || p.size() < layout.tcp + layout.header_len) return std::nullopt;
  return layout;
}

std::uint32_t sum16(std::span<const std::uint8_t> b, std::uint32_t sum) {
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += get16(b, i);
  if (b.size() % 2 != 0) sum += static_cast<std::uint32_t>(b.back()) << 8;
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t checksum_of(std::span<const std::uint8_t> p, const TcpLayout& layout) {
  const auto segment = p.subspan(layout.tcp);
  std::uint32_t sum = layout.v6 ? sum16(p.subspan(8, 32), 0) : sum16(p.subspan(12, 8), 0);
  sum += kTcp + static_cast<std::uint32_t>(segment.size());
  // The checksum field itself counts as zero.
  sum = sum16(segment.first(16), sum);
  return fold(sum16(segment.subspan(18), sum));
}

// After a length change: IP length fields, data offset, both checksums.
void fix_headers(std::vector<std::uint8_t>& p, const TcpLayout& layout, std::size_t header_len) {
  p[layout.tcp + 12] =
      static_cast<std::uint8_t>((header_len / 4) << 4 | (p[layout.tcp + 12] & 0x0f));
  if (layout.v6) {
    put16(p, 4, p.size() - 40);
  } else {
    put16(p, 2, p.size());
    put16(p, 10, 0);
    put16(p, 10, fold(sum16(std::span(p).first(layout.tcp), 0)));
  }
  TcpLayout fixed = layout;
  fixed.header_len = header_len;
  put16(p, layout.tcp + 16, checksum_of(p, fixed));
}

// Offset of our marker in the options, if present.
std::optional<std::size_t> find_marker(std::span<const std::uint8_t> p, const TcpLayout& layout) {
  std::size_t at = layout.tcp + 20;
  const std::size_t end = layout.tcp + layout.header_len;
  while (at < end) {
    const auto kind = p[at];
    if (kind == 0) break;
    if (kind == 1) {
      ++at;
      continue;
    }
    if (at + 1 >= end || p[at + 1] < 2 || at + p[at + 1] > end) break;
    if (kind == kMarkerKind && p[at + 1] == kMarkerLen && get16(p, at + 2) == kMarkerExId)
      return at;
    at += p[at + 1];
  }
  return std::nullopt;
}

}  // namespace

std::uint16_t tcp_checksum(std::span<const std::uint8_t> packet) {
  const auto layout = tcp_layout(packet);
  return layout ? checksum_of(packet, *layout) : 0;
}

Verdict MarkerProcessor::process(Direction direction, std::span<const std::uint8_t> packet,
                                 std::vector<std::uint8_t>& rewritten) {
  const auto layout = tcp_layout(packet);
  if (!layout) {
    const bool tcp_claimed =
        !packet.empty() && ((packet[0] >> 4 == 4 && packet.size() >= 20 && packet[9] == kTcp) ||
                            (packet[0] >> 4 == 6 && packet.size() >= 40 && packet[6] == kTcp));
    ++(tcp_claimed ? counters_.malformed : counters_.other);
    return tcp_claimed ? Verdict::Drop : Verdict::Accept;
  }
  const std::size_t options_end = layout->tcp + layout->header_len;

  if (direction == Direction::Outbound) {
    if (layout->header_len - 20 + kMarkerLen > kMaxOptions) {
      ++counters_.no_room;
      return Verdict::Drop;
    }
    const std::uint32_t counter = next_counter_++;
    const std::uint8_t marker[kMarkerLen] = {kMarkerKind,
                                             static_cast<std::uint8_t>(kMarkerLen),
                                             static_cast<std::uint8_t>(kMarkerExId >> 8),
                                             static_cast<std::uint8_t>(kMarkerExId & 0xff),
                                             static_cast<std::uint8_t>(counter >> 24),
                                             static_cast<std::uint8_t>(counter >> 16),
                                             static_cast<std::uint8_t>(counter >> 8),
                                             static_cast<std::uint8_t>(counter)};
    rewritten.assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(options_end));
    rewritten.insert(rewritten.end(), std::begin(marker), std::end(marker));
    rewritten.insert(rewritten.end(), packet.begin() + static_cast<std::ptrdiff_t>(options_end),
                     packet.end());
    fix_headers(rewritten, *layout, layout->header_len + kMarkerLen);
    ++counters_.marked;
    return Verdict::AcceptRewritten;
  }

  const auto at = find_marker(packet, *layout);
  if (!at) {
    ++counters_.missing;
    return Verdict::Drop;
  }
  const std::uint32_t counter = get32(packet, *at + 4);
  if (counter != last_seen_ + 1 && counters_.first_disorder_seen == 0) {
    counters_.first_disorder_last = last_seen_;
    counters_.first_disorder_seen = counter;
  }
  if (counter <= last_seen_) {
    ++counters_.out_of_order;
  } else {
    if (counter != last_seen_ + 1) ++counters_.gaps;
    last_seen_ = counter;
  }
  rewritten.assign(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(*at));
  rewritten.insert(rewritten.end(), packet.begin() + static_cast<std::ptrdiff_t>(*at + kMarkerLen),
                   packet.end());
  fix_headers(rewritten, *layout, layout->header_len - kMarkerLen);
  ++counters_.stripped;
  return Verdict::AcceptRewritten;
}

Verdict CountProcessor::process(Direction direction, std::span<const std::uint8_t>,
                                std::vector<std::uint8_t>&) {
  ++(direction == Direction::Outbound ? outbound : inbound);
  return Verdict::Accept;
}

Verdict DropProcessor::process(Direction, std::span<const std::uint8_t>,
                               std::vector<std::uint8_t>&) {
  ++dropped;
  return Verdict::Drop;
}

}  // namespace aotls::test
