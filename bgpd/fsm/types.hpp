// bgpd/fsm/types.hpp - vocabulary of the BGP finite state machine.
//
// Owns: the states (RFC 4271 section 8.2.2), the 28 events with their
// section 8.1 names and numbers, the timers of sections 8 and 10, and the
// actions the FSM asks its shell to perform. Pure values: no I/O, no clocks,
// no logging. Depends only on bgpd/wire/notification_codes.hpp (header-only
// enums), never on the rest of the codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bgpd/wire/notification_codes.hpp"

namespace bgpd::fsm {

// RFC 4271 section 8.2.2.
enum class State : std::uint8_t {
  Idle = 1,
  Connect = 2,
  Active = 3,
  OpenSent = 4,
  OpenConfirm = 5,
  Established = 6,
};

// RFC 4271 section 8.1, numbered as the RFC numbers them (8.2.1.4: the
// numbers serve network management, so they are kept verbatim).
enum class Event : std::uint8_t {
  ManualStart = 1,
  ManualStop = 2,
  AutomaticStart = 3,
  ManualStartWithPassiveTcpEstablishment = 4,
  AutomaticStartWithPassiveTcpEstablishment = 5,
  AutomaticStartWithDampPeerOscillations = 6,
  AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment = 7,
  AutomaticStop = 8,
  ConnectRetryTimerExpires = 9,
  HoldTimerExpires = 10,
  KeepaliveTimerExpires = 11,
  DelayOpenTimerExpires = 12,
  IdleHoldTimerExpires = 13,
  TcpConnectionValid = 14,
  TcpCrInvalid = 15,
  TcpCrAcked = 16,
  TcpConnectionConfirmed = 17,
  TcpConnectionFails = 18,
  BgpOpen = 19,
  BgpOpenWithDelayOpenTimerRunning = 20,
  BgpHeaderErr = 21,
  BgpOpenMsgErr = 22,
  OpenCollisionDump = 23,
  NotifMsgVerErr = 24,
  NotifMsg = 25,
  KeepAliveMsg = 26,
  UpdateMsg = 27,
  UpdateMsgErr = 28,
};

inline constexpr int kEventCount = 28;
inline constexpr int kStateCount = 6;

// The mandatory timers (section 8, 10) and the two optional ones
// (DelayOpenTimer: group 1, IdleHoldTimer: group 2 of section 8).
enum class Timer : std::uint8_t {
  ConnectRetry = 0,
  Hold = 1,
  Keepalive = 2,
  DelayOpen = 3,
  IdleHold = 4,
};

inline constexpr int kTimerCount = 5;

// --- Actions: what the shell must do, in order. ---

struct InitiateTcpConnection {
  bool operator==(const InitiateTcpConnection&) const = default;
};
struct DropTcpConnection {
  bool operator==(const DropTcpConnection&) const = default;
};
// Start accepting connections from this peer (Idle -> Connect/Active).
struct ListenForConnections {
  bool operator==(const ListenForConnections&) const = default;
};
// Refuse this peer's connections again: section 8.2.2 "In this [Idle]
// state, BGP FSM refuses all incoming BGP connections for this peer".
struct StopListening {
  bool operator==(const StopListening&) const = default;
};
struct SendOpen {
  bool operator==(const SendOpen&) const = default;
};
struct SendKeepalive {
  bool operator==(const SendKeepalive&) const = default;
};
struct SendNotification {
  wire::ErrorCode code = wire::ErrorCode::Cease;
  std::uint8_t subcode = 0;
  std::vector<std::uint8_t> data;
  bool operator==(const SendNotification&) const = default;
};
// (Re)starts the timer: a running timer is restarted with `seconds`.
struct StartTimer {
  Timer which = Timer::ConnectRetry;
  std::uint32_t seconds = 0;
  bool operator==(const StartTimer&) const = default;
};
struct StopTimer {
  Timer which = Timer::ConnectRetry;
  bool operator==(const StopTimer&) const = default;
};
// Hand the received UPDATE to the RIB (section 8.2.2 Established, Event 27).
struct ProcessUpdate {
  bool operator==(const ProcessUpdate&) const = default;
};
// "releases all BGP resources": per-connection buffers and negotiated state.
struct ReleaseResources {
  bool operator==(const ReleaseResources&) const = default;
};
// Entry into Established: the RIB may start sending to this peer.
struct SessionEstablished {
  bool operator==(const SessionEstablished&) const = default;
};
// Exit from Established: "deletes all routes associated with this
// connection" (section 8.2.2, Established state).
struct SessionDown {
  bool operator==(const SessionDown&) const = default;
};

using Action =
    std::variant<InitiateTcpConnection, DropTcpConnection, ListenForConnections, StopListening,
                 SendOpen, SendKeepalive, SendNotification, StartTimer, StopTimer, ProcessUpdate,
                 ReleaseResources, SessionEstablished, SessionDown>;

// One state change, recorded once so that the shell logs every transition
// exactly once with its reason.
struct Transition {
  State from = State::Idle;
  State to = State::Idle;
  Event reason = Event::ManualStart;
  bool operator==(const Transition&) const = default;
};

struct StepResult {
  std::vector<Action> actions;
  std::optional<Transition> transition;
};

// RFC vocabulary names, for logs and replay files.
std::string_view to_string(State state);
std::string_view to_string(Event event);
std::string_view to_string(Timer timer);
std::string to_string(const Action& action);

std::optional<State> state_from_string(std::string_view name);
std::optional<Event> event_from_string(std::string_view name);
std::optional<Timer> timer_from_string(std::string_view name);

}  // namespace bgpd::fsm
