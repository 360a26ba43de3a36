// FrameBuffer and check_header on byte arrays (no sockets).
#include <gtest/gtest.h>

#include <algorithm>

#include "messages.hpp"

namespace session_test {
namespace {

using bgpd::session::FrameBuffer;
using bgpd::session::FramingError;

void feed(FrameBuffer& frames, std::span<const std::uint8_t> bytes) {
  auto space = frames.prepare(bytes.size());
  std::copy(bytes.begin(), bytes.end(), space.begin());
  frames.commit(bytes.size());
}

// Drains every whole message currently buffered.
std::vector<std::vector<std::uint8_t>> drain(FrameBuffer& frames) {
  std::vector<std::vector<std::uint8_t>> out;
  for (;;) {
    auto next = frames.next();
    EXPECT_TRUE(next.has_value());
    if (!next || next->empty()) return out;
    out.emplace_back(next->begin(), next->end());
  }
}

TEST(Framing, MergedMessagesComeOutOneByOne) {
  const auto keepalive = message(4, 19);
  const auto update = message(2, 100, 0x11);
  const auto open = message(1, 29, 0x22);
  FrameBuffer frames;
  feed(frames, concat({keepalive, update, open}));
  const auto out = drain(frames);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], keepalive);
  EXPECT_EQ(out[1], update);
  EXPECT_EQ(out[2], open);
  EXPECT_EQ(frames.buffered(), 0u);
}

TEST(Framing, SplitAtEveryByteReassembles) {
  const auto stream = concat({message(2, 4096, 0x5a), message(4, 19)});
  FrameBuffer frames;
  std::vector<std::vector<std::uint8_t>> out;
  for (std::uint8_t byte : stream) {
    feed(frames, std::span<const std::uint8_t>(&byte, 1));
    auto got = drain(frames);
    out.insert(out.end(), got.begin(), got.end());
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(concat(out), stream);
}

TEST(Framing, IncompleteHeaderWaits) {
  FrameBuffer frames;
  const auto keepalive = message(4, 19);
  feed(frames, std::span(keepalive).first(18));
  EXPECT_TRUE(drain(frames).empty());
  EXPECT_EQ(frames.buffered(), 18u);
}

TEST(Framing, BadMarkerIsConnectionNotSynchronized) {
  auto bad = message(4, 19);
  bad[7] = 0xfe;
  FrameBuffer frames;
  feed(frames, bad);
  auto next = frames.next();
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error(), FramingError::ConnectionNotSynchronized);
  EXPECT_EQ(bgpd::session::header_subcode(FramingError::ConnectionNotSynchronized),
            bgpd::wire::HeaderSubcode::ConnectionNotSynchronized);
  EXPECT_TRUE(std::equal(bad.begin(), bad.end(), frames.pending_header().begin(),
                         frames.pending_header().end()));
}

TEST(Framing, LengthBoundsAreChecked) {
  for (std::size_t bad_length :
       {std::size_t{0}, std::size_t{18}, std::size_t{4097}, std::size_t{65535}}) {
    FrameBuffer frames;
    feed(frames, message(2, bad_length));
    auto next = frames.next();
    ASSERT_FALSE(next.has_value()) << bad_length;
    EXPECT_EQ(next.error(), FramingError::BadMessageLength) << bad_length;
  }
  EXPECT_EQ(bgpd::session::header_subcode(FramingError::BadMessageLength),
            bgpd::wire::HeaderSubcode::BadMessageLength);
}

TEST(Framing, ExtendedMessagesRaiseTheLimit) {
  const auto big = message(2, 65535, 0x33);
  FrameBuffer frames;
  frames.set_max_length(bgpd::session::kMaxExtendedMessageSize);
  feed(frames, big);
  const auto out = drain(frames);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], big);
}

TEST(Framing, ErrorCategoryNamesTheProblem) {
  const std::error_code ec = FramingError::BadMessageLength;
  EXPECT_STREQ(ec.category().name(), "bgp-framing");
  EXPECT_NE(ec.message().find("length"), std::string::npos);
}

}  // namespace
}  // namespace session_test
