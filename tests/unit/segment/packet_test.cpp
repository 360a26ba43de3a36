#include "aotls/segment/packet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/segment/test_packets.hpp"

namespace aotls::segment {
namespace {

using test::build_packet;
using test::TestSegment;

TestSegment v4_with_ip_options() {
  TestSegment s;
  s.ip_options = {1, 1, 1, 0};  // NOP NOP NOP EOL: IHL 6
  s.tcp_options = test::timestamps_and_ao(5, 6);
  s.payload = {'h', 'e', 'l', 'l', 'o'};
  return s;
}

TestSegment v6_with_payload() {
  TestSegment s = test::ipv6_segment();
  s.tcp_options = test::timestamps_and_ao(5, 6);
  s.payload = std::vector<std::uint8_t>(33, 0x5a);
  return s;
}

TEST(PacketView, Ipv4WithIpOptions) {
  const auto packet = build_packet(v4_with_ip_options());
  auto view = PacketView::parse(packet);
  ASSERT_TRUE(view.has_value()) << to_string(view.error());
  EXPECT_EQ(view->ip_version(), IpVersion::V4);
  EXPECT_EQ(view->tcp_offset(), 24U);
  EXPECT_EQ(view->tcp_header_len(), 48U);
  EXPECT_EQ(view->options().size(), 28U);
  EXPECT_EQ(view->payload().size(), 5U);
  EXPECT_EQ(view->payload()[0], 'h');
  EXPECT_EQ(view->tcp_segment().size(), 53U);
  EXPECT_EQ(view->src_addr()[3], 1);
  EXPECT_EQ(view->dst_addr()[3], 2);
  EXPECT_EQ(view->src_port(), 40000);
  EXPECT_EQ(view->dst_port(), 179);
  EXPECT_EQ(view->seq(), 0x01020304U);
  EXPECT_EQ(view->ack(), 0x0a0b0c0dU);
  EXPECT_FALSE(view->is_pure_syn());
  ASSERT_TRUE(view->ao().has_value());
  EXPECT_EQ(view->ao()->key_id, 5);
  EXPECT_EQ(view->ao_mac_offset(), 24U + 20 + 12 + 4);
}

TEST(PacketView, Ipv6) {
  const auto packet = build_packet(v6_with_payload());
  auto view = PacketView::parse(packet);
  ASSERT_TRUE(view.has_value()) << to_string(view.error());
  EXPECT_EQ(view->ip_version(), IpVersion::V6);
  EXPECT_EQ(view->tcp_offset(), 40U);
  EXPECT_EQ(view->src_addr().size(), 16U);
  EXPECT_EQ(view->src_addr()[15], 1);
  EXPECT_EQ(view->dst_addr()[15], 2);
  EXPECT_EQ(view->payload().size(), 33U);
}

TEST(PacketView, PureSynOnlyWithoutAck) {
  TestSegment s = v4_with_ip_options();
  s.flags = kTcpFlagSyn;
  EXPECT_TRUE(PacketView::parse(build_packet(s))->is_pure_syn());
  s.flags = kTcpFlagSyn | kTcpFlagAck;
  EXPECT_FALSE(PacketView::parse(build_packet(s))->is_pure_syn());
}

TEST(PacketView, TruncatedAtEveryLength) {
  for (const TestSegment& s : {v4_with_ip_options(), v6_with_payload()}) {
    const auto packet = build_packet(s);
    for (std::size_t len = 0; len < packet.size(); ++len) {
      auto view = PacketView::parse(std::span(packet).first(len));
      ASSERT_FALSE(view.has_value()) << len;
      EXPECT_EQ(view.error(), SegmentError::Truncated) << len;
    }
    EXPECT_TRUE(PacketView::parse(packet).has_value());
  }
}

TEST(PacketView, TrailingBytesBeyondIpLengthAreIgnored) {
  auto packet = build_packet(v4_with_ip_options());
  const std::size_t size = packet.size();
  packet.push_back(0);
  packet.push_back(0);
  auto view = PacketView::parse(packet);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->packet().size(), size);
  EXPECT_EQ(view->payload().size(), 5U);
}

// Each case edits one field of a valid packet.
struct Corruption {
  const char* name;
  bool v6;
  std::size_t at;
  std::uint8_t value;
  SegmentError expected;
};

TEST(PacketView, BadHeadersAreTypedErrors) {
  const std::vector<Corruption> cases{
      {"version 5", false, 0, 0x56, SegmentError::BadIpVersion},
      {"version 0", false, 0, 0x06, SegmentError::BadIpVersion},
      {"IHL 4", false, 0, 0x44, SegmentError::BadIpHeaderLength},
      {"total length < IHL", false, 3, 20, SegmentError::BadIpHeaderLength},
      {"total length > buffer", false, 3, 0xff, SegmentError::Truncated},
      {"UDP", false, 9, 17, SegmentError::NotTcp},
      {"hop-by-hop", true, 6, 0, SegmentError::UnsupportedExtensionHeader},
      {"fragment header", true, 6, 44, SegmentError::UnsupportedExtensionHeader},
      {"routing header", true, 6, 43, SegmentError::UnsupportedExtensionHeader},
      {"v6 UDP", true, 6, 17, SegmentError::NotTcp},
      {"v6 payload length > buffer", true, 5, 0xff, SegmentError::Truncated},
      {"v6 payload length < TCP header", true, 5, 19, SegmentError::Truncated},
      {"data offset 4", false, 24 + 12, 0x40, SegmentError::BadTcpDataOffset},
      {"data offset 0", true, 40 + 12, 0x00, SegmentError::BadTcpDataOffset},
      {"data offset beyond segment", false, 24 + 12, 0xf0, SegmentError::BadTcpDataOffset},
      {"option length 0", false, 24 + 20 + 3, 0, SegmentError::BadOptionLength},
      {"AO length 3", true, 40 + 20 + 13, 3, SegmentError::BadOptionLength},
  };
  for (const auto& c : cases) {
    auto packet = build_packet(c.v6 ? v6_with_payload() : v4_with_ip_options());
    if (c.v6 && c.at == 5) packet[4] = 0;
    if (!c.v6 && c.at == 3) packet[2] = 0;
    packet[c.at] = c.value;
    auto view = PacketView::parse(packet);
    ASSERT_FALSE(view.has_value()) << c.name;
    EXPECT_EQ(view.error(), c.expected) << c.name << ": " << to_string(view.error());
  }
}

TEST(PacketView, EmptyBufferIsTruncated) {
  EXPECT_EQ(PacketView::parse({}).error(), SegmentError::Truncated);
}

}  // namespace
}  // namespace aotls::segment
