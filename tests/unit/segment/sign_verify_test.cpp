#include <gtest/gtest.h>

#include <vector>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/mac_input.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "common/hex.hpp"
#include "tests/unit/segment/test_packets.hpp"

namespace aotls::segment {
namespace {

using crypto::MacAlgorithm;
using test::build_packet;
using test::TestSegment;

crypto::MacContext make_mac(MacAlgorithm alg, std::uint8_t fill = 0x11) {
  const std::size_t len = crypto::algorithm_row(alg).prf_output_len;
  return crypto::MacContext::create(alg, std::vector<std::uint8_t>(len, fill)).value();
}

TestSegment sample(bool v6) {
  TestSegment s = v6 ? test::ipv6_segment() : TestSegment{};
  if (!v6) s.ip_options = {0x94, 0x04, 0x00, 0x00};  // router alert
  s.tcp_options = test::timestamps_and_ao(3, 4);
  s.payload = std::vector<std::uint8_t>(100, 0xa5);
  return s;
}

struct Mode {
  bool v6;
  MacAlgorithm alg;
  bool include_options;
};

class SignVerify : public ::testing::TestWithParam<Mode> {};

TEST_P(SignVerify, RoundTripAndTamper) {
  const Mode m = GetParam();
  auto mac = make_mac(m.alg);
  auto packet = build_packet(sample(m.v6));
  ASSERT_TRUE(sign(packet, mac, m.include_options, 7).has_value());
  const std::size_t mac_at = PacketView::parse(packet)->ao_mac_offset();
  EXPECT_NE(common::to_hex(std::span(packet).subspan(mac_at, 12)), std::string(24, '0'));
  EXPECT_TRUE(verify(std::span<const std::uint8_t>(packet), mac, m.include_options, 7));

  // Wrong SNE, wrong key, a payload bit, the option mode: all MacMismatch.
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), mac, m.include_options, 8).error(),
            SegmentError::MacMismatch);
  auto other = make_mac(m.alg, 0x22);
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), other, m.include_options, 7).error(),
            SegmentError::MacMismatch);
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), mac, !m.include_options, 7).error(),
            SegmentError::MacMismatch);
  auto tampered = packet;
  tampered.back() ^= 0x01;
  EXPECT_EQ(verify(std::span<const std::uint8_t>(tampered), mac, m.include_options, 7).error(),
            SegmentError::MacMismatch);

  // A timestamp value byte: covered only when options are included.
  auto ts = packet;
  ts[PacketView::parse(packet)->tcp_offset() + 20 + 5] ^= 0x80;
  EXPECT_EQ(verify(std::span<const std::uint8_t>(ts), mac, m.include_options, 7).has_value(),
            !m.include_options);
}

INSTANTIATE_TEST_SUITE_P(Modes, SignVerify,
                         ::testing::Values(Mode{false, MacAlgorithm::HmacSha1_96, true},
                                           Mode{false, MacAlgorithm::HmacSha1_96, false},
                                           Mode{false, MacAlgorithm::AesCmac128_96, true},
                                           Mode{false, MacAlgorithm::AesCmac128_96, false},
                                           Mode{true, MacAlgorithm::HmacSha1_96, true},
                                           Mode{true, MacAlgorithm::HmacSha1_96, false},
                                           Mode{true, MacAlgorithm::AesCmac128_96, true},
                                           Mode{true, MacAlgorithm::AesCmac128_96, false}),
                         [](const ::testing::TestParamInfo<Mode>& p) {
                           return std::string(p.param.v6 ? "Ipv6" : "Ipv4") +
                                  (p.param.alg == MacAlgorithm::HmacSha1_96 ? "HmacSha1"
                                                                            : "AesCmac") +
                                  (p.param.include_options ? "OptionsIncluded" : "OptionsExcluded");
                         });

TEST(SignVerify, NoAoOption) {
  TestSegment s = sample(false);
  s.tcp_options = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  auto packet = build_packet(s);
  auto mac = make_mac(MacAlgorithm::HmacSha1_96);
  EXPECT_EQ(sign(packet, mac, true, 0).error(), SegmentError::NoAoOption);
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), mac, true, 0).error(),
            SegmentError::NoAoOption);
  EXPECT_EQ(mac_input_bytes(*PacketView::parse(packet), true, 0).error(), SegmentError::NoAoOption);
}

TEST(SignVerify, MacLengthMustMatchTheAlgorithm) {
  TestSegment s = sample(true);
  s.tcp_options = test::timestamps_and_ao(3, 4, 16);
  auto packet = build_packet(s);
  auto mac = make_mac(MacAlgorithm::AesCmac128_96);
  const auto before = packet;
  EXPECT_EQ(sign(packet, mac, true, 0).error(), SegmentError::MacLengthMismatch);
  EXPECT_EQ(packet, before);  // a failed sign leaves the packet alone
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), mac, true, 0).error(),
            SegmentError::MacLengthMismatch);
}

TEST(SignVerify, ParseErrorsPassThrough) {
  auto packet = build_packet(sample(false));
  packet[9] = 17;
  auto mac = make_mac(MacAlgorithm::HmacSha1_96);
  EXPECT_EQ(sign(packet, mac, true, 0).error(), SegmentError::NotTcp);
  EXPECT_EQ(verify(std::span<const std::uint8_t>(packet), mac, true, 0).error(),
            SegmentError::NotTcp);
}

TEST(SignVerify, LookupByKeyId) {
  auto packet = build_packet(sample(false));  // KeyID 3, RNextKeyID 4
  auto mac3 = make_mac(MacAlgorithm::HmacSha1_96, 0x33);
  auto mac9 = make_mac(MacAlgorithm::HmacSha1_96, 0x99);
  ASSERT_TRUE(sign(packet, mac3, false, 0).has_value());
  const auto view = *PacketView::parse(packet);
  auto ring = [&](std::uint8_t key_id) -> std::optional<VerifyKey> {
    if (key_id == 3) return VerifyKey{&mac3, false};
    if (key_id == 9) return VerifyKey{&mac9, false};
    return std::nullopt;
  };
  auto option = verify_with_lookup(view, 0, ring);
  ASSERT_TRUE(option.has_value());
  EXPECT_EQ(option->key_id, 3);
  EXPECT_EQ(option->rnext_key_id, 4);

  // The KeyID is what selects: relabel the segment as KeyID 9 (covered by
  // the MAC, so mac9 rejects it) and as KeyID 5 (no MKT).
  auto relabel = [&](std::uint8_t key_id) {
    auto copy = packet;
    copy[view.ao_mac_offset() - 2] = key_id;
    return copy;
  };
  const auto as9 = relabel(9);
  EXPECT_EQ(verify_with_lookup(*PacketView::parse(as9), 0, ring).error(),
            SegmentError::MacMismatch);
  const auto as5 = relabel(5);
  EXPECT_EQ(verify_with_lookup(*PacketView::parse(as5), 0, ring).error(),
            SegmentError::KeyNotFound);
}

// RFC 5925 5.1 with options excluded: the 20-byte header (data offset left
// as sent), then only the TCP-AO option; the pseudo-header length still
// counts every option.
TEST(MacInput, OptionsExcludedLayoutIpv6) {
  TestSegment s = sample(true);
  s.payload = {0xde, 0xad};
  auto packet = build_packet(s);
  packet[40 + 16] = 0xab;  // a TCP checksum, to be zeroed
  const auto view = *PacketView::parse(packet);
  auto input = mac_input_bytes(view, false, 0x01020304);
  ASSERT_TRUE(input.has_value());
  const std::string hex = common::to_hex(*input);
  const std::string expected =
      "01020304"  // SNE
      "fd000000000000000000000000000001"
      "fd000000000000000000000000000002"  // addresses
      "00000032"
      "00000006"  // TCP length 20 + 28 + 2, next header
      "9c4000b3"
      "01020304"
      "0a0b0c0d"
      "c018ffff"
      "0000"
      "0000"  // header, checksum 0
      "1d100304"
      "000000000000000000000000"  // AO only, MAC zeroed
      "dead";
  EXPECT_EQ(hex, expected);
}

TEST(MacInput, OptionsIncludedLayoutIpv4WithIpOptions) {
  TestSegment s = sample(false);
  s.payload = {0x42};
  s.flags = kTcpFlagSyn;
  auto packet = build_packet(s);
  const auto view = *PacketView::parse(packet);
  auto input = mac_input_bytes(view, true, 0);
  ASSERT_TRUE(input.has_value());
  const std::string expected =
      "00000000"
      "0a000001"
      "0a000002"
      "0006"
      "0031"  // SNE, pseudo-header, TCP length 49
      "9c4000b3"
      "01020304"
      "0a0b0c0d"
      "c002ffff"
      "0000"
      "0000"
      "0101080a0000000100000002"  // NOP NOP timestamps
      "1d100304"
      "000000000000000000000000"  // AO, MAC zeroed
      "42";
  EXPECT_EQ(common::to_hex(*input), expected);
}

}  // namespace
}  // namespace aotls::segment
