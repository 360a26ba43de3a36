// bgpd/fsm/fsm.cpp - RFC 4271 section 8.2.2, one function per state.
//
// Each on_<state>() is an exhaustive switch over the 28 events (no default:
// the compiler's -Wswitch keeps the table complete). The comments quote the
// section 8.2.2 paragraph each case implements.
#include "bgpd/fsm/fsm.hpp"

#include "bgpd/fsm/hold_time.hpp"

namespace bgpd::fsm {
namespace {

constexpr std::uint8_t kUnspecific = 0;  // RFC 4271 4.5: "a zero (Unspecific) value"

std::uint8_t subcode(wire::CeaseSubcode s) {
  return static_cast<std::uint8_t>(s);
}
std::uint8_t subcode(wire::FsmSubcode s) {
  return static_cast<std::uint8_t>(s);
}

SendNotification hold_timer_expired() {
  return SendNotification{wire::ErrorCode::HoldTimerExpired, kUnspecific, {}};
}

SendNotification collision_cease() {
  return SendNotification{
      wire::ErrorCode::Cease, subcode(wire::CeaseSubcode::ConnectionCollisionResolution), {}};
}

}  // namespace

Fsm::Fsm(Config config)
    : config_(config), passive_(config.passive_tcp_establishment), backoff_(config.idle_hold) {}

StepResult Fsm::step(const Input& input, std::chrono::milliseconds now) {
  out_ = StepResult{};
  event_ = input.event;
  now_ = now;
  // A timer that reports its expiry no longer runs.
  switch (input.event) {
    case Event::ConnectRetryTimerExpires:
      running_[index(Timer::ConnectRetry)] = false;
      break;
    case Event::HoldTimerExpires:
      running_[index(Timer::Hold)] = false;
      break;
    case Event::KeepaliveTimerExpires:
      running_[index(Timer::Keepalive)] = false;
      break;
    case Event::DelayOpenTimerExpires:
      running_[index(Timer::DelayOpen)] = false;
      break;
    case Event::IdleHoldTimerExpires:
      running_[index(Timer::IdleHold)] = false;
      break;
    default:
      break;
  }
  switch (state_) {
    case State::Idle:
      on_idle(input);
      break;
    case State::Connect:
      on_connect(input);
      break;
    case State::Active:
      on_active(input);
      break;
    case State::OpenSent:
      on_open_sent(input);
      break;
    case State::OpenConfirm:
      on_open_confirm(input);
      break;
    case State::Established:
      on_established(input);
      break;
  }
  return std::move(out_);
}

common::Expected<std::uint16_t, SendNotification> Fsm::hold_time_for(
    std::uint16_t peer_hold_time) const {
  return negotiate_hold_time(config_.hold_time, peer_hold_time);
}

Event Fsm::open_event() const {
  return timer_running(Timer::DelayOpen) ? Event::BgpOpenWithDelayOpenTimerRunning : Event::BgpOpen;
}

// --- Idle ---

void Fsm::on_idle(const Input& in) {
  switch (in.event) {
    // "In response to a ManualStart event (Event 1) or an AutomaticStart
    // event (Event 3) ... changes its state to Connect."
    case Event::ManualStart:
    case Event::AutomaticStart:
      start_session(false, true);
      return;
    // "In response to a ManualStart_with_PassiveTcpEstablishment event
    // (Event 4) or AutomaticStart_with_PassiveTcpEstablishment event
    // (Event 5) ... changes its state to Active."
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
      start_session(true, true);
      return;
    // Events 6, 7 exist only "If the DampPeerOscillations attribute is set
    // to TRUE"; the damping method is ours: while the IdleHoldTimer holds
    // the peer down the start waits for its expiry, otherwise it proceeds.
    // The ConnectRetryCounter keeps counting across damped restarts.
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment: {
      if (!config_.damp_peer_oscillations) return;
      passive_ =
          in.event == Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment;
      if (!timer_running(Timer::IdleHold)) start_session(passive_, false);
      return;
    }
    // The hold-down is over: the automatic restart it delayed happens now.
    case Event::IdleHoldTimerExpires:
      if (config_.damp_peer_oscillations && config_.allow_automatic_start) {
        start_session(passive_, false);
      }
      return;
    // "The ManualStop event (Event 2) ... ignored in the Idle state": no
    // state change; an armed IdleHoldTimer is cancelled so that an operator
    // stop is not undone by an automatic restart.
    case Event::ManualStop:
      stop_timer(Timer::IdleHold);
      return;
    // "AutomaticStop (Event 8) ... ignored"; "Any other event (Events 9-12,
    // 15-28) received in the Idle state does not cause change in the state";
    // Event 14 is refused like every connection in Idle.
    case Event::AutomaticStop:
    case Event::ConnectRetryTimerExpires:
    case Event::HoldTimerExpires:
    case Event::KeepaliveTimerExpires:
    case Event::DelayOpenTimerExpires:
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
    case Event::TcpConnectionFails:
    case Event::BgpOpen:
    case Event::BgpOpenWithDelayOpenTimerRunning:
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
    case Event::OpenCollisionDump:
    case Event::NotifMsgVerErr:
    case Event::NotifMsg:
    case Event::KeepAliveMsg:
    case Event::UpdateMsg:
    case Event::UpdateMsgErr:
      return;
  }
}

// --- Connect ---

void Fsm::on_connect(const Input& in) {
  switch (in.event) {
    // "The start events (Events 1, 3-7) are ignored in the Connect state."
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
      return;
    // "drops the TCP connection, releases all BGP resources, sets
    // ConnectRetryCounter to zero, stops the ConnectRetryTimer ... Idle."
    case Event::ManualStop:
      go_idle(std::nullopt, RetryCounter::Zero);
      return;
    // "drops the TCP connection, restarts the ConnectRetryTimer, stops the
    // DelayOpenTimer ..., initiates a TCP connection ... stays in Connect."
    case Event::ConnectRetryTimerExpires:
      emit(DropTcpConnection{});
      start_timer(Timer::ConnectRetry, config_.connect_retry_time);
      stop_timer(Timer::DelayOpen);
      emit(InitiateTcpConnection{});
      return;
    // "sends an OPEN message ..., sets the HoldTimer to a large value, and
    // changes its state to OpenSent."
    case Event::DelayOpenTimerExpires:
      send_open_and_wait();
      return;
    // Event 14: "the TCP connection is processed"; Event 15: the shell that
    // found the request invalid rejects it. Neither changes the state.
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
      return;
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
      tcp_connection_up();
      return;
    // "If the DelayOpenTimer is running ... restarts the ConnectRetryTimer
    // ..., stops the DelayOpenTimer ..., changes its state to Active. If
    // the DelayOpenTimer is not running ... changes its state to Idle"
    // (no ConnectRetryCounter increment in the text).
    case Event::TcpConnectionFails:
      if (timer_running(Timer::DelayOpen)) {
        start_timer(Timer::ConnectRetry, config_.connect_retry_time);
        stop_timer(Timer::DelayOpen);
        change_state(State::Active);
      } else {
        go_idle(std::nullopt, RetryCounter::Keep);
      }
      return;
    case Event::BgpOpenWithDelayOpenTimerRunning:
      open_with_delay_open_running(in.negotiated_hold_time);
      return;
    // Events 21, 22 and 24 are handled alike in Connect and Active.
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
      check_failed_before_open(in);
      return;
    case Event::NotifMsgVerErr:
      version_error_before_open();
      return;
    // "In response to any other events (Events 8, 10-11, 13, 19, 23,
    // 25-28) ... increments the ConnectRetryCounter by 1 ... Idle."
    case Event::AutomaticStop:
    case Event::HoldTimerExpires:
    case Event::KeepaliveTimerExpires:
    case Event::IdleHoldTimerExpires:
    case Event::BgpOpen:
    case Event::OpenCollisionDump:
    case Event::NotifMsg:
    case Event::KeepAliveMsg:
    case Event::UpdateMsg:
    case Event::UpdateMsgErr:
      go_idle(std::nullopt, RetryCounter::Increment);
      return;
  }
}

// --- Active ---

void Fsm::on_active(const Input& in) {
  switch (in.event) {
    // "The start events (Events 1, 3-7) are ignored in the Active state."
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
      return;
    // "If the DelayOpenTimer is running and the SendNOTIFICATIONwithoutOPEN
    // session attribute is set, the local system sends a NOTIFICATION with
    // a Cease, releases all BGP resources ..., sets ConnectRetryCounter to
    // zero ..., changes its state to Idle."
    case Event::ManualStop:
      go_idle(
          timer_running(Timer::DelayOpen) && config_.send_notification_without_open
              ? std::optional(notification_or(in, wire::ErrorCode::Cease,
                                              subcode(wire::CeaseSubcode::AdministrativeShutdown)))
              : std::nullopt,
          RetryCounter::Zero);
      return;
    // "restarts the ConnectRetryTimer ..., initiates a TCP connection ...,
    // changes its state to Connect." A passive peer only restarts the timer.
    case Event::ConnectRetryTimerExpires:
      start_timer(Timer::ConnectRetry, config_.connect_retry_time);
      if (!passive_) {
        emit(InitiateTcpConnection{});
        change_state(State::Connect);
      }
      return;
    // "sets the ConnectRetryTimer to zero, stops and clears the
    // DelayOpenTimer ..., sends the OPEN ..., sets its hold timer to a large
    // value, and changes its state to OpenSent."
    case Event::DelayOpenTimerExpires:
      send_open_and_wait();
      return;
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
      return;
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
      tcp_connection_up();
      return;
    // "restarts the ConnectRetryTimer ..., stops and clears the
    // DelayOpenTimer, releases all BGP resource, increments the
    // ConnectRetryCounter by 1 ... changes its state to Idle." The timer is
    // stopped instead (see fsm.hpp): Idle ignores its expiry.
    case Event::TcpConnectionFails:
      go_idle(std::nullopt, RetryCounter::Increment);
      return;
    case Event::BgpOpenWithDelayOpenTimerRunning:
      open_with_delay_open_running(in.negotiated_hold_time);
      return;
    case Event::BgpHeaderErr:
    case Event::BgpOpenMsgErr:
      check_failed_before_open(in);
      return;
    case Event::NotifMsgVerErr:
      version_error_before_open();
      return;
    // "In response to any other event (Events 8, 10-11, 13, 19, 23,
    // 25-28) ... increments the ConnectRetryCounter by one ... Idle."
    case Event::AutomaticStop:
    case Event::HoldTimerExpires:
    case Event::KeepaliveTimerExpires:
    case Event::IdleHoldTimerExpires:
    case Event::BgpOpen:
    case Event::OpenCollisionDump:
    case Event::NotifMsg:
    case Event::KeepAliveMsg:
    case Event::UpdateMsg:
    case Event::UpdateMsgErr:
      go_idle(std::nullopt, RetryCounter::Increment);
      return;
  }
}

// --- OpenSent ---

void Fsm::on_open_sent(const Input& in) {
  switch (in.event) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
      return;
    case Event::ManualStop:
    case Event::AutomaticStop:
      stop_with_cease(in);
      return;
    case Event::HoldTimerExpires:
      go_idle(hold_timer_expired(), RetryCounter::Increment);
      return;
    // Events 14, 16, 17: "a second TCP connection may be in progress ...
    // tracked per Connection Collision processing" (by the shell, which owns
    // connections); Event 15 "is ignored".
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
      return;
    // "closes the BGP connection, restarts the ConnectRetryTimer, continues
    // to listen ..., and changes its state to Active."
    case Event::TcpConnectionFails:
      stop_timer(Timer::Hold);
      emit(DropTcpConnection{});
      start_timer(Timer::ConnectRetry, config_.connect_retry_time);
      change_state(State::Active);
      return;
    // "resets the DelayOpenTimer to zero, sets the BGP ConnectRetryTimer to
    // zero, sends a KEEPALIVE message, and sets a KeepaliveTimer ..., sets
    // the HoldTimer according to the negotiated value ..., changes its
    // state to OpenConfirm."
    case Event::BgpOpen:
      stop_timer(Timer::DelayOpen);
      stop_timer(Timer::ConnectRetry);
      emit(SendKeepalive{});
      arm_session_timers(in.negotiated_hold_time);
      change_state(State::OpenConfirm);
      return;
    case Event::BgpHeaderErr:
      go_idle(notification_or(in, wire::ErrorCode::MessageHeader), RetryCounter::Increment);
      return;
    case Event::BgpOpenMsgErr:
      go_idle(notification_or(in, wire::ErrorCode::OpenMessage), RetryCounter::Increment);
      return;
    case Event::OpenCollisionDump:
      go_idle(collision_cease(), RetryCounter::Increment);
      return;
    // Event 24: "sets the ConnectRetryTimer to zero, releases all BGP
    // resources, drops the TCP connection, and changes its state to Idle."
    case Event::NotifMsgVerErr:
      go_idle(std::nullopt, RetryCounter::Keep);
      return;
    // "In response to any other event (Events 9, 11-13, 20, 25-28) ...
    // sends the NOTIFICATION with the Error Code Finite State Machine
    // Error"; RFC 6608 names the subcode for an unexpected message.
    case Event::ConnectRetryTimerExpires:
    case Event::KeepaliveTimerExpires:
    case Event::DelayOpenTimerExpires:
    case Event::IdleHoldTimerExpires:
      fsm_error(wire::FsmSubcode::Unspecified);
      return;
    case Event::BgpOpenWithDelayOpenTimerRunning:
    case Event::NotifMsg:
    case Event::KeepAliveMsg:
    case Event::UpdateMsg:
    case Event::UpdateMsgErr:
      fsm_error(wire::FsmSubcode::UnexpectedMessageInOpenSent);
      return;
  }
}

// --- OpenConfirm ---

void Fsm::on_open_confirm(const Input& in) {
  switch (in.event) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
      return;
    case Event::ManualStop:
    case Event::AutomaticStop:
      stop_with_cease(in);
      return;
    case Event::HoldTimerExpires:
      go_idle(hold_timer_expired(), RetryCounter::Increment);
      return;
    // "sends a KEEPALIVE message, restarts the KeepaliveTimer, and remains
    // in the OpenConfirmed state."
    case Event::KeepaliveTimerExpires:
      emit(SendKeepalive{});
      start_timer(Timer::Keepalive, keepalive_time(hold_time_));
      return;
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
      return;
    case Event::TcpConnectionFails:
    case Event::NotifMsg:
      go_idle(std::nullopt, RetryCounter::Increment);
      return;
    case Event::NotifMsgVerErr:
      go_idle(std::nullopt, RetryCounter::Keep);
      return;
    // 8.2.2 describes Event 19 here as the collision case; collisions are
    // resolved by the shell (collision.hpp), which signals the loser with
    // Event 23. An OPEN still reaching this connection is a second OPEN on
    // it: an unexpected message (RFC 6608 section 3).
    case Event::BgpOpen:
    case Event::BgpOpenWithDelayOpenTimerRunning:
    case Event::UpdateMsg:
    case Event::UpdateMsgErr:
      fsm_error(wire::FsmSubcode::UnexpectedMessageInOpenConfirm);
      return;
    case Event::BgpHeaderErr:
      go_idle(notification_or(in, wire::ErrorCode::MessageHeader), RetryCounter::Increment);
      return;
    case Event::BgpOpenMsgErr:
      go_idle(notification_or(in, wire::ErrorCode::OpenMessage), RetryCounter::Increment);
      return;
    case Event::OpenCollisionDump:
      go_idle(collision_cease(), RetryCounter::Increment);
      return;
    // "restarts the HoldTimer and changes its state to Established."
    case Event::KeepAliveMsg:
      restart_hold_timer();
      change_state(State::Established);
      return;
    // "In response to any other event (Events 9, 12-13, 20, 27-28) ...
    // Finite State Machine Error".
    case Event::ConnectRetryTimerExpires:
    case Event::DelayOpenTimerExpires:
    case Event::IdleHoldTimerExpires:
      fsm_error(wire::FsmSubcode::Unspecified);
      return;
  }
}

// --- Established ---

void Fsm::on_established(const Input& in) {
  switch (in.event) {
    case Event::ManualStart:
    case Event::AutomaticStart:
    case Event::ManualStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithPassiveTcpEstablishment:
    case Event::AutomaticStartWithDampPeerOscillations:
    case Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment:
      return;
    // "deletes all routes associated with this connection" is the
    // SessionDown that change_state() emits on leaving Established.
    case Event::ManualStop:
    case Event::AutomaticStop:
      stop_with_cease(in);
      return;
    case Event::HoldTimerExpires:
      go_idle(hold_timer_expired(), RetryCounter::Increment);
      return;
    // "sends a KEEPALIVE message, and restarts its KeepaliveTimer, unless
    // the negotiated HoldTime value is zero."
    case Event::KeepaliveTimerExpires:
      emit(SendKeepalive{});
      if (hold_time_ != 0) start_timer(Timer::Keepalive, keepalive_time(hold_time_));
      return;
    // Events 14, 16, 17: the second connection is tracked until it sends an
    // OPEN; Event 15 "will be ignored". Event 19 is that second
    // connection's OPEN: its collision verdict, if any, arrives as Event 23.
    case Event::TcpConnectionValid:
    case Event::TcpCrInvalid:
    case Event::TcpCrAcked:
    case Event::TcpConnectionConfirmed:
    case Event::BgpOpen:
      return;
    case Event::OpenCollisionDump:
      go_idle(collision_cease(), RetryCounter::Increment);
      return;
    // "If the local system receives a NOTIFICATION message (Event 24 or
    // Event 25) or a TcpConnectionFails (Event 18) ... increments the
    // ConnectRetryCounter by 1".
    case Event::TcpConnectionFails:
    case Event::NotifMsgVerErr:
    case Event::NotifMsg:
      go_idle(std::nullopt, RetryCounter::Increment);
      return;
    case Event::KeepAliveMsg:
      restart_hold_timer();
      return;
    case Event::UpdateMsg:
      emit(ProcessUpdate{});
      restart_hold_timer();
      return;
    case Event::UpdateMsgErr:
      go_idle(notification_or(in, wire::ErrorCode::UpdateMessage), RetryCounter::Increment);
      return;
    // Section 6.1: header errors "MUST be indicated by sending the
    // NOTIFICATION message with the Error Code Message Header Error".
    case Event::BgpHeaderErr:
      go_idle(notification_or(in, wire::ErrorCode::MessageHeader), RetryCounter::Increment);
      return;
    // "In response to any other event (Events 9, 12-13, 20-22) ... Finite
    // State Machine Error".
    case Event::ConnectRetryTimerExpires:
    case Event::DelayOpenTimerExpires:
    case Event::IdleHoldTimerExpires:
      fsm_error(wire::FsmSubcode::Unspecified);
      return;
    case Event::BgpOpenWithDelayOpenTimerRunning:
    case Event::BgpOpenMsgErr:
      fsm_error(wire::FsmSubcode::UnexpectedMessageInEstablished);
      return;
  }
}

// --- shared pieces ---

void Fsm::start_timer(Timer timer, std::uint32_t seconds) {
  emit(StartTimer{timer, seconds});
  running_[index(timer)] = true;
}

void Fsm::stop_timer(Timer timer) {
  if (!running_[index(timer)]) return;
  emit(StopTimer{timer});
  running_[index(timer)] = false;
}

// The one place a state changes: exit and entry actions, and the record.
void Fsm::change_state(State to) {
  const State from = state_;
  if (from == State::Established) {
    emit(SessionDown{});
    backoff_.session_ended(now_ - established_at_);
  }
  state_ = to;
  out_.transition = Transition{from, to, event_};
  switch (to) {
    case State::Idle:
      emit(StopListening{});
      hold_time_ = 0;
      // DampPeerOscillations: every fall back to Idle that an operator did
      // not ask for is a flap; hold the peer down before it may restart.
      if (config_.damp_peer_oscillations && event_ != Event::ManualStop) {
        start_timer(Timer::IdleHold, backoff_.next_hold());
      }
      break;
    case State::Established:
      established_at_ = now_;
      emit(SessionEstablished{});
      break;
    case State::Connect:
    case State::Active:
    case State::OpenSent:
    case State::OpenConfirm:
      break;
  }
}

// Idle, Events 1/3 and 4/5: "initializes all BGP resources, sets the
// ConnectRetryCounter to zero, starts the ConnectRetryTimer with the initial
// value, [initiates a TCP connection,] listens for a connection ...".
void Fsm::start_session(bool passive, bool reset_counter) {
  stop_timer(Timer::IdleHold);
  if (reset_counter) connect_retry_counter_ = 0;
  passive_ = passive;
  start_timer(Timer::ConnectRetry, config_.connect_retry_time);
  if (!passive) emit(InitiateTcpConnection{});
  emit(ListenForConnections{});
  change_state(passive ? State::Active : State::Connect);
}

// Connect / Active, Events 16 and 17: "checks the DelayOpen attribute".
void Fsm::tcp_connection_up() {
  stop_timer(Timer::ConnectRetry);
  if (config_.delay_open) {
    start_timer(Timer::DelayOpen, config_.delay_open_time);
  } else {
    send_open_and_wait();
  }
}

void Fsm::send_open_and_wait() {
  stop_timer(Timer::ConnectRetry);
  stop_timer(Timer::DelayOpen);
  emit(SendOpen{});
  start_timer(Timer::Hold, config_.large_hold_time);
  change_state(State::OpenSent);
}

// Connect / Active, Event 20: "stops the ConnectRetryTimer ..., stops and
// clears the DelayOpenTimer, sends an OPEN message, sends a KEEPALIVE
// message, [arms the timers] and changes its state to OpenConfirm."
void Fsm::open_with_delay_open_running(std::uint16_t hold) {
  stop_timer(Timer::ConnectRetry);
  stop_timer(Timer::DelayOpen);
  emit(SendOpen{});
  emit(SendKeepalive{});
  arm_session_timers(hold);
  change_state(State::OpenConfirm);
}

// RFC 4271 4.4 / 8.2.2 OpenSent Event 19: "If the negotiated hold time value
// is zero, then the HoldTimer and KeepaliveTimer are not started."
void Fsm::arm_session_timers(std::uint16_t hold) {
  hold_time_ = hold;
  if (hold == 0) {
    stop_timer(Timer::Keepalive);
    stop_timer(Timer::Hold);
    return;
  }
  start_timer(Timer::Keepalive, keepalive_time(hold));
  start_timer(Timer::Hold, hold);
}

void Fsm::restart_hold_timer() {
  if (hold_time_ != 0) start_timer(Timer::Hold, hold_time_);
}

// Every path back to Idle: [NOTIFICATION], timers to zero, "releases all
// BGP resources", "drops the TCP connection", the ConnectRetryCounter as the
// paragraph says, then the Idle entry actions in change_state().
void Fsm::go_idle(std::optional<SendNotification> notification, RetryCounter counter) {
  if (notification) emit(std::move(*notification));
  for (int t = 0; t < kTimerCount; ++t) stop_timer(static_cast<Timer>(t));
  emit(ReleaseResources{});
  emit(DropTcpConnection{});
  switch (counter) {
    case RetryCounter::Increment:
      ++connect_retry_counter_;
      break;
    case RetryCounter::Zero:
      connect_retry_counter_ = 0;
      break;
    case RetryCounter::Keep:
      break;
  }
  change_state(State::Idle);
}

// Connect / Active, Events 21 and 22: "(optionally) If the
// SendNOTIFICATIONwithoutOPEN attribute is set to TRUE, then the local system
// first sends a NOTIFICATION message with the appropriate error code", then
// back to Idle with "increments the ConnectRetryCounter by 1".
void Fsm::check_failed_before_open(const Input& in) {
  std::optional<SendNotification> notification;
  if (config_.send_notification_without_open) {
    notification =
        notification_or(in, in.event == Event::BgpHeaderErr ? wire::ErrorCode::MessageHeader
                                                            : wire::ErrorCode::OpenMessage);
  }
  go_idle(std::move(notification), RetryCounter::Increment);
}

// Connect / Active, Event 24: with the DelayOpenTimer running the text has
// no counter increment (the peer may retry with another version, section
// 7); without it, "increments the ConnectRetryCounter by 1".
void Fsm::version_error_before_open() {
  go_idle(std::nullopt,
          timer_running(Timer::DelayOpen) ? RetryCounter::Keep : RetryCounter::Increment);
}

// OpenSent, OpenConfirm, Established: ManualStop "sends the NOTIFICATION
// with a Cease ... sets the ConnectRetryCounter to zero" (subcode: RFC 4486
// Administrative Shutdown); AutomaticStop sends a Cease and "increments the
// ConnectRetryCounter by 1" (subcode Unspecific unless the event says why).
void Fsm::stop_with_cease(const Input& in) {
  if (in.event == Event::ManualStop) {
    go_idle(notification_or(in, wire::ErrorCode::Cease,
                            subcode(wire::CeaseSubcode::AdministrativeShutdown)),
            RetryCounter::Zero);
  } else {
    go_idle(notification_or(in, wire::ErrorCode::Cease, kUnspecific), RetryCounter::Increment);
  }
}

void Fsm::fsm_error(wire::FsmSubcode fsm_subcode) {
  go_idle(SendNotification{wire::ErrorCode::FiniteStateMachine, subcode(fsm_subcode), {}},
          RetryCounter::Increment);
}

// The NOTIFICATION the event brought (the decoder's error, an operator's
// shutdown communication), or {code, subcode} when it brought none.
SendNotification Fsm::notification_or(const Input& in, wire::ErrorCode code,
                                      std::uint8_t fallback_subcode) {
  if (in.notification) return *in.notification;
  return SendNotification{code, fallback_subcode, {}};
}

}  // namespace bgpd::fsm
