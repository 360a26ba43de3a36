// tests/unit/fsm/fsm_table_test.cpp - every (state, event) pair, 6 x 28.
//
// Each row was written from the RFC 4271 section 8.2.2 paragraph for that
// state and event (and the decisions listed in bgpd/fsm/fsm.hpp), starting
// from the canonical path of fsm_test_util.hpp with the default Config
// (ConnectRetryTime 120, large HoldTimer 240, DelayOpen off,
// SendNOTIFICATIONwithoutOPEN off, DampPeerOscillations off). The running
// timers at the start of each row are listed in fsm_test_util.hpp; a timer
// that has just expired is no longer running, so it is not stopped.
#include <map>
#include <string>

#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

using E = Event;
using S = State;
using T = Timer;
using Actions = std::vector<Action>;

struct Row {
  State from;
  Event event;
  State to;
  Actions actions;
  std::uint32_t counter_after;  // ConnectRetryCounter (0 on every canonical path)
};

// Returns to Idle: [NOTIFICATION], running timers stopped, "releases all BGP
// resources", "drops the TCP connection", then Idle refuses connections.
Actions to_idle(const std::vector<T>& running, const std::optional<SendNotification>& n,
                bool from_established = false) {
  Actions a;
  if (n) a.emplace_back(*n);
  for (T t : running) a.emplace_back(StopTimer{t});
  a.emplace_back(ReleaseResources{});
  a.emplace_back(DropTcpConnection{});
  if (from_established) a.emplace_back(SessionDown{});
  a.emplace_back(StopListening{});
  return a;
}

Actions connecting_idle() {
  return to_idle({T::ConnectRetry}, std::nullopt);
}
Actions open_sent_idle(const std::optional<SendNotification>& n) {
  return to_idle({T::Hold}, n);
}
Actions open_confirm_idle(const std::optional<SendNotification>& n) {
  return to_idle({T::Hold, T::Keepalive}, n);
}
Actions established_idle(const std::optional<SendNotification>& n) {
  return to_idle({T::Hold, T::Keepalive}, n, true);
}

// "sends an OPEN ..., sets the HoldTimer to a large value, ... OpenSent".
Actions open_and_wait() {
  return {StopTimer{T::ConnectRetry}, SendOpen{}, StartTimer{T::Hold, kLargeHold}};
}
// Event 20: OPEN and KEEPALIVE sent, KeepaliveTimer and HoldTimer armed.
Actions open_confirm_after_delay_open() {
  return {StopTimer{T::ConnectRetry}, SendOpen{}, SendKeepalive{},
          StartTimer{T::Keepalive, kKeepalive}, StartTimer{T::Hold, kHold}};
}

std::vector<Row> starts_ignored(State s) {
  std::vector<Row> rows;
  for (E e :
       {E::ManualStart, E::AutomaticStart, E::ManualStartWithPassiveTcpEstablishment,
        E::AutomaticStartWithPassiveTcpEstablishment, E::AutomaticStartWithDampPeerOscillations,
        E::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment}) {
    rows.push_back({s, e, s, {}, 0});
  }
  return rows;
}

std::vector<Row> rows_for(State s, const std::vector<E>& events, State to, const Actions& a,
                          std::uint32_t counter) {
  std::vector<Row> rows;
  rows.reserve(events.size());
  for (E e : events) rows.push_back({s, e, to, a, counter});
  return rows;
}

std::vector<Row> idle_rows() {
  const Actions start_active{StartTimer{T::ConnectRetry, kConnectRetry}, InitiateTcpConnection{},
                             ListenForConnections{}};
  const Actions start_passive{StartTimer{T::ConnectRetry, kConnectRetry}, ListenForConnections{}};
  std::vector<Row> rows{
      {S::Idle, E::ManualStart, S::Connect, start_active, 0},
      {S::Idle, E::AutomaticStart, S::Connect, start_active, 0},
      {S::Idle, E::ManualStartWithPassiveTcpEstablishment, S::Active, start_passive, 0},
      {S::Idle, E::AutomaticStartWithPassiveTcpEstablishment, S::Active, start_passive, 0},
  };
  // Events 6, 7, 13 only exist with DampPeerOscillations TRUE; ManualStop
  // and AutomaticStop "are ignored"; Events 9-12, 14-28 change nothing.
  for (int n = 1; n <= kEventCount; ++n) {
    const auto e = static_cast<E>(n);
    if (n == 1 || (n >= 3 && n <= 5)) continue;
    rows.push_back({S::Idle, e, S::Idle, {}, 0});
  }
  return rows;
}

std::vector<Row> connect_rows() {
  std::vector<Row> rows = starts_ignored(S::Connect);
  auto add = [&](std::vector<Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  add({
      {S::Connect, E::ManualStop, S::Idle, connecting_idle(), 0},
      {S::Connect,
       E::ConnectRetryTimerExpires,
       S::Connect,
       {DropTcpConnection{}, StartTimer{T::ConnectRetry, kConnectRetry}, InitiateTcpConnection{}},
       0},
      {S::Connect, E::DelayOpenTimerExpires, S::OpenSent, open_and_wait(), 0},
      {S::Connect, E::TcpConnectionValid, S::Connect, {}, 0},
      {S::Connect, E::TcpCrInvalid, S::Connect, {}, 0},
      {S::Connect, E::TcpCrAcked, S::OpenSent, open_and_wait(), 0},
      {S::Connect, E::TcpConnectionConfirmed, S::OpenSent, open_and_wait(), 0},
      // DelayOpenTimer not running: Idle without incrementing the counter.
      {S::Connect, E::TcpConnectionFails, S::Idle, connecting_idle(), 0},
      {S::Connect, E::BgpOpenWithDelayOpenTimerRunning, S::OpenConfirm,
       open_confirm_after_delay_open(), 0},
      // SendNOTIFICATIONwithoutOPEN is off: no NOTIFICATION.
      {S::Connect, E::BgpHeaderErr, S::Idle, connecting_idle(), 1},
      {S::Connect, E::BgpOpenMsgErr, S::Idle, connecting_idle(), 1},
      // DelayOpenTimer not running: counter incremented.
      {S::Connect, E::NotifMsgVerErr, S::Idle, connecting_idle(), 1},
  });
  // "any other events (Events 8, 10-11, 13, 19, 23, 25-28)".
  add(rows_for(S::Connect,
               {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires,
                E::IdleHoldTimerExpires, E::BgpOpen, E::OpenCollisionDump, E::NotifMsg,
                E::KeepAliveMsg, E::UpdateMsg, E::UpdateMsgErr},
               S::Idle, connecting_idle(), 1));
  return rows;
}

std::vector<Row> active_rows() {
  std::vector<Row> rows = starts_ignored(S::Active);
  auto add = [&](std::vector<Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  add({
      // DelayOpenTimer not running: no NOTIFICATION.
      {S::Active, E::ManualStop, S::Idle, connecting_idle(), 0},
      {S::Active,
       E::ConnectRetryTimerExpires,
       S::Connect,
       {StartTimer{T::ConnectRetry, kConnectRetry}, InitiateTcpConnection{}},
       0},
      {S::Active, E::DelayOpenTimerExpires, S::OpenSent, open_and_wait(), 0},
      {S::Active, E::TcpConnectionValid, S::Active, {}, 0},
      {S::Active, E::TcpCrInvalid, S::Active, {}, 0},
      {S::Active, E::TcpCrAcked, S::OpenSent, open_and_wait(), 0},
      {S::Active, E::TcpConnectionConfirmed, S::OpenSent, open_and_wait(), 0},
      {S::Active, E::TcpConnectionFails, S::Idle, connecting_idle(), 1},
      {S::Active, E::BgpOpenWithDelayOpenTimerRunning, S::OpenConfirm,
       open_confirm_after_delay_open(), 0},
      {S::Active, E::BgpHeaderErr, S::Idle, connecting_idle(), 1},
      {S::Active, E::BgpOpenMsgErr, S::Idle, connecting_idle(), 1},
      {S::Active, E::NotifMsgVerErr, S::Idle, connecting_idle(), 1},
  });
  // "any other event (Events 8, 10-11, 13, 19, 23, 25-28)".
  add(rows_for(S::Active,
               {E::AutomaticStop, E::HoldTimerExpires, E::KeepaliveTimerExpires,
                E::IdleHoldTimerExpires, E::BgpOpen, E::OpenCollisionDump, E::NotifMsg,
                E::KeepAliveMsg, E::UpdateMsg, E::UpdateMsgErr},
               S::Idle, connecting_idle(), 1));
  return rows;
}

std::vector<Row> open_sent_rows() {
  std::vector<Row> rows = starts_ignored(S::OpenSent);
  auto add = [&](std::vector<Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  const auto unexpected = fsm_error(wire::FsmSubcode::UnexpectedMessageInOpenSent);
  const auto timer_fsm_error = fsm_error(wire::FsmSubcode::Unspecified);
  add({
      {S::OpenSent, E::ManualStop, S::Idle,
       open_sent_idle(cease(wire::CeaseSubcode::AdministrativeShutdown)), 0},
      {S::OpenSent, E::AutomaticStop, S::Idle, open_sent_idle(cease_unspecific()), 1},
      // The HoldTimer has just expired: nothing left to stop.
      {S::OpenSent, E::HoldTimerExpires, S::Idle, to_idle({}, hold_expired()), 1},
      {S::OpenSent, E::TcpConnectionValid, S::OpenSent, {}, 0},
      {S::OpenSent, E::TcpCrInvalid, S::OpenSent, {}, 0},
      {S::OpenSent, E::TcpCrAcked, S::OpenSent, {}, 0},
      {S::OpenSent, E::TcpConnectionConfirmed, S::OpenSent, {}, 0},
      {S::OpenSent,
       E::TcpConnectionFails,
       S::Active,
       {StopTimer{T::Hold}, DropTcpConnection{}, StartTimer{T::ConnectRetry, kConnectRetry}},
       0},
      {S::OpenSent,
       E::BgpOpen,
       S::OpenConfirm,
       {SendKeepalive{}, StartTimer{T::Keepalive, kKeepalive}, StartTimer{T::Hold, kHold}},
       0},
      {S::OpenSent, E::BgpHeaderErr, S::Idle, open_sent_idle(header_error()), 1},
      {S::OpenSent, E::BgpOpenMsgErr, S::Idle, open_sent_idle(open_error()), 1},
      {S::OpenSent, E::OpenCollisionDump, S::Idle,
       open_sent_idle(cease(wire::CeaseSubcode::ConnectionCollisionResolution)), 1},
      {S::OpenSent, E::NotifMsgVerErr, S::Idle, open_sent_idle(std::nullopt), 0},
  });
  // "any other event (Events 9, 11-13, 20, 25-28)": FSM Error.
  add(rows_for(S::OpenSent,
               {E::ConnectRetryTimerExpires, E::KeepaliveTimerExpires, E::DelayOpenTimerExpires,
                E::IdleHoldTimerExpires},
               S::Idle, open_sent_idle(timer_fsm_error), 1));
  add(rows_for(S::OpenSent,
               {E::BgpOpenWithDelayOpenTimerRunning, E::NotifMsg, E::KeepAliveMsg, E::UpdateMsg,
                E::UpdateMsgErr},
               S::Idle, open_sent_idle(unexpected), 1));
  return rows;
}

std::vector<Row> open_confirm_rows() {
  std::vector<Row> rows = starts_ignored(S::OpenConfirm);
  auto add = [&](std::vector<Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  const auto unexpected = fsm_error(wire::FsmSubcode::UnexpectedMessageInOpenConfirm);
  const auto timer_fsm_error = fsm_error(wire::FsmSubcode::Unspecified);
  add({
      {S::OpenConfirm, E::ManualStop, S::Idle,
       open_confirm_idle(cease(wire::CeaseSubcode::AdministrativeShutdown)), 0},
      {S::OpenConfirm, E::AutomaticStop, S::Idle, open_confirm_idle(cease_unspecific()), 1},
      {S::OpenConfirm, E::HoldTimerExpires, S::Idle, to_idle({T::Keepalive}, hold_expired()), 1},
      {S::OpenConfirm,
       E::KeepaliveTimerExpires,
       S::OpenConfirm,
       {SendKeepalive{}, StartTimer{T::Keepalive, kKeepalive}},
       0},
      {S::OpenConfirm, E::TcpConnectionValid, S::OpenConfirm, {}, 0},
      {S::OpenConfirm, E::TcpCrInvalid, S::OpenConfirm, {}, 0},
      {S::OpenConfirm, E::TcpCrAcked, S::OpenConfirm, {}, 0},
      {S::OpenConfirm, E::TcpConnectionConfirmed, S::OpenConfirm, {}, 0},
      {S::OpenConfirm, E::TcpConnectionFails, S::Idle, open_confirm_idle(std::nullopt), 1},
      {S::OpenConfirm, E::NotifMsg, S::Idle, open_confirm_idle(std::nullopt), 1},
      {S::OpenConfirm, E::NotifMsgVerErr, S::Idle, open_confirm_idle(std::nullopt), 0},
      // A second OPEN on this connection (collisions arrive as Event 23).
      {S::OpenConfirm, E::BgpOpen, S::Idle, open_confirm_idle(unexpected), 1},
      {S::OpenConfirm, E::BgpHeaderErr, S::Idle, open_confirm_idle(header_error()), 1},
      {S::OpenConfirm, E::BgpOpenMsgErr, S::Idle, open_confirm_idle(open_error()), 1},
      {S::OpenConfirm, E::OpenCollisionDump, S::Idle,
       open_confirm_idle(cease(wire::CeaseSubcode::ConnectionCollisionResolution)), 1},
      {S::OpenConfirm,
       E::KeepAliveMsg,
       S::Established,
       {StartTimer{T::Hold, kHold}, SessionEstablished{}},
       0},
  });
  // "any other event (Events 9, 12-13, 20, 27-28)".
  add(rows_for(S::OpenConfirm,
               {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires},
               S::Idle, open_confirm_idle(timer_fsm_error), 1));
  add(rows_for(S::OpenConfirm, {E::BgpOpenWithDelayOpenTimerRunning, E::UpdateMsg, E::UpdateMsgErr},
               S::Idle, open_confirm_idle(unexpected), 1));
  return rows;
}

std::vector<Row> established_rows() {
  std::vector<Row> rows = starts_ignored(S::Established);
  auto add = [&](std::vector<Row> more) { rows.insert(rows.end(), more.begin(), more.end()); };
  const auto unexpected = fsm_error(wire::FsmSubcode::UnexpectedMessageInEstablished);
  const auto timer_fsm_error = fsm_error(wire::FsmSubcode::Unspecified);
  add({
      {S::Established, E::ManualStop, S::Idle,
       established_idle(cease(wire::CeaseSubcode::AdministrativeShutdown)), 0},
      {S::Established, E::AutomaticStop, S::Idle, established_idle(cease_unspecific()), 1},
      {S::Established, E::HoldTimerExpires, S::Idle, to_idle({T::Keepalive}, hold_expired(), true),
       1},
      {S::Established,
       E::KeepaliveTimerExpires,
       S::Established,
       {SendKeepalive{}, StartTimer{T::Keepalive, kKeepalive}},
       0},
      {S::Established, E::TcpConnectionValid, S::Established, {}, 0},
      {S::Established, E::TcpCrInvalid, S::Established, {}, 0},
      {S::Established, E::TcpCrAcked, S::Established, {}, 0},
      {S::Established, E::TcpConnectionConfirmed, S::Established, {}, 0},
      {S::Established, E::TcpConnectionFails, S::Idle, established_idle(std::nullopt), 1},
      // The tracked second connection's OPEN; no collision verdict yet.
      {S::Established, E::BgpOpen, S::Established, {}, 0},
      // Section 6.1: Message Header Error, not FSM Error.
      {S::Established, E::BgpHeaderErr, S::Idle, established_idle(header_error()), 1},
      {S::Established, E::OpenCollisionDump, S::Idle,
       established_idle(cease(wire::CeaseSubcode::ConnectionCollisionResolution)), 1},
      {S::Established, E::NotifMsgVerErr, S::Idle, established_idle(std::nullopt), 1},
      {S::Established, E::NotifMsg, S::Idle, established_idle(std::nullopt), 1},
      {S::Established, E::KeepAliveMsg, S::Established, {StartTimer{T::Hold, kHold}}, 0},
      {S::Established,
       E::UpdateMsg,
       S::Established,
       {ProcessUpdate{}, StartTimer{T::Hold, kHold}},
       0},
      {S::Established, E::UpdateMsgErr, S::Idle, established_idle(update_error()), 1},
  });
  // "any other event (Events 9, 12-13, 20-22)".
  add(rows_for(S::Established,
               {E::ConnectRetryTimerExpires, E::DelayOpenTimerExpires, E::IdleHoldTimerExpires},
               S::Idle, established_idle(timer_fsm_error), 1));
  add(rows_for(S::Established, {E::BgpOpenWithDelayOpenTimerRunning, E::BgpOpenMsgErr}, S::Idle,
               established_idle(unexpected), 1));
  return rows;
}

std::vector<Row> all_rows() {
  std::vector<Row> rows;
  for (auto part : {idle_rows(), connect_rows(), active_rows(), open_sent_rows(),
                    open_confirm_rows(), established_rows()}) {
    rows.insert(rows.end(), part.begin(), part.end());
  }
  return rows;
}

class FsmTable : public ::testing::TestWithParam<Row> {};

TEST_P(FsmTable, StateAndExactActions) {
  const Row& row = GetParam();
  Fsm fsm;
  const milliseconds t = reach(fsm, row.from);
  const StepResult r = fsm.step(input_for(row.event), t + seconds(1));
  EXPECT_EQ(fsm.state(), row.to);
  EXPECT_EQ(r.actions, row.actions);
  EXPECT_EQ(fsm.connect_retry_counter(), row.counter_after);
  if (row.to == row.from) {
    EXPECT_FALSE(r.transition.has_value());
  } else {
    ASSERT_TRUE(r.transition.has_value());
    EXPECT_EQ(*r.transition, (Transition{row.from, row.to, row.event}));
  }
  // Idle holds no resources: no timer may run after a return to Idle
  // (DampPeerOscillations is off here).
  if (row.to == S::Idle) {
    for (int t2 = 0; t2 < kTimerCount; ++t2) {
      EXPECT_FALSE(fsm.timer_running(static_cast<Timer>(t2))) << to_string(static_cast<Timer>(t2));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc4271Section822, FsmTable, ::testing::ValuesIn(all_rows()),
                         [](const ::testing::TestParamInfo<Row>& param_info) {
                           return std::string(to_string(param_info.param.from)) + "_" +
                                  std::string(to_string(param_info.param.event));
                         });

// The table covers each of the 6 x 28 pairs exactly once.
TEST(FsmTableCoverage, EveryStateEventPairExactlyOnce) {
  std::map<std::pair<int, int>, int> seen;
  for (const Row& row : all_rows()) {
    ++seen[{static_cast<int>(row.from), static_cast<int>(row.event)}];
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kStateCount * kEventCount));
  for (const auto& [pair, count] : seen) {
    EXPECT_EQ(count, 1) << "state " << pair.first << " event " << pair.second;
  }
}

}  // namespace
}  // namespace bgpd::fsm::test
