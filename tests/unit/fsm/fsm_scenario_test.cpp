// tests/unit/fsm/fsm_scenario_test.cpp - whole sessions through the FSM.
#include <algorithm>

#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

using E = Event;
using S = State;
using T = Timer;
using Actions = std::vector<Action>;

// Drives one Fsm with a clock that advances one second per event unless
// told otherwise.
class Driver {
 public:
  explicit Driver(Config config = {}) : fsm_(config) {}
  StepResult step(const Input& in, seconds advance = seconds(1)) {
    now_ += advance;
    return fsm_.step(in, now_);
  }
  Fsm& fsm() { return fsm_; }

 private:
  Fsm fsm_;
  milliseconds now_{0};
};

bool contains(const Actions& actions, const Action& a) {
  return std::find(actions.begin(), actions.end(), a) != actions.end();
}

TEST(FsmScenario, HappyPathActive) {
  Driver d;
  StepResult r = d.step(E::ManualStart);
  EXPECT_EQ(r.transition, (Transition{S::Idle, S::Connect, E::ManualStart}));
  EXPECT_TRUE(contains(r.actions, InitiateTcpConnection{}));

  r = d.step(E::TcpCrAcked);
  EXPECT_EQ(r.transition, (Transition{S::Connect, S::OpenSent, E::TcpCrAcked}));
  EXPECT_EQ(r.actions,
            (Actions{StopTimer{T::ConnectRetry}, SendOpen{}, StartTimer{T::Hold, kLargeHold}}));

  r = d.step(Input(E::BgpOpen, 180));
  EXPECT_EQ(r.transition, (Transition{S::OpenSent, S::OpenConfirm, E::BgpOpen}));
  EXPECT_EQ(r.actions,
            (Actions{SendKeepalive{}, StartTimer{T::Keepalive, 60}, StartTimer{T::Hold, 180}}));
  EXPECT_EQ(d.fsm().negotiated_hold_time(), 180);

  r = d.step(E::KeepAliveMsg);
  EXPECT_EQ(r.transition, (Transition{S::OpenConfirm, S::Established, E::KeepAliveMsg}));
  EXPECT_EQ(r.actions, (Actions{StartTimer{T::Hold, 180}, SessionEstablished{}}));

  r = d.step(E::UpdateMsg);
  EXPECT_EQ(r.actions, (Actions{ProcessUpdate{}, StartTimer{T::Hold, 180}}));
  r = d.step(E::KeepaliveTimerExpires);
  EXPECT_EQ(r.actions, (Actions{SendKeepalive{}, StartTimer{T::Keepalive, 60}}));
  EXPECT_EQ(d.fsm().state(), S::Established);
  EXPECT_EQ(d.fsm().connect_retry_counter(), 0u);
}

TEST(FsmScenario, HappyPathPassive) {
  Driver d;
  StepResult r = d.step(E::ManualStartWithPassiveTcpEstablishment);
  EXPECT_EQ(r.transition,
            (Transition{S::Idle, S::Active, E::ManualStartWithPassiveTcpEstablishment}));
  EXPECT_FALSE(contains(r.actions, InitiateTcpConnection{}));
  EXPECT_TRUE(d.fsm().passive_tcp_establishment());

  // PassiveTcpEstablishment: the retry timer restarts, no connection is
  // initiated, the FSM keeps waiting in Active.
  r = d.step(E::ConnectRetryTimerExpires);
  EXPECT_EQ(r.actions, (Actions{StartTimer{T::ConnectRetry, kConnectRetry}}));
  EXPECT_FALSE(r.transition.has_value());

  r = d.step(E::TcpConnectionConfirmed);
  EXPECT_EQ(r.transition, (Transition{S::Active, S::OpenSent, E::TcpConnectionConfirmed}));
  EXPECT_EQ(r.actions,
            (Actions{StopTimer{T::ConnectRetry}, SendOpen{}, StartTimer{T::Hold, kLargeHold}}));
  (void)d.step(Input(E::BgpOpen, kHold));
  r = d.step(E::KeepAliveMsg);
  EXPECT_EQ(d.fsm().state(), S::Established);
  EXPECT_TRUE(contains(r.actions, SessionEstablished{}));
}

TEST(FsmScenario, HoldTimerExpiryInEstablishedSendsNotification4) {
  Driver d;
  reach(d.fsm(), S::Established);
  const StepResult r = d.step(E::HoldTimerExpires);
  ASSERT_FALSE(r.actions.empty());
  // The NOTIFICATION leaves before the connection is dropped.
  EXPECT_EQ(r.actions.front(), Action(SendNotification{wire::ErrorCode::HoldTimerExpired, 0, {}}));
  const auto drop = std::find(r.actions.begin(), r.actions.end(), Action(DropTcpConnection{}));
  ASSERT_NE(drop, r.actions.end());
  EXPECT_TRUE(contains(r.actions, SessionDown{}));
  EXPECT_EQ(d.fsm().state(), S::Idle);
  EXPECT_EQ(d.fsm().connect_retry_counter(), 1u);
}

TEST(FsmScenario, HoldTimerExpiryInOpenSentUsesLargeHoldTimer) {
  Driver d;
  (void)d.step(E::ManualStart);
  const StepResult r = d.step(E::TcpCrAcked);
  EXPECT_TRUE(contains(r.actions, StartTimer{T::Hold, 240}));
  const StepResult expired = d.step(E::HoldTimerExpires, seconds(240));
  EXPECT_EQ(expired.actions.front(),
            Action(SendNotification{wire::ErrorCode::HoldTimerExpired, 0, {}}));
  EXPECT_EQ(d.fsm().state(), S::Idle);
}

TEST(FsmScenario, HoldTimeZeroRunsNoKeepaliveAndNoHoldTimer) {
  Driver d;
  reach(d.fsm(), S::OpenSent);
  StepResult r = d.step(Input(E::BgpOpen, 0));
  // RFC 4271 4.4 / 8.2.2: with a zero Hold Time neither timer is started;
  // the large HoldTimer of OpenSent is stopped.
  EXPECT_EQ(r.actions, (Actions{SendKeepalive{}, StopTimer{T::Hold}}));
  EXPECT_FALSE(d.fsm().timer_running(T::Hold));
  EXPECT_FALSE(d.fsm().timer_running(T::Keepalive));

  r = d.step(E::KeepAliveMsg);
  EXPECT_EQ(r.actions, (Actions{SessionEstablished{}}));
  r = d.step(E::UpdateMsg, seconds(3600));
  EXPECT_EQ(r.actions, (Actions{ProcessUpdate{}}));
  r = d.step(E::KeepAliveMsg);
  EXPECT_TRUE(r.actions.empty());
  r = d.step(E::KeepaliveTimerExpires);
  EXPECT_EQ(r.actions, (Actions{SendKeepalive{}}));
  EXPECT_EQ(d.fsm().state(), S::Established);
}

TEST(FsmScenario, HoldTimeZeroAfterDelayOpen) {
  Config c;
  c.delay_open = true;
  Driver d(c);
  (void)d.step(E::ManualStart);
  (void)d.step(E::TcpCrAcked);
  const StepResult r = d.step(Input(E::BgpOpenWithDelayOpenTimerRunning, 0));
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::DelayOpen}, SendOpen{}, SendKeepalive{}}));
  EXPECT_EQ(d.fsm().state(), S::OpenConfirm);
}

struct StopCase {
  State state;
  bool sends_cease;
};

class ManualStopInEachState : public ::testing::TestWithParam<StopCase> {};

// RFC 4271 8.2.2: ManualStop sends a Cease in OpenSent, OpenConfirm and
// Established (RFC 4486 subcode 2, Administrative Shutdown), not in Connect
// nor in Active without a running DelayOpenTimer; it always zeroes the
// ConnectRetryCounter.
TEST_P(ManualStopInEachState, CeaseAdministrativeShutdownWhereTheRfcSaysSo) {
  const StopCase c = GetParam();
  // A damped flap and its automatic restart leave the counter at 1 (the
  // restart does not zero it), so that "sets to zero" is observable.
  Config config;
  config.damp_peer_oscillations = true;
  config.allow_automatic_start = true;
  Driver d(config);
  (void)d.step(E::ManualStart);
  (void)d.step(E::HoldTimerExpires);
  (void)d.step(E::IdleHoldTimerExpires);
  ASSERT_EQ(d.fsm().state(), S::Connect);
  ASSERT_EQ(d.fsm().connect_retry_counter(), 1u);
  const std::vector<Input> path = path_to(c.state);
  for (auto in = path.begin() + 1; in != path.end(); ++in) (void)d.step(*in);
  ASSERT_EQ(d.fsm().state(), c.state);
  const StepResult r = d.step(E::ManualStop);
  const Action cease{SendNotification{
      wire::ErrorCode::Cease, sub(wire::CeaseSubcode::AdministrativeShutdown), {}}};
  EXPECT_EQ(contains(r.actions, cease), c.sends_cease);
  if (c.sends_cease) {
    EXPECT_EQ(r.actions.front(), cease);
  }
  EXPECT_EQ(d.fsm().state(), S::Idle);
  EXPECT_EQ(d.fsm().connect_retry_counter(), 0u);
  // An operator stop is no flap: no IdleHoldTimer, no automatic restart.
  EXPECT_FALSE(d.fsm().timer_running(T::IdleHold));
}

INSTANTIATE_TEST_SUITE_P(Rfc4271, ManualStopInEachState,
                         ::testing::Values(StopCase{S::Connect, false}, StopCase{S::Active, false},
                                           StopCase{S::OpenSent, true},
                                           StopCase{S::OpenConfirm, true},
                                           StopCase{S::Established, true}),
                         [](const ::testing::TestParamInfo<StopCase>& param_info) {
                           return std::string(to_string(param_info.param.state));
                         });

TEST(FsmScenario, ManualStopCarriesShutdownCommunication) {
  Driver d;
  reach(d.fsm(), S::Established);
  // RFC 9003: Administrative Shutdown with a shutdown communication.
  const SendNotification n{wire::ErrorCode::Cease,
                           sub(wire::CeaseSubcode::AdministrativeShutdown),
                           {0x05, 'm', 'a', 'i', 'n', 't'}};
  const StepResult r = d.step(Input(E::ManualStop, n));
  EXPECT_EQ(r.actions.front(), Action(n));
}

TEST(FsmScenario, AutomaticStopCarriesMaximumPrefixes) {
  Driver d;
  reach(d.fsm(), S::Established);
  const SendNotification n = cease(wire::CeaseSubcode::MaximumPrefixesReached);
  const StepResult r = d.step(Input(E::AutomaticStop, n));
  EXPECT_EQ(r.actions.front(), Action(n));
  EXPECT_EQ(d.fsm().connect_retry_counter(), 1u);
}

TEST(FsmScenario, ManualStopInActiveWithDelayOpenAndNotificationWithoutOpen) {
  Config c;
  c.delay_open = true;
  c.send_notification_without_open = true;
  Driver d(c);
  (void)d.step(E::ManualStartWithPassiveTcpEstablishment);
  StepResult r = d.step(E::TcpConnectionConfirmed);
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::ConnectRetry}, StartTimer{T::DelayOpen, 5}}));
  EXPECT_EQ(d.fsm().state(), S::Active);
  r = d.step(E::ManualStop);
  EXPECT_EQ(r.actions,
            (Actions{cease(wire::CeaseSubcode::AdministrativeShutdown), StopTimer{T::DelayOpen},
                     ReleaseResources{}, DropTcpConnection{}, StopListening{}}));
}

TEST(FsmScenario, SendNotificationWithoutOpenInConnect) {
  Config c;
  c.send_notification_without_open = true;
  Driver d(c);
  (void)d.step(E::ManualStart);
  const StepResult r = d.step(Input(E::BgpHeaderErr, header_error()));
  EXPECT_EQ(r.actions.front(), Action(header_error()));
  EXPECT_EQ(d.fsm().state(), S::Idle);
  EXPECT_EQ(d.fsm().connect_retry_counter(), 1u);
}

TEST(FsmScenario, ErrorWithoutDecoderNotificationUsesUnspecificSubcode) {
  Driver d;
  reach(d.fsm(), S::Established);
  const StepResult r = d.step(E::UpdateMsgErr);
  EXPECT_EQ(r.actions.front(), Action(SendNotification{wire::ErrorCode::UpdateMessage, 0, {}}));
}

TEST(FsmScenario, DelayOpenThenPeerOpensFirst) {
  Config c;
  c.delay_open = true;
  c.delay_open_time = 7;
  Driver d(c);
  (void)d.step(E::ManualStart);
  EXPECT_EQ(d.fsm().open_event(), E::BgpOpen);
  StepResult r = d.step(E::TcpCrAcked);
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::ConnectRetry}, StartTimer{T::DelayOpen, 7}}));
  EXPECT_EQ(d.fsm().state(), S::Connect);
  EXPECT_EQ(d.fsm().open_event(), E::BgpOpenWithDelayOpenTimerRunning);
  r = d.step(Input(d.fsm().open_event(), kHold));
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::DelayOpen}, SendOpen{}, SendKeepalive{},
                                StartTimer{T::Keepalive, kKeepalive}, StartTimer{T::Hold, kHold}}));
  EXPECT_EQ(d.fsm().state(), S::OpenConfirm);
  EXPECT_EQ(d.fsm().open_event(), E::BgpOpen);
}

TEST(FsmScenario, DelayOpenTimerExpiresSendsOpen) {
  Config c;
  c.delay_open = true;
  Driver d(c);
  (void)d.step(E::ManualStart);
  (void)d.step(E::TcpConnectionConfirmed);
  const StepResult r = d.step(E::DelayOpenTimerExpires, seconds(5));
  EXPECT_EQ(r.actions, (Actions{SendOpen{}, StartTimer{T::Hold, kLargeHold}}));
  EXPECT_EQ(d.fsm().state(), S::OpenSent);
}

TEST(FsmScenario, ConnectTcpFailsWithDelayOpenRunningGoesActive) {
  Config c;
  c.delay_open = true;
  Driver d(c);
  (void)d.step(E::ManualStart);
  (void)d.step(E::TcpCrAcked);
  const StepResult r = d.step(E::TcpConnectionFails);
  EXPECT_EQ(r.actions,
            (Actions{StartTimer{T::ConnectRetry, kConnectRetry}, StopTimer{T::DelayOpen}}));
  EXPECT_EQ(r.transition, (Transition{S::Connect, S::Active, E::TcpConnectionFails}));
  EXPECT_EQ(d.fsm().connect_retry_counter(), 0u);
}

TEST(FsmScenario, VersionErrorWithDelayOpenRunningKeepsCounter) {
  Config c;
  c.delay_open = true;
  Driver d(c);
  (void)d.step(E::ManualStart);
  (void)d.step(E::TcpCrAcked);
  const StepResult r = d.step(E::NotifMsgVerErr);
  EXPECT_EQ(r.actions, (Actions{StopTimer{T::DelayOpen}, ReleaseResources{}, DropTcpConnection{},
                                StopListening{}}));
  EXPECT_EQ(d.fsm().connect_retry_counter(), 0u);
}

TEST(FsmScenario, ConnectRetryCounterCountsFlapsAndStartResetsIt) {
  Driver d;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    (void)d.step(E::AutomaticStartWithPassiveTcpEstablishment);
    (void)d.step(E::TcpConnectionConfirmed);
    (void)d.step(E::HoldTimerExpires);
    // AutomaticStart zeroes the counter (8.2.2 Idle), so each flap shows 1.
    EXPECT_EQ(d.fsm().connect_retry_counter(), 1u);
  }
  (void)d.step(E::ManualStart);
  EXPECT_EQ(d.fsm().connect_retry_counter(), 0u);
}

TEST(FsmScenario, TransitionsAreRecordedOncePerChange) {
  Driver d;
  std::vector<Transition> log;
  for (const Input& in : path_to(S::Established)) {
    const StepResult r = d.step(in);
    if (r.transition) log.push_back(*r.transition);
  }
  (void)d.step(E::KeepAliveMsg);  // no change: nothing recorded
  const StepResult down = d.step(E::NotifMsg);
  ASSERT_TRUE(down.transition.has_value());
  log.push_back(*down.transition);
  EXPECT_EQ(log, (std::vector<Transition>{{S::Idle, S::Connect, E::ManualStart},
                                          {S::Connect, S::OpenSent, E::TcpCrAcked},
                                          {S::OpenSent, S::OpenConfirm, E::BgpOpen},
                                          {S::OpenConfirm, S::Established, E::KeepAliveMsg},
                                          {S::Established, S::Idle, E::NotifMsg}}));
}

TEST(FsmScenario, PassiveAttributeFollowsTheStartEvent) {
  Config c;
  c.passive_tcp_establishment = true;
  Fsm fsm(c);
  EXPECT_TRUE(fsm.passive_tcp_establishment());
  (void)fsm.step(E::ManualStart, milliseconds{1});
  EXPECT_FALSE(fsm.passive_tcp_establishment());
  EXPECT_EQ(fsm.state(), S::Connect);
}

}  // namespace
}  // namespace bgpd::fsm::test
