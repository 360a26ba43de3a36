// Option-list rewriting, length fixing and checksums (tcp_rewrite.hpp,
// checksum.hpp), checked against packet_builder's independent code.
#include <gtest/gtest.h>

#include <array>

#include "aotls/backend/userspace/checksum.hpp"
#include "aotls/backend/userspace/tcp_rewrite.hpp"
#include "aotls/segment/packet.hpp"
#include "packet_builder.hpp"

namespace aotls::backend::userspace::testing {
namespace {

std::vector<std::uint8_t> encode(const OptionList& list) {
  std::array<std::uint8_t, segment::kMaxTcpOptionsLen> out{};
  const std::size_t n = list.encode(out);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

OptionList parse(const std::vector<std::uint8_t>& bytes) {
  auto list = OptionList::parse(bytes);
  EXPECT_TRUE(list.has_value());
  return *list;
}

const std::vector<std::uint8_t> ao_option{29, 16, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

TEST(OptionList, LowerMssSubtractsFromTheValue) {
  OptionList list = parse(concat({mss_option(1460), {4, 2}}));
  list.lower_mss(16);
  EXPECT_EQ(encode(list), concat({mss_option(1444), {4, 2, 0, 0}}));
}

TEST(OptionList, LowerMssWithoutMssChangesNothing) {
  const auto bytes = timestamps_option(1, 2);
  OptionList list = parse(bytes);
  list.lower_mss(16);
  EXPECT_EQ(encode(list), bytes);
}

TEST(OptionList, SackBlocksTrimmedFromTheEndKeepingTimestamps) {
  // NOP NOP TS (12) + NOP NOP SACK with 3 blocks (28) = 40; with AO (16)
  // only 24 bytes remain for the rest: one SACK block (12 + 12 = 24).
  const auto ts = timestamps_option(7, 9);
  OptionList list = parse(concat({ts, sack_option(3)}));
  ASSERT_TRUE(list.trim_sack_to(segment::kMaxTcpOptionsLen - 16));
  list.append(ao_option);
  const auto out = encode(list);
  ASSERT_EQ(out.size(), 40u);
  const auto three = sack_option(3);
  // The first block (the most recent, RFC 2018 section 4) is kept.
  EXPECT_EQ(out, concat({ts, {1, 1, 5, 10}, {three.begin() + 4, three.begin() + 12}, ao_option}));
}

TEST(OptionList, SackOptionDroppedWithItsNopsWhenNoBlockFits) {
  // MSS-less non-SYN with TS + SACK 1 block + an 8-byte unknown option:
  // 12 + 12 + 8 = 32 > 24, removing the one block leaves no SACK at all.
  const auto ts = timestamps_option(7, 9);
  const std::vector<std::uint8_t> unknown{253, 8, 1, 2, 3, 4, 5, 6};
  OptionList list = parse(concat({ts, sack_option(1), unknown}));
  ASSERT_TRUE(list.trim_sack_to(24));
  EXPECT_EQ(encode(list), concat({ts, unknown}));
  EXPECT_FALSE(list.has(kTcpOptionSack));
  EXPECT_TRUE(list.has(kTcpOptionTimestamps));
}

TEST(OptionList, TooLongWithoutSackIsRefused) {
  // Timestamps are never dropped: 12 + 16 unknown = 28 > 24.
  const std::vector<std::uint8_t> unknown{253, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  OptionList list = parse(concat({timestamps_option(1, 2), unknown}));
  EXPECT_FALSE(list.trim_sack_to(24));
  EXPECT_TRUE(list.has(kTcpOptionTimestamps));
}

TEST(OptionList, RemoveKeepsOtherOptionsAndPadsWithEol) {
  OptionList list = parse(concat({{1}, ao_option, {4, 2, 1}}));
  list.remove(segment::kTcpOptionAo);
  EXPECT_EQ(encode(list), (std::vector<std::uint8_t>{1, 4, 2, 1}));
  OptionList odd = parse(concat({ao_option, {4, 2}}));
  odd.remove(segment::kTcpOptionAo);
  EXPECT_EQ(encode(odd), (std::vector<std::uint8_t>{4, 2, 0, 0}));
}

TEST(OptionList, ParseStopsAtEolAndRejectsBadLengths) {
  OptionList list = parse({4, 2, 0, 99});
  EXPECT_EQ(list.encoded_len(), 2u);
  EXPECT_FALSE(OptionList::parse(std::vector<std::uint8_t>{8, 1, 0, 0}).has_value());
  EXPECT_FALSE(OptionList::parse(std::vector<std::uint8_t>{8, 12, 0, 0}).has_value());
  EXPECT_FALSE(OptionList::parse(std::vector<std::uint8_t>{1, 1, 1, 8}).has_value());
}

class ReplaceOptions : public ::testing::TestWithParam<bool> {};

TEST_P(ReplaceOptions, GrowsAndShrinksWithLengthsAndDataOffsetFixed) {
  const bool v6 = GetParam();
  TcpSpec spec{ip(v6 ? "2001:db8::1" : "192.0.2.1"),
               ip(v6 ? "2001:db8::2" : "192.0.2.2"),
               1000,
               179,
               5,
               6,
               kAck | kPsh,
               timestamps_option(1, 2),
               {1, 2, 3, 4, 5}};
  std::vector<std::uint8_t> packet = build(spec);
  // Link-layer padding past the IP length is dropped by the rewrite.
  packet.push_back(0xee);
  const auto payload = tcp_payload(std::span(packet).first(packet.size() - 1));
  for (const auto& options :
       {concat({timestamps_option(1, 2), ao_option}), std::vector<std::uint8_t>{}}) {
    auto view = segment::PacketView::parse(packet);
    ASSERT_TRUE(view.has_value());
    ASSERT_TRUE(replace_options(packet, *view, options).has_value());
    auto rewritten = segment::PacketView::parse(packet);
    ASSERT_TRUE(rewritten.has_value());
    write_checksums(packet, *rewritten);
    EXPECT_TRUE(checksums_valid(packet));
    EXPECT_EQ(tcp_options(packet), options);
    EXPECT_EQ(tcp_header_len(packet), 20 + options.size());
    EXPECT_EQ(tcp_payload(packet), payload);
  }
}

INSTANTIATE_TEST_SUITE_P(IpVersions, ReplaceOptions, ::testing::Values(false, true),
                         [](const auto& param_info) { return param_info.param ? "IPv6" : "IPv4"; });

TEST(ReplaceOptionsLimits, Ipv4TotalLengthOverflowIsPacketTooLong) {
  TcpSpec spec{ip("192.0.2.1"),
               ip("192.0.2.2"),
               1,
               2,
               0,
               0,
               kAck,
               {},
               std::vector<std::uint8_t>(65535 - 40, 0x55)};
  std::vector<std::uint8_t> packet = build(spec);
  auto view = segment::PacketView::parse(packet);
  ASSERT_TRUE(view.has_value());
  auto result = replace_options(packet, *view, ao_option);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error(), DropReason::PacketTooLong);
}

TEST(Checksum, MatchesIndependentComputationForOddLengths) {
  for (std::size_t len : {0u, 1u, 2u, 3u, 1447u}) {
    TcpSpec spec{ip("198.51.100.7"),
                 ip("203.0.113.9"),
                 65535,
                 179,
                 0xfffffff0u,
                 1,
                 kAck,
                 {},
                 std::vector<std::uint8_t>(len, 0xff)};
    std::vector<std::uint8_t> packet = build(spec);
    ASSERT_TRUE(checksums_valid(packet));
    const std::vector<std::uint8_t> expected = packet;
    packet[10] = packet[11] = 0;  // IPv4 header checksum
    packet[20 + 16] = packet[20 + 17] = 0;
    auto view = segment::PacketView::parse(packet);
    ASSERT_TRUE(view.has_value());
    write_checksums(packet, *view);
    EXPECT_EQ(packet, expected) << "payload length " << len;
  }
}

}  // namespace
}  // namespace aotls::backend::userspace::testing
