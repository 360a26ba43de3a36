// SNE (RFC 5925 section 6.2) with explicit expected values around the 2^32
// wrap, including segments reordered across it.
#include "aotls/segment/sne.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace aotls::segment {
namespace {

struct Case {
  std::uint32_t seq;
  SneReference reference;
  std::uint32_t expected_sne;
};

TEST(Sne, RuleAgainstReference) {
  const std::vector<Case> cases{
      // No wrap in sight.
      {1000, {0, 500}, 0},
      {500, {0, 1000}, 0},
      {0x7fffffff, {0, 0}, 0},
      // Reference just before the wrap; the segment just after it: SNE + 1.
      {0x00000010, {0, 0xfffffff0}, 1},
      {0x00000000, {0, 0xffffffff}, 1},
      {0x7fffffe0, {0, 0xfffffff0}, 1},  // almost 2^31 ahead
      // Reference just after the wrap; a late segment from before it: SNE - 1.
      {0xfffffff0, {1, 0x00000010}, 0},
      {0xffffffff, {1, 0x00000000}, 0},
      {0x80000011, {1, 0x00000010}, 0},  // almost 2^31 behind
      // Same sides of the wrap as the reference: unchanged.
      {0xfffffff8, {0, 0xfffffff0}, 0},
      {0x00000008, {1, 0x00000010}, 1},
      {0xfffffff0, {0, 0xfffffff8}, 0},  // reordered, but no wrap between
      // Later wraps count on.
      {0x00000005, {6, 0xffff0000}, 7},
      {0xffff0000, {7, 0x00000005}, 6},
      // SNE 0 with a segment before the reference's wrap: wraps to 0xffffffff
      // like Linux's u32 arithmetic (a segment before the ISN; never valid).
      {0xfffffff0, {0, 0x00000010}, 0xffffffff},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sne_for(c.seq, c.reference), c.expected_sne)
        << std::hex << "seq " << c.seq << " ref " << c.reference.sne << ":" << c.reference.seq;
  }
}

TEST(Sne, SendTrackerAcrossTheWrapWithRetransmissions) {
  SendSneTracker send(0xffffff00);       // ISN close to the wrap
  EXPECT_EQ(send.next(0xffffff00), 0U);  // SYN
  EXPECT_EQ(send.next(0xffffff01), 0U);
  EXPECT_EQ(send.next(0xfffffff1), 0U);
  EXPECT_EQ(send.next(0x000000e1), 1U);  // first segment past the wrap
  EXPECT_EQ(send.reference(), (SneReference{1, 0x000000e1}));
  EXPECT_EQ(send.next(0xfffffff1), 0U);  // retransmission from before the wrap
  EXPECT_EQ(send.reference(), (SneReference{1, 0x000000e1}));  // does not move back
  EXPECT_EQ(send.next(0x000001d1), 1U);
  EXPECT_EQ(send.next(0x80000000), 1U);
  EXPECT_EQ(send.next(0xfffffff0), 1U);  // second lap, still before the wrap
  EXPECT_EQ(send.next(0x00000010), 2U);  // second wrap
}

TEST(Sne, ReceiveTrackerReorderedAroundTheWrap) {
  ReceiveSneTracker recv(SneReference{0, 0xfffffe00});
  // Arrival order: a, c (after the wrap), b (before the wrap, late), d.
  const std::uint32_t a = 0xffffff00, b = 0xffffffa0, c = 0x00000040, d = 0x000000e0;
  EXPECT_EQ(recv.sne_for(a), 0U);
  recv.on_verified(a, 0);
  EXPECT_EQ(recv.sne_for(c), 1U);
  recv.on_verified(c, 1);
  EXPECT_EQ(recv.reference(), (SneReference{1, c}));
  EXPECT_EQ(recv.sne_for(b), 0U);  // from before the wrap, arriving after it: SNE - 1
  recv.on_verified(b, 0);
  EXPECT_EQ(recv.reference(), (SneReference{1, c}));
  EXPECT_EQ(recv.sne_for(d), 1U);
}

TEST(Sne, ReceiveTrackerOnlyMovesOnVerifiedSegments) {
  ReceiveSneTracker recv(0xfffffff0);
  // A forged segment far ahead is looked up but never verified.
  EXPECT_EQ(recv.sne_for(0x70000000), 1U);
  EXPECT_EQ(recv.reference(), (SneReference{0, 0xfffffff0}));
  EXPECT_EQ(recv.sne_for(0xfffffff8), 0U);
}

TEST(Sne, AdvanceReferenceUses64BitOrder) {
  SneReference ref{1, 0x10};
  advance_reference(ref, 0xfffffff0, 0);  // earlier in 64-bit order
  EXPECT_EQ(ref, (SneReference{1, 0x10}));
  advance_reference(ref, 0x20, 1);
  EXPECT_EQ(ref, (SneReference{1, 0x20}));
  advance_reference(ref, 0x05, 2);
  EXPECT_EQ(ref, (SneReference{2, 0x05}));
}

}  // namespace
}  // namespace aotls::segment
