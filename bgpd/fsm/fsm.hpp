// bgpd/fsm/fsm.hpp - the RFC 4271 section 8 BGP finite state machine.
//
// Owns: one connection's FSM as a pure step function: an event (RFC 4271
// 8.1) and the current time in, the actions of section 8.2.2 out, plus the
// session attributes of section 8 (State, ConnectRetryCounter, which timers
// run, the negotiated HoldTime, and the optional attributes
// AllowAutomaticStart, DampPeerOscillations / IdleHoldTime, DelayOpen /
// DelayOpenTime, PassiveTcpEstablishment, SendNOTIFICATIONwithoutOPEN).
// Collision detection (6.8) is the separate pure function in collision.hpp.
//
// Must not depend on: sockets, Asio, clocks (time is passed in), logging, or
// the wire codec beyond the header-only notification_codes.hpp. The shell
// (bgpd/session) turns sockets and timers into events and performs actions.
//
// RFCs: 4271 (sections 4.2, 4.4, 6.5-6.8, 8, 10), 6608 (FSM error subcodes),
// 4486 / 9003 (Cease subcodes).
//
// Shape (OpenBGPD habit): step() is one flat dispatch over (state, event),
// one function per state holding an exhaustive switch over the 28 events,
// and every state change goes through change_state(), which runs the entry
// and exit actions and records the Transition the shell logs once.
//
// Where RFC 4271 8.2.2 is silent or self-contradictory, this FSM decides as
// follows (each is also commented at its place in fsm.cpp):
//  - Every return to Idle stops every running timer, releases resources,
//    drops the TCP connection (idempotent for the shell) and stops listening:
//    section 8.2.2 Idle "refuses all incoming BGP connections ... No
//    resources are allocated to the peer". So Active + TcpConnectionFails
//    stops the ConnectRetryTimer where the text says "restarts" it (a timer
//    whose expiry Idle ignores has no purpose).
//  - Actions come in one canonical order: NOTIFICATION first (it must leave
//    before the connection is dropped), then timers, then resources, then
//    the connection, then entry actions.
//  - A timer is stopped only when it runs, so action lists carry no no-ops.
//  - A BgpHeaderErr always answers with the caller's Message Header Error
//    (section 6.1 MUST), also in Established where 8.2.2 lists Event 21
//    among the "other events"; unexpected messages in OpenSent, OpenConfirm
//    and Established carry the RFC 6608 subcodes.
//  - DampPeerOscillations: every return to Idle except by ManualStop arms
//    the IdleHoldTimer with the backoff value; its expiry restarts the
//    session when AllowAutomaticStart is set. ManualStop in Idle cancels a
//    running IdleHoldTimer (otherwise a stopped peer would restart itself).
//  - PassiveTcpEstablishment: a ConnectRetryTimer expiry in Active restarts
//    the timer but initiates no connection (8.1.1 Group 3: the FSM "will
//    passively wait for the remote BGP peer").
//  - Collisions are decided outside (collision.hpp) and reach the loser as
//    OpenCollisionDump (Event 23). So BgpOpen in OpenConfirm is a second
//    OPEN on this connection (FSM Error, RFC 6608), and BgpOpen in
//    Established belongs to the tracked second connection (no action).
//  - "Each time the local system sends a KEEPALIVE or UPDATE message, it
//    restarts its KeepaliveTimer" (8.2.2 Established): UPDATEs are sent by
//    the shell, which restarts the timer itself; the FSM restarts it only
//    for the KEEPALIVEs it asks for.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <utility>

#include "bgpd/fsm/idle_hold.hpp"
#include "bgpd/fsm/types.hpp"
#include "common/expected.hpp"

namespace bgpd::fsm {

struct Config {
  // RFC 4271 10 suggests 120 s.
  std::uint32_t connect_retry_time = 120;
  // Our Hold Time, proposed in our OPEN (RFC 4271 10 suggests 90 s); the
  // session negotiates with hold_time_for() and passes the result in.
  std::uint16_t hold_time = 90;
  // The HoldTimer's "large value" after sending OPEN (8.2.2: "A HoldTimer
  // value of 4 minutes is suggested").
  std::uint32_t large_hold_time = 240;
  // Optional attributes group 4 (DelayOpen, DelayOpenTime).
  bool delay_open = false;
  std::uint32_t delay_open_time = 5;
  bool send_notification_without_open = false;
  // Group 3. The initial value; each start event then sets it (8.1.2:
  // Events 1, 3, 6 imply FALSE; 4, 5, 7 imply TRUE).
  bool passive_tcp_establishment = false;
  // Group 1.
  bool allow_automatic_start = false;
  bool damp_peer_oscillations = false;
  IdleHoldConfig idle_hold;
};

// An event with the data it carries.
struct Input {
  Input(Event e) : event(e) {}  // NOLINT(google-explicit-constructor): events read naturally
  Input(Event e, std::uint16_t hold) : event(e), negotiated_hold_time(hold) {}
  Input(Event e, SendNotification n) : event(e), notification(std::move(n)) {}

  Event event;
  // BgpOpen / BgpOpenWithDelayOpenTimerRunning: the Hold Time the caller
  // already validated and negotiated (see hold_time.hpp).
  std::uint16_t negotiated_hold_time = 0;
  // BgpHeaderErr, BgpOpenMsgErr, UpdateMsgErr: the NOTIFICATION the decoder
  // chose. ManualStop / AutomaticStop: overrides the default Cease (e.g. an
  // RFC 9003 shutdown communication, or Maximum Number of Prefixes Reached).
  std::optional<SendNotification> notification;
};

class Fsm {
 public:
  explicit Fsm(Config config = {});

  // The one entry point. `now` is any monotonic time (same epoch across
  // calls); it only measures how long a session stayed Established.
  StepResult step(const Input& input, std::chrono::milliseconds now);

  // RFC 4271 4.2 negotiation of config().hold_time with the peer's OPEN.
  common::Expected<std::uint16_t, SendNotification> hold_time_for(
      std::uint16_t peer_hold_time) const;

  // Which event a valid OPEN is (8.1.5): Event 20 while the DelayOpenTimer
  // runs, otherwise Event 19.
  Event open_event() const;

  State state() const { return state_; }
  std::uint32_t connect_retry_counter() const { return connect_retry_counter_; }
  std::uint16_t negotiated_hold_time() const { return hold_time_; }
  bool timer_running(Timer timer) const { return running_[index(timer)]; }
  bool passive_tcp_establishment() const { return passive_; }
  // The PassiveTcpEstablishment attribute (RFC 4271 8.1.1) the next
  // automatic restart uses. A connection's FSM started passively for an
  // incoming connection takes the peer's own setting when it outlives the
  // peer's other FSM (6.8), or both speakers could end up only listening.
  void set_passive_tcp_establishment(bool passive) { passive_ = passive; }
  // The IdleHoldTime the next damped flap will use.
  std::uint32_t idle_hold_time() const { return backoff_.current(); }
  const Config& config() const { return config_; }

 private:
  enum class RetryCounter { Increment, Zero, Keep };

  static std::size_t index(Timer t) { return static_cast<std::size_t>(t); }

  void on_idle(const Input& in);
  void on_connect(const Input& in);
  void on_active(const Input& in);
  void on_open_sent(const Input& in);
  void on_open_confirm(const Input& in);
  void on_established(const Input& in);

  void emit(Action action) { out_.actions.push_back(std::move(action)); }
  void start_timer(Timer timer, std::uint32_t seconds);
  void stop_timer(Timer timer);
  void change_state(State to);

  void start_session(bool passive, bool reset_counter);
  void tcp_connection_up();
  void send_open_and_wait();
  void open_with_delay_open_running(std::uint16_t hold);
  void arm_session_timers(std::uint16_t hold);
  void restart_hold_timer();
  void go_idle(std::optional<SendNotification> notification, RetryCounter counter);
  void check_failed_before_open(const Input& in);
  void version_error_before_open();
  void stop_with_cease(const Input& in);
  void fsm_error(wire::FsmSubcode fsm_subcode);
  static SendNotification notification_or(const Input& in, wire::ErrorCode code,
                                          std::uint8_t fallback_subcode = 0);

  Config config_;
  State state_ = State::Idle;
  std::uint32_t connect_retry_counter_ = 0;
  std::uint16_t hold_time_ = 0;
  bool passive_;
  std::array<bool, kTimerCount> running_{};
  IdleHoldBackoff backoff_;
  std::chrono::milliseconds established_at_{0};

  // Per step(): the event being handled, its time, and the result built.
  Event event_ = Event::ManualStart;
  std::chrono::milliseconds now_{0};
  StepResult out_;
};

}  // namespace bgpd::fsm
