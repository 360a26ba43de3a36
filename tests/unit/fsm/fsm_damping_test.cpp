// tests/unit/fsm/fsm_damping_test.cpp - DampPeerOscillations through the FSM:
// IdleHoldTimer backoff doubling, its ceiling, its reset after a stable
// Established period, and the automatic restart on IdleHoldTimer_Expires.
#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

using E = Event;
using S = State;
using T = Timer;
using Actions = std::vector<Action>;

Config damped() {
  Config c;
  c.damp_peer_oscillations = true;
  c.allow_automatic_start = true;
  c.idle_hold = IdleHoldConfig{1, 8, 60};
  return c;
}

class Damped : public ::testing::Test {
 protected:
  StepResult step(const Input& in, seconds advance = seconds(1)) {
    now_ += advance;
    return fsm_.step(in, now_);
  }
  // Connect -> Idle by a failed TCP connection; returns the IdleHoldTime armed.
  std::uint32_t flap_in_connect() {
    const StepResult r = step(E::TcpConnectionFails);
    EXPECT_EQ(fsm_.state(), S::Idle);
    EXPECT_FALSE(r.actions.empty());
    const auto* start = std::get_if<StartTimer>(&r.actions.back());
    if (start == nullptr || start->which != T::IdleHold) {
      ADD_FAILURE() << "no IdleHoldTimer armed";
      return 0;
    }
    return start->seconds;
  }
  void restart_after_hold() {
    const StepResult r = step(E::IdleHoldTimerExpires, seconds(1));
    EXPECT_EQ(r.transition, (Transition{S::Idle, S::Connect, E::IdleHoldTimerExpires}));
  }
  // From Connect to Established, then `stay` later a Hold Timer expiry.
  void session_that_lasts(seconds stay) {
    (void)step(E::TcpCrAcked);
    (void)step(Input(E::BgpOpen, kHold));
    (void)step(E::KeepAliveMsg);
    ASSERT_EQ(fsm_.state(), S::Established);
    (void)step(E::HoldTimerExpires, stay);
    ASSERT_EQ(fsm_.state(), S::Idle);
  }

  Fsm fsm_{damped()};
  milliseconds now_{0};
};

TEST_F(Damped, IdleHoldTimeDoublesUpToTheCeiling) {
  (void)step(E::ManualStart);
  std::vector<std::uint32_t> holds;
  for (int i = 0; i < 6; ++i) {
    holds.push_back(flap_in_connect());
    restart_after_hold();
  }
  EXPECT_EQ(holds, (std::vector<std::uint32_t>{1, 2, 4, 8, 8, 8}));
}

TEST_F(Damped, RestartFollowsThePassiveAttributeSetAfterAStart) {
  (void)step(E::ManualStartWithPassiveTcpEstablishment);
  ASSERT_EQ(fsm_.state(), S::Active);
  fsm_.set_passive_tcp_establishment(false);
  (void)step(E::TcpConnectionFails);
  ASSERT_EQ(fsm_.state(), S::Idle);
  const StepResult r = step(E::IdleHoldTimerExpires);
  EXPECT_EQ(r.transition, (Transition{S::Idle, S::Connect, E::IdleHoldTimerExpires}));
  EXPECT_EQ(r.actions, (Actions{StartTimer{T::ConnectRetry, kConnectRetry}, InitiateTcpConnection{},
                                ListenForConnections{}}));
}

TEST_F(Damped, AutomaticRestartKeepsCountingFlaps) {
  (void)step(E::ManualStart);
  (void)step(E::HoldTimerExpires);  // Connect, "any other event": counter + 1
  const StepResult r = step(E::IdleHoldTimerExpires);
  EXPECT_EQ(r.actions, (Actions{StartTimer{T::ConnectRetry, kConnectRetry}, InitiateTcpConnection{},
                                ListenForConnections{}}));
  EXPECT_EQ(fsm_.connect_retry_counter(), 1u);
}

TEST_F(Damped, StableSessionResetsTheBackoff) {
  (void)step(E::ManualStart);
  EXPECT_EQ(flap_in_connect(), 1u);
  restart_after_hold();
  EXPECT_EQ(flap_in_connect(), 2u);
  restart_after_hold();
  EXPECT_EQ(fsm_.idle_hold_time(), 4u);
  // Established for exactly the stability period: the flap that ends it is
  // damped with the base value again.
  session_that_lasts(seconds(60));
  EXPECT_EQ(fsm_.idle_hold_time(), 2u);  // base 1 was used, next is 2
}

TEST_F(Damped, ShortSessionDoesNotResetTheBackoff) {
  (void)step(E::ManualStart);
  EXPECT_EQ(flap_in_connect(), 1u);
  restart_after_hold();
  EXPECT_EQ(flap_in_connect(), 2u);
  restart_after_hold();
  session_that_lasts(seconds(59));
  EXPECT_EQ(fsm_.idle_hold_time(), 8u);  // 4 was used, next is 8
}

TEST_F(Damped, ManualStopInIdleCancelsTheHoldDown) {
  (void)step(E::ManualStart);
  (void)flap_in_connect();
  ASSERT_TRUE(fsm_.timer_running(T::IdleHold));
  const StepResult r = step(E::ManualStop);
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::IdleHold}}));
  EXPECT_FALSE(r.transition.has_value());
  EXPECT_FALSE(fsm_.timer_running(T::IdleHold));
}

TEST_F(Damped, ManualStartDuringHoldDownStartsAtOnce) {
  (void)step(E::ManualStart);
  (void)flap_in_connect();
  const StepResult r = step(E::ManualStart);
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::IdleHold}, StartTimer{T::ConnectRetry, kConnectRetry},
                                InitiateTcpConnection{}, ListenForConnections{}}));
  EXPECT_EQ(fsm_.state(), S::Connect);
}

TEST_F(Damped, DampedStartWaitsForTheHoldDown) {
  (void)step(E::ManualStart);
  (void)flap_in_connect();
  // Event 7 while held down: nothing yet, but the restart will be passive.
  StepResult r = step(E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(fsm_.state(), S::Idle);
  r = step(E::IdleHoldTimerExpires);
  EXPECT_EQ(r.actions,
            (Actions{StartTimer{T::ConnectRetry, kConnectRetry}, ListenForConnections{}}));
  EXPECT_EQ(fsm_.state(), S::Active);
}

TEST_F(Damped, DampedStartWithoutHoldDownStartsAtOnce) {
  const StepResult r = step(E::AutomaticStartWithDampPeerOscillations);
  EXPECT_EQ(r.transition,
            (Transition{S::Idle, S::Connect, E::AutomaticStartWithDampPeerOscillations}));
  EXPECT_FALSE(fsm_.passive_tcp_establishment());
}

TEST(DampingOff, DampedStartEventsAreIgnored) {
  Fsm fsm;
  StepResult r = fsm.step(E::AutomaticStartWithDampPeerOscillations, milliseconds{1});
  EXPECT_TRUE(r.actions.empty());
  r = fsm.step(E::IdleHoldTimerExpires, milliseconds{2});
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(fsm.state(), S::Idle);
}

TEST(DampingWithoutAutomaticStart, HoldDownExpiryDoesNotRestart) {
  Config c = damped();
  c.allow_automatic_start = false;
  Fsm fsm(c);
  (void)fsm.step(E::ManualStart, milliseconds{1});
  StepResult r = fsm.step(E::TcpConnectionFails, milliseconds{2});
  EXPECT_EQ(r.actions.back(), Action(StartTimer{T::IdleHold, 1}));
  r = fsm.step(E::IdleHoldTimerExpires, milliseconds{3000});
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(fsm.state(), S::Idle);
}

}  // namespace
}  // namespace bgpd::fsm::test
