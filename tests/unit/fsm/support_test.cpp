// tests/unit/fsm/support_test.cpp - Hold Time negotiation, KeepaliveTime,
// the IdleHoldTime backoff on its own, and the RFC names.
#include <gtest/gtest.h>

#include <limits>

#include "bgpd/fsm/hold_time.hpp"
#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

TEST(HoldTime, NegotiatedIsTheSmaller) {
  auto h = negotiate_hold_time(90, 30);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, 30);
  h = negotiate_hold_time(90, 240);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, 90);
}

// RFC 4271 4.2: zero is allowed on either side and wins.
TEST(HoldTime, ZeroMeansNoHoldTimer) {
  auto h = negotiate_hold_time(90, 0);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, 0);
  h = negotiate_hold_time(0, 180);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, 0);
}

// RFC 4271 4.2: "MUST reject Hold Time values of one or two seconds".
TEST(HoldTime, OneAndTwoSecondsAreUnacceptable) {
  for (const std::uint16_t peer : {std::uint16_t{1}, std::uint16_t{2}}) {
    const auto h = negotiate_hold_time(90, peer);
    ASSERT_FALSE(h.has_value());
    EXPECT_EQ(h.error(),
              (SendNotification{wire::ErrorCode::OpenMessage,
                                static_cast<std::uint8_t>(wire::OpenSubcode::UnacceptableHoldTime),
                                {}}));
  }
  EXPECT_TRUE(negotiate_hold_time(90, 3).has_value());
}

TEST(HoldTime, FsmNegotiatesWithItsConfiguredHoldTime) {
  Config c;
  EXPECT_EQ(c.hold_time, 90);
  c.hold_time = 60;
  const Fsm fsm(c);
  auto h = fsm.hold_time_for(180);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(*h, 60);
  h = fsm.hold_time_for(2);
  EXPECT_FALSE(h.has_value());
}

TEST(HoldTime, KeepaliveIsOneThirdAndAtLeastOneSecond) {
  EXPECT_EQ(keepalive_time(90), 30u);
  EXPECT_EQ(keepalive_time(180), 60u);
  EXPECT_EQ(keepalive_time(3), 1u);
  EXPECT_EQ(keepalive_time(4), 1u);
  EXPECT_EQ(keepalive_time(0), 0u);
  EXPECT_EQ(keepalive_time(65535), 21845u);
}

TEST(IdleHoldBackoff, DoublesCapsAndResets) {
  IdleHoldBackoff b(IdleHoldConfig{2, 10, 30});
  EXPECT_EQ(b.next_hold(), 2u);
  EXPECT_EQ(b.next_hold(), 4u);
  EXPECT_EQ(b.next_hold(), 8u);
  EXPECT_EQ(b.next_hold(), 10u);
  EXPECT_EQ(b.next_hold(), 10u);
  b.session_ended(seconds(29));
  EXPECT_EQ(b.current(), 10u);
  b.session_ended(seconds(30));
  EXPECT_EQ(b.current(), 2u);
}

TEST(IdleHoldBackoff, ZeroBaseStillGrows) {
  IdleHoldBackoff b(IdleHoldConfig{0, 4, 30});
  EXPECT_EQ(b.next_hold(), 1u);
  EXPECT_EQ(b.next_hold(), 2u);
  EXPECT_EQ(b.next_hold(), 4u);
}

TEST(IdleHoldBackoff, HugeCeilingDoesNotWrap) {
  constexpr auto kMax = std::numeric_limits<std::uint32_t>::max();
  IdleHoldBackoff b(IdleHoldConfig{0x80000000u, kMax, 30});
  EXPECT_EQ(b.next_hold(), 0x80000000u);
  EXPECT_EQ(b.next_hold(), kMax);
  EXPECT_EQ(b.next_hold(), kMax);
}

TEST(Names, EveryStateEventAndTimerRoundTrips) {
  for (int n = 1; n <= kStateCount; ++n) {
    const auto s = static_cast<State>(n);
    EXPECT_EQ(state_from_string(to_string(s)), s);
  }
  for (int n = 1; n <= kEventCount; ++n) {
    const auto e = static_cast<Event>(n);
    EXPECT_NE(to_string(e), "?");
    EXPECT_EQ(event_from_string(to_string(e)), e);
  }
  for (int n = 0; n < kTimerCount; ++n) {
    const auto t = static_cast<Timer>(n);
    EXPECT_EQ(timer_from_string(to_string(t)), t);
  }
  EXPECT_FALSE(event_from_string("NoSuchEvent").has_value());
  EXPECT_FALSE(state_from_string("").has_value());
}

TEST(Names, RfcVocabulary) {
  EXPECT_EQ(to_string(Event::TcpConnectionConfirmed), "TcpConnectionConfirmed");
  EXPECT_EQ(to_string(Event::HoldTimerExpires), "HoldTimerExpires");
  EXPECT_EQ(static_cast<int>(Event::UpdateMsgErr), 28);
  EXPECT_EQ(to_string(State::OpenConfirm), "OpenConfirm");
}

TEST(Names, ActionsPrintWithoutNotificationData) {
  EXPECT_EQ(to_string(Action(StartTimer{Timer::Hold, 240})), "StartTimer(Hold,240)");
  EXPECT_EQ(to_string(Action(StopTimer{Timer::IdleHold})), "StopTimer(IdleHold)");
  EXPECT_EQ(to_string(Action(SendNotification{wire::ErrorCode::Cease, 2, {'b', 'y', 'e'}})),
            "SendNotification(6,2,len=3)");
  EXPECT_EQ(to_string(Action(SessionDown{})), "SessionDown");
}

}  // namespace
}  // namespace bgpd::fsm::test
