// tests/unit/fsm/fsm_test_util.hpp - shared helpers for the FSM tests.
//
// reach() drives a fresh Fsm to a state along the canonical path, so every
// table row starts from a known set of running timers:
//   Idle        nothing runs
//   Connect     ManualStart                      -> ConnectRetry runs
//   OpenSent    ManualStart, TcpCrAcked          -> Hold (240 s) runs
//   Active      ... TcpConnectionFails           -> ConnectRetry runs (not passive)
//   OpenConfirm ... BgpOpen (hold 90)            -> Keepalive (30), Hold (90)
//   Established ... KeepAliveMsg                 -> Keepalive, Hold
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ostream>
#include <vector>

#include "bgpd/fsm/fsm.hpp"

namespace bgpd::fsm {

// gtest printers (found by ADL) so that failures show RFC names.
inline void PrintTo(const Action& a, std::ostream* os) {
  *os << to_string(a);
}
inline void PrintTo(State s, std::ostream* os) {
  *os << to_string(s);
}
inline void PrintTo(Event e, std::ostream* os) {
  *os << to_string(e);
}
inline void PrintTo(const Transition& t, std::ostream* os) {
  *os << to_string(t.from) << "->" << to_string(t.to) << " on " << to_string(t.reason);
}

namespace test {

using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr std::uint16_t kHold = 90;       // negotiated in the canonical path
inline constexpr std::uint32_t kKeepalive = 30;  // kHold / 3
inline constexpr std::uint32_t kConnectRetry = 120;
inline constexpr std::uint32_t kLargeHold = 240;

inline std::uint8_t sub(wire::CeaseSubcode s) {
  return static_cast<std::uint8_t>(s);
}
inline std::uint8_t sub(wire::FsmSubcode s) {
  return static_cast<std::uint8_t>(s);
}

// The NOTIFICATIONs the decoder hands over with error events.
inline SendNotification header_error() {
  return {wire::ErrorCode::MessageHeader,
          static_cast<std::uint8_t>(wire::HeaderSubcode::BadMessageLength),
          {0x00, 0x12}};
}
inline SendNotification open_error() {
  return {
      wire::ErrorCode::OpenMessage, static_cast<std::uint8_t>(wire::OpenSubcode::BadPeerAs), {}};
}
inline SendNotification update_error() {
  return {wire::ErrorCode::UpdateMessage,
          static_cast<std::uint8_t>(wire::UpdateSubcode::MalformedAttributeList),
          {}};
}
inline SendNotification cease(wire::CeaseSubcode s) {
  return {wire::ErrorCode::Cease, sub(s), {}};
}
inline SendNotification cease_unspecific() {
  return {wire::ErrorCode::Cease, 0, {}};
}
inline SendNotification fsm_error(wire::FsmSubcode s) {
  return {wire::ErrorCode::FiniteStateMachine, sub(s), {}};
}
inline SendNotification hold_expired() {
  return {wire::ErrorCode::HoldTimerExpired, 0, {}};
}

// The input a real shell would deliver for `e` (with its data).
inline Input input_for(Event e) {
  switch (e) {
    case Event::BgpOpen:
    case Event::BgpOpenWithDelayOpenTimerRunning:
      return Input(e, kHold);
    case Event::BgpHeaderErr:
      return Input(e, header_error());
    case Event::BgpOpenMsgErr:
      return Input(e, open_error());
    case Event::UpdateMsgErr:
      return Input(e, update_error());
    default:
      return Input(e);
  }
}

// The canonical path from a fresh Fsm to `target`.
inline std::vector<Input> path_to(State target) {
  switch (target) {
    case State::Idle:
      return {};
    case State::Connect:
      return {Event::ManualStart};
    case State::OpenSent:
      return {Event::ManualStart, Event::TcpCrAcked};
    case State::Active:
      return {Event::ManualStart, Event::TcpCrAcked, Event::TcpConnectionFails};
    case State::OpenConfirm:
      return {Event::ManualStart, Event::TcpCrAcked, Input(Event::BgpOpen, kHold)};
    case State::Established:
      return {Event::ManualStart, Event::TcpCrAcked, Input(Event::BgpOpen, kHold),
              Event::KeepAliveMsg};
  }
  return {};
}

// Steps along path_to(target), one second apart from `start`; returns the
// time of the last step.
inline milliseconds reach(Fsm& fsm, State target, milliseconds start = milliseconds{0}) {
  milliseconds t = start;
  for (const Input& in : path_to(target)) {
    t += seconds(1);
    (void)fsm.step(in, t);
  }
  EXPECT_EQ(fsm.state(), target);
  return t;
}

inline std::vector<Action> concat(std::vector<Action> a, const std::vector<Action>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace test
}  // namespace bgpd::fsm
