// The test processors of tests/ao/nfqueue: the marker must leave packets a
// kernel accepts (lengths, data offset, both checksums) and strip back to
// the exact original bytes.
#include "tests/ao/nfqueue/test_processors.hpp"

#include <gtest/gtest.h>

#include "common/hex.hpp"

namespace aotls::test {
namespace {

// RFC 9235 section 6.1, IPv6, client SYN and non-SYN (their TCP checksums
// are valid; the IPv4 captures in section 4 carry offloaded ones).
constexpr const char* kV6Syn =
    "6e0891dc00380640fd000000000000000000000000000001fd000000000000000000000000000002f7e400b3176a"
    "833f00000000e002ffff47210000020405a0010303080402080a0041d087000000001d103d549033ec3d7334b64c"
    "5edd039f";
constexpr const char* kV6Data =
    "6e0891dc00730640fd000000000000000000000000000001fd000000000000000000000000000002f7e400b3176a"
    "83403f51994cc0180100329c00000101080a0041d091bd33129b1d103d54bf0805feb4ac7b163d6fcdf2ffffffff"
    "ffffffffffffffffffffffff00430104fde800b4010101792602060104000100010202800002020200020242000206"
    "41"
    "040000fde802084006006400010100";

std::vector<std::uint8_t> bytes(const char* hex) {
  return common::from_hex(hex).value();
}

// An IPv4 segment with timestamps and 5 payload bytes; checksums filled in.
std::vector<std::uint8_t> v4_segment() {
  std::vector<std::uint8_t> p = bytes(
      "4500003912344000400600000a4d00010a4d0002"  // IPv4, total 57, TCP
      "c35000b3000003e8000007d08018020000000000"  // ports, seq, ack, doff 8, flags
      "0101080a0000000100000002"                  // NOP NOP timestamps
      "68656c6c6f");                              // "hello"
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[10] = static_cast<std::uint8_t>(~sum >> 8);
  p[11] = static_cast<std::uint8_t>(~sum);
  const auto tcp = tcp_checksum(p);
  p[36] = static_cast<std::uint8_t>(tcp >> 8);
  p[37] = static_cast<std::uint8_t>(tcp);
  return p;
}

std::uint16_t stored_tcp_checksum(const std::vector<std::uint8_t>& p) {
  const std::size_t tcp = p[0] >> 4 == 4 ? static_cast<std::size_t>(p[0] & 0x0f) * 4 : 40;
  return static_cast<std::uint16_t>(p[tcp + 16] << 8 | p[tcp + 17]);
}

bool ipv4_header_checksum_ok(const std::vector<std::uint8_t>& p) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

TEST(TestProcessors, ChecksumMatchesRfc9235Capture) {
  for (const char* hex : {kV6Syn, kV6Data}) {
    const auto p = bytes(hex);
    EXPECT_EQ(tcp_checksum(p), stored_tcp_checksum(p)) << hex;
  }
}

TEST(TestProcessors, MarkerRoundTripsIpv4) {
  MarkerProcessor sender, receiver;
  const auto original = v4_segment();
  std::vector<std::uint8_t> marked, stripped;
  ASSERT_EQ(sender.process(Direction::Outbound, original, marked), Verdict::AcceptRewritten);
  ASSERT_EQ(marked.size(), original.size() + kMarkerLen);
  EXPECT_EQ(marked[3], original[3] + kMarkerLen);                 // total length
  EXPECT_EQ(marked[20 + 12] >> 4, (original[20 + 12] >> 4) + 2);  // data offset
  EXPECT_TRUE(ipv4_header_checksum_ok(marked));
  EXPECT_EQ(tcp_checksum(marked), stored_tcp_checksum(marked));
  EXPECT_EQ(marked[52], kMarkerKind);
  EXPECT_EQ(std::vector(marked.end() - 5, marked.end()), bytes("68656c6c6f"));

  ASSERT_EQ(receiver.process(Direction::Inbound, marked, stripped), Verdict::AcceptRewritten);
  EXPECT_EQ(stripped, original);
  EXPECT_EQ(sender.counters().marked, 1u);
  EXPECT_EQ(receiver.counters().stripped, 1u);
}

TEST(TestProcessors, MarkerRoundTripsIpv6) {
  MarkerProcessor sender, receiver;
  const auto original = bytes(kV6Data);
  std::vector<std::uint8_t> marked, stripped;
  ASSERT_EQ(sender.process(Direction::Outbound, original, marked), Verdict::AcceptRewritten);
  EXPECT_EQ(marked[5], original[5] + kMarkerLen);  // payload length
  EXPECT_EQ(tcp_checksum(marked), stored_tcp_checksum(marked));
  ASSERT_EQ(receiver.process(Direction::Inbound, marked, stripped), Verdict::AcceptRewritten);
  EXPECT_EQ(stripped, original);
}

TEST(TestProcessors, NoRoomForTheMarkerDrops) {
  MarkerProcessor sender;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(sender.process(Direction::Outbound, bytes(kV6Syn), out), Verdict::Drop);  // 36 + 8 > 40
  EXPECT_EQ(sender.counters().no_room, 1u);
}

TEST(TestProcessors, InboundWithoutMarkerDrops) {
  MarkerProcessor receiver;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(receiver.process(Direction::Inbound, v4_segment(), out), Verdict::Drop);
  EXPECT_EQ(receiver.counters().missing, 1u);
}

TEST(TestProcessors, CounterOrderIsChecked) {
  MarkerProcessor sender, receiver;
  std::vector<std::vector<std::uint8_t>> marked(3);
  for (auto& m : marked)
    ASSERT_EQ(sender.process(Direction::Outbound, v4_segment(), m), Verdict::AcceptRewritten);
  std::vector<std::uint8_t> out;
  for (std::size_t i : {0u, 2u, 1u}) receiver.process(Direction::Inbound, marked[i], out);
  EXPECT_EQ(receiver.counters().gaps, 1u);          // 1 -> 3
  EXPECT_EQ(receiver.counters().out_of_order, 1u);  // 2 after 3
}

TEST(TestProcessors, NonTcpPassesAndTruncatedTcpDrops) {
  MarkerProcessor processor;
  std::vector<std::uint8_t> out;
  auto icmp = v4_segment();
  icmp[9] = 1;
  EXPECT_EQ(processor.process(Direction::Inbound, icmp, out), Verdict::Accept);
  EXPECT_EQ(processor.counters().other, 1u);
  auto truncated = v4_segment();
  truncated.resize(30);
  EXPECT_EQ(processor.process(Direction::Inbound, truncated, out), Verdict::Drop);
  EXPECT_EQ(processor.process(Direction::Outbound, {}, out), Verdict::Accept);
  EXPECT_EQ(processor.counters().malformed, 1u);
}

TEST(TestProcessors, CountAndDrop) {
  CountProcessor count;
  DropProcessor drop;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(count.process(Direction::Outbound, v4_segment(), out), Verdict::Accept);
  EXPECT_EQ(count.process(Direction::Inbound, v4_segment(), out), Verdict::Accept);
  EXPECT_EQ(drop.process(Direction::Inbound, v4_segment(), out), Verdict::Drop);
  EXPECT_EQ(count.outbound + count.inbound, 2u);
  EXPECT_EQ(drop.dropped, 1u);
}

}  // namespace
}  // namespace aotls::test
