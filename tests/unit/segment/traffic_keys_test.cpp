#include "aotls/segment/traffic_keys.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "common/hex.hpp"
#include "tests/unit/segment/test_packets.hpp"

namespace aotls::segment {
namespace {

using common::to_hex;

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

constexpr std::array<std::uint8_t, 10> kMaster{'t', 'e', 's', 't', 'v', 'e', 'c', 't', 'o', 'r'};

TEST(IpAddress, ParsesBothFamilies) {
  auto v4 = IpAddress::parse("10.11.12.13");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->version(), IpVersion::V4);
  EXPECT_EQ(to_hex(v4->bytes()), "0a0b0c0d");
  auto v6 = IpAddress::parse("fd00:0000:0000:0000:0000:0000:0000:0001");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->version(), IpVersion::V6);
  EXPECT_EQ(to_hex(v6->bytes()), "fd000000000000000000000000000001");
  EXPECT_EQ(*v6, ip("fd00::1"));
}

TEST(IpAddress, RejectsBadInput) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "fd00::1::2", "host", "10.0.0.1 "}) {
    EXPECT_EQ(IpAddress::parse(bad).error(), SegmentError::BadAddress) << bad;
  }
  EXPECT_EQ(IpAddress::from_bytes(std::vector<std::uint8_t>(5)).error(), SegmentError::BadAddress);
  EXPECT_EQ(IpAddress::from_bytes(std::vector<std::uint8_t>(16))->version(), IpVersion::V6);
}

TEST(KdfContext, LayoutAndFamilies) {
  auto v4 = kdf_context(ip("10.0.0.1"), ip("10.0.0.2"), 0x1234, 179, 0xaabbccdd, 0x11223344);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(to_hex(v4->bytes()), "0a0000010a000002123400b3aabbccdd11223344");
  auto v6 = kdf_context(ip("fd00::1"), ip("fd00::2"), 1, 2, 3, 4);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->bytes().size(), 44U);
  EXPECT_EQ(kdf_context(ip("10.0.0.1"), ip("fd00::2"), 1, 2, 3, 4).error(),
            SegmentError::AddressFamilyMismatch);
}

ConnectionId endpoint_a() {
  return {ip("10.0.0.1"), ip("10.0.0.2"), 40000, 179, 0x1111, 0x2222};
}
ConnectionId endpoint_b() {
  return {ip("10.0.0.2"), ip("10.0.0.1"), 179, 40000, 0x2222, 0x1111};
}

// Only a pure SYN's key zeroes the other side's ISN.
TEST(KdfContext, ConnectionKinds) {
  const ConnectionId a = endpoint_a();
  EXPECT_EQ(to_hex(kdf_context(a, TrafficKeyKind::SendSyn)->bytes()),
            "0a0000010a0000029c4000b30000111100000000");
  EXPECT_EQ(to_hex(kdf_context(a, TrafficKeyKind::ReceiveSyn)->bytes()),
            "0a0000020a00000100b39c400000222200000000");
  EXPECT_EQ(to_hex(kdf_context(a, TrafficKeyKind::SendOther)->bytes()),
            "0a0000010a0000029c4000b30000111100002222");
  EXPECT_EQ(to_hex(kdf_context(a, TrafficKeyKind::ReceiveOther)->bytes()),
            "0a0000020a00000100b39c400000222200001111");
}

// What one end sends with, the other receives with.
TEST(TrafficKeys, BothEndsAgree) {
  for (auto kdf : {crypto::KdfAlgorithm::HmacSha1, crypto::KdfAlgorithm::AesCmac128}) {
    auto a = derive_traffic_keys(kdf, kMaster, endpoint_a());
    auto b = derive_traffic_keys(kdf, kMaster, endpoint_b());
    ASSERT_TRUE(a.has_value() && b.has_value());
    EXPECT_EQ(to_hex(a->send_syn.bytes()), to_hex(b->receive_syn.bytes()));
    EXPECT_EQ(to_hex(a->receive_syn.bytes()), to_hex(b->send_syn.bytes()));
    EXPECT_EQ(to_hex(a->send_other.bytes()), to_hex(b->receive_other.bytes()));
    EXPECT_EQ(to_hex(a->receive_other.bytes()), to_hex(b->send_other.bytes()));
    const std::vector<std::string> four{to_hex(a->send_syn.bytes()), to_hex(a->receive_syn.bytes()),
                                        to_hex(a->send_other.bytes()),
                                        to_hex(a->receive_other.bytes())};
    for (std::size_t i = 0; i < four.size(); ++i) {
      for (std::size_t j = i + 1; j < four.size(); ++j) EXPECT_NE(four[i], four[j]);
    }
    EXPECT_EQ(to_hex(a->get(TrafficKeyKind::ReceiveOther).bytes()), four[3]);
  }
}

TEST(TrafficKeys, Errors) {
  EXPECT_EQ(derive_traffic_keys(crypto::KdfAlgorithm::HmacSha1, {}, endpoint_a()).error(),
            SegmentError::BadMasterKey);
  ConnectionId mixed = endpoint_a();
  mixed.remote_addr = ip("fd00::2");
  EXPECT_EQ(derive_traffic_keys(crypto::KdfAlgorithm::HmacSha1, kMaster, mixed).error(),
            SegmentError::AddressFamilyMismatch);
}

TEST(TrafficKeys, KindOfSegment) {
  test::TestSegment s;
  s.tcp_options = test::timestamps_and_ao(1, 1);
  const std::vector<std::pair<std::uint8_t, bool>> flags{{kTcpFlagSyn, true},
                                                         {kTcpFlagSyn | kTcpFlagAck, false},
                                                         {kTcpFlagAck, false},
                                                         {kTcpFlagRst, false},
                                                         {kTcpFlagFin | kTcpFlagAck, false}};
  for (const auto& [f, syn] : flags) {
    s.flags = f;
    const auto packet = test::build_packet(s);
    const auto view = *PacketView::parse(packet);
    EXPECT_EQ(traffic_key_kind(view, Direction::Send),
              syn ? TrafficKeyKind::SendSyn : TrafficKeyKind::SendOther);
    EXPECT_EQ(traffic_key_kind(view, Direction::Receive),
              syn ? TrafficKeyKind::ReceiveSyn : TrafficKeyKind::ReceiveOther);
    // The context from the packet zeroes the receiver's ISN for a pure SYN only.
    EXPECT_EQ(to_hex(kdf_context(view, 0x1111, 0x2222).bytes()).substr(32),
              syn ? "00000000" : "00002222");
  }
}

}  // namespace
}  // namespace aotls::segment
