// Every single-bit flip of an RFC 9235 packet: flips inside the MAC's
// coverage (RFC 5925 section 5.1) are rejected, flips outside it still
// verify (profile section 2). A flip that breaks a length field may be
// rejected as a parse error or as a MAC mismatch; rejected either way and
// never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/tcp_options.hpp"
#include "rfc9235_fixture.hpp"

namespace aotls::test {
namespace {

using segment::IpVersion;
using segment::PacketView;

// A run of packet bits that the MAC does not cover.
struct Uncovered {
  std::size_t first;  // byte offsets from the start of the IP packet, inclusive
  std::size_t last;
  std::uint8_t mask;  // which bits of those bytes
  std::string name;
};

// The uncovered byte classes, listed explicitly.
std::vector<Uncovered> uncovered_ip_header(IpVersion version) {
  if (version == IpVersion::V4) {
    return {{1, 1, 0xff, "IPv4 TOS"},
            {4, 5, 0xff, "IPv4 identification"},
            {6, 7, 0xff, "IPv4 flags and fragment offset"},
            {8, 8, 0xff, "IPv4 TTL"},
            {10, 11, 0xff, "IPv4 header checksum"}};
  }
  return {{0, 0, 0x0f, "IPv6 traffic class (high nibble; the low nibble is the version)"},
          {1, 1, 0xff, "IPv6 traffic class (low nibble) and flow label"},
          {2, 3, 0xff, "IPv6 flow label"},
          {7, 7, 0xff, "IPv6 hop limit"}};
}

Uncovered tcp_checksum(const PacketView& view) {
  const std::size_t at = view.tcp_offset() + segment::kTcpChecksumOffset;
  return {at, at + 1, 0xff, "TCP checksum"};
}

// With options excluded: the data bytes of options other than TCP-AO. Their
// framing bytes (NOP, EOL, kind, length) are handled by framing_bytes().
std::vector<Uncovered> excluded_option_data(const PacketView& view) {
  std::vector<Uncovered> out;
  const auto options = view.options();
  const std::size_t base = view.tcp_offset() + segment::kTcpMinHeaderLen;
  for (std::size_t pos = 0; pos < options.size();) {
    const std::uint8_t kind = options[pos];
    if (kind == segment::kTcpOptionEol) break;
    if (kind == segment::kTcpOptionNop) {
      ++pos;
      continue;
    }
    const std::size_t length = options[pos + 1];
    if (kind != segment::kTcpOptionAo && length > 2) {
      out.push_back({base + pos + 2, base + pos + length - 1, 0xff,
                     "data of excluded option kind " + std::to_string(kind)});
    }
    pos += length;
  }
  return out;
}

// Option bytes outside the TCP-AO option that are not data: the option list's
// structure. Excluded from the MAC, yet they decide where the parser finds
// the TCP-AO option.
std::vector<std::size_t> framing_bytes(const PacketView& view) {
  std::vector<std::size_t> out;
  const auto options = view.options();
  const std::size_t base = view.tcp_offset() + segment::kTcpMinHeaderLen;
  for (std::size_t pos = 0; pos < options.size();) {
    const std::uint8_t kind = options[pos];
    if (kind == segment::kTcpOptionNop || kind == segment::kTcpOptionEol) {
      out.push_back(base + pos);
      ++pos;
      continue;
    }
    const std::size_t length = options[pos + 1];
    if (kind != segment::kTcpOptionAo) {
      out.push_back(base + pos);
      out.push_back(base + pos + 1);
    }
    pos += length;
  }
  return out;
}

class Rfc9235BitFlipTest : public Rfc9235Test {
 protected:
  std::vector<Uncovered> uncovered() const {
    const PacketView original = view();
    std::vector<Uncovered> all = uncovered_ip_header(original.ip_version());
    all.push_back(tcp_checksum(original));
    if (!v().include_options) {
      for (auto& u : excluded_option_data(original)) all.push_back(u);
    }
    return all;
  }

  bool is_framing(std::size_t byte) const {
    if (v().include_options) return false;
    const auto framing = framing_bytes(view());
    return std::find(framing.begin(), framing.end(), byte) != framing.end();
  }

  const Uncovered* find_uncovered(const std::vector<Uncovered>& all, std::size_t byte,
                                  std::uint8_t bit) const {
    for (const auto& u : all) {
      if (byte >= u.first && byte <= u.last && (u.mask & bit) != 0) return &u;
    }
    return nullptr;
  }

  common::Expected<void, segment::SegmentError> verify_flipped(std::size_t byte, std::uint8_t bit) {
    std::vector<std::uint8_t> packet = v().packet;
    packet[byte] ^= bit;
    return segment::verify(std::span<const std::uint8_t>(packet), context_, v().include_options,
                           v().sne);
  }

  // Where the flipped packet's parser finds the TCP-AO option, if it parses.
  std::optional<std::size_t> ao_offset_after_flip(std::size_t byte, std::uint8_t bit) const {
    std::vector<std::uint8_t> packet = v().packet;
    packet[byte] ^= bit;
    auto parsed = PacketView::parse(packet);
    if (!parsed || !parsed->ao()) return std::nullopt;
    return parsed->ao_mac_offset();
  }

  crypto::MacContext context_ = mac();
};

TEST_P(Rfc9235BitFlipTest, CoveredBitsAreRejected) {
  const auto all = uncovered();
  std::size_t flips = 0;
  for (std::size_t byte = 0; byte < v().packet.size(); ++byte) {
    if (is_framing(byte)) continue;
    for (int b = 0; b < 8; ++b) {
      const auto bit = static_cast<std::uint8_t>(1U << b);
      if (find_uncovered(all, byte, bit) != nullptr) continue;
      ++flips;
      EXPECT_FALSE(verify_flipped(byte, bit).has_value())
          << "flip of byte " << byte << " bit " << b << " still verifies";
    }
  }
  // Everything but the few uncovered header bytes is covered.
  EXPECT_GT(flips, 8 * (v().packet.size() - 40));
}

TEST_P(Rfc9235BitFlipTest, UncoveredBitsStillVerify) {
  std::size_t flips = 0;
  for (const auto& u : uncovered()) {
    for (std::size_t byte = u.first; byte <= u.last; ++byte) {
      for (int b = 0; b < 8; ++b) {
        const auto bit = static_cast<std::uint8_t>(1U << b);
        if ((u.mask & bit) == 0) continue;
        ++flips;
        auto verified = verify_flipped(byte, bit);
        EXPECT_TRUE(verified.has_value()) << u.name << ": flip of byte " << byte << " bit " << b
                                          << " rejected: " << segment::to_string(verified.error());
      }
    }
  }
  // IPv4: TOS, ID, flags/fragment, TTL, header checksum (7 bytes); IPv6:
  // 4 bits + 3 bytes + hop limit; both plus the TCP checksum.
  const std::size_t header_bits = v().ip_version == 4 ? 7 * 8 + 16 : 4 + 4 * 8 + 16;
  EXPECT_GE(flips, header_bits);
  if (!v().include_options) {
    EXPECT_GT(flips, header_bits);  // option data too
  }
}

// Options excluded: a flip in another option's framing is outside the MAC,
// but it can move or hide the TCP-AO option. Such a packet verifies exactly
// when the TCP-AO option is still found at its place.
// Instantiated only with the options-excluded vectors (with options covered,
// CoveredBitsAreRejected flips the framing bytes).
class Rfc9235ExcludedOptionsTest : public Rfc9235BitFlipTest {};

TEST_P(Rfc9235ExcludedOptionsTest, FramingFlipVerifiesIffAoStaysInPlace) {
  const std::size_t mac_at = view().ao_mac_offset();
  const auto framing = framing_bytes(view());
  ASSERT_FALSE(framing.empty());
  std::size_t kept = 0;
  std::size_t moved = 0;
  for (std::size_t byte : framing) {
    for (int b = 0; b < 8; ++b) {
      const auto bit = static_cast<std::uint8_t>(1U << b);
      const bool in_place = ao_offset_after_flip(byte, bit) == mac_at;
      (in_place ? kept : moved)++;
      EXPECT_EQ(verify_flipped(byte, bit).has_value(), in_place)
          << "flip of framing byte " << byte << " bit " << b;
    }
  }
  EXPECT_GT(kept, 0U);
  EXPECT_GT(moved, 0U);
}

std::vector<Rfc9235Vector> options_excluded_vectors() {
  std::vector<Rfc9235Vector> out;
  for (const auto& v : rfc9235_vectors()) {
    if (!v.include_options) out.push_back(v);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Rfc9235, Rfc9235BitFlipTest, ::testing::ValuesIn(rfc9235_vectors()),
                         vector_test_name);
INSTANTIATE_TEST_SUITE_P(Rfc9235, Rfc9235ExcludedOptionsTest,
                         ::testing::ValuesIn(options_excluded_vectors()), vector_test_name);

}  // namespace
}  // namespace aotls::test
