#include "aotls/segment/tcp_options.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace aotls::segment {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes ao_option() {
  return {29, 16, 61, 84, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(TcpOptions, FindsAoAmongOtherOptions) {
  // MSS, NOP, window scale, SACK-permitted, timestamps, AO: the RFC 9235 SYN.
  const Bytes options =
      concat({{2, 4, 5, 0xb4, 1, 3, 3, 8, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0}, ao_option()});
  auto found = find_ao_option(options);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  const AoOption& ao = **found;
  EXPECT_EQ(ao.offset, 20U);
  EXPECT_EQ(ao.key_id, 61);
  EXPECT_EQ(ao.rnext_key_id, 84);
  EXPECT_EQ(ao.mac.size(), 12U);
  EXPECT_EQ(ao.mac[0], 1);
  EXPECT_EQ(ao.length(), 16U);
  EXPECT_EQ(ao.mac_offset(), 24U);
}

TEST(TcpOptions, NoAoIsNotAnError) {
  auto found = find_ao_option(Bytes{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
  auto empty = find_ao_option({});
  ASSERT_TRUE(empty.has_value());
  EXPECT_FALSE(empty->has_value());
}

// RFC 9293 3.1: nothing after End of Option List is an option.
TEST(TcpOptions, EolEndsTheList) {
  auto found = find_ao_option(concat({{1, 0}, ao_option()}));
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->has_value());
  // Garbage after EOL is padding, not an error.
  EXPECT_TRUE(find_ao_option(Bytes{0, 0xff, 0x00, 0x07}).has_value());
}

TEST(TcpOptions, WrongLengthsAreTypedErrors) {
  const std::vector<Bytes> bad{
      {8},                  // kind without a length byte
      {1, 1, 8},            // same after NOPs
      {8, 0},               // length 0
      {8, 1},               // length 1 (would loop forever if accepted)
      {8, 10, 0, 0},        // runs past the end
      {29, 3, 61},          // AO shorter than its 4-byte header
      {29, 2, 1, 1},        // AO length 2
      {29, 17, 61, 84, 0},  // AO length past the end
  };
  for (const auto& options : bad) {
    auto found = find_ao_option(options);
    ASSERT_FALSE(found.has_value()) << options.size();
    EXPECT_EQ(found.error(), SegmentError::BadOptionLength);
  }
}

TEST(TcpOptions, DuplicateAoIsRejected) {
  auto found = find_ao_option(concat({Bytes{29, 4, 1, 1}, ao_option()}));
  ASSERT_FALSE(found.has_value());
  EXPECT_EQ(found.error(), SegmentError::DuplicateAoOption);
}

TEST(TcpOptions, AoWithEmptyMacIsWellFormed) {
  auto found = find_ao_option(Bytes{29, 4, 7, 9});
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->mac.size(), 0U);
  EXPECT_EQ((*found)->rnext_key_id, 9);
}

TEST(TcpOptions, EncodeWritesHeaderAndZeroMac) {
  Bytes out(20, 0xee);
  auto written = encode_ao_option(out, 61, 84, 12);
  ASSERT_TRUE(written.has_value());
  EXPECT_EQ(*written, 16U);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 16),
            (Bytes{29, 16, 61, 84, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(out[16], 0xee);  // nothing written past the option
  auto parsed = find_ao_option(Bytes(out.begin(), out.begin() + 16));
  ASSERT_TRUE(parsed.has_value() && parsed->has_value());
  EXPECT_EQ((*parsed)->key_id, 61);
}

TEST(TcpOptions, EncodeRejectsWhatCannotFit) {
  Bytes small(15);
  EXPECT_EQ(encode_ao_option(small, 1, 1, 12).error(), SegmentError::BadOptionLength);
  Bytes big(64);
  EXPECT_EQ(encode_ao_option(big, 1, 1, 37).error(), SegmentError::BadOptionLength);
  EXPECT_EQ(*encode_ao_option(big, 1, 1, 36), 40U);
}

}  // namespace
}  // namespace aotls::segment
