// bgpd/fsm/types.cpp - names of states, events, timers and actions.
#include "bgpd/fsm/types.hpp"

#include <array>
#include <utility>

namespace bgpd::fsm {
namespace {

template <class E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<State, kStateCount> kStateNames{{
    {State::Idle, "Idle"},
    {State::Connect, "Connect"},
    {State::Active, "Active"},
    {State::OpenSent, "OpenSent"},
    {State::OpenConfirm, "OpenConfirm"},
    {State::Established, "Established"},
}};

constexpr NameTable<Event, kEventCount> kEventNames{{
    {Event::ManualStart, "ManualStart"},
    {Event::ManualStop, "ManualStop"},
    {Event::AutomaticStart, "AutomaticStart"},
    {Event::ManualStartWithPassiveTcpEstablishment, "ManualStartWithPassiveTcpEstablishment"},
    {Event::AutomaticStartWithPassiveTcpEstablishment, "AutomaticStartWithPassiveTcpEstablishment"},
    {Event::AutomaticStartWithDampPeerOscillations, "AutomaticStartWithDampPeerOscillations"},
    {Event::AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment,
     "AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment"},
    {Event::AutomaticStop, "AutomaticStop"},
    {Event::ConnectRetryTimerExpires, "ConnectRetryTimerExpires"},
    {Event::HoldTimerExpires, "HoldTimerExpires"},
    {Event::KeepaliveTimerExpires, "KeepaliveTimerExpires"},
    {Event::DelayOpenTimerExpires, "DelayOpenTimerExpires"},
    {Event::IdleHoldTimerExpires, "IdleHoldTimerExpires"},
    {Event::TcpConnectionValid, "TcpConnectionValid"},
    {Event::TcpCrInvalid, "TcpCrInvalid"},
    {Event::TcpCrAcked, "TcpCrAcked"},
    {Event::TcpConnectionConfirmed, "TcpConnectionConfirmed"},
    {Event::TcpConnectionFails, "TcpConnectionFails"},
    {Event::BgpOpen, "BgpOpen"},
    {Event::BgpOpenWithDelayOpenTimerRunning, "BgpOpenWithDelayOpenTimerRunning"},
    {Event::BgpHeaderErr, "BgpHeaderErr"},
    {Event::BgpOpenMsgErr, "BgpOpenMsgErr"},
    {Event::OpenCollisionDump, "OpenCollisionDump"},
    {Event::NotifMsgVerErr, "NotifMsgVerErr"},
    {Event::NotifMsg, "NotifMsg"},
    {Event::KeepAliveMsg, "KeepAliveMsg"},
    {Event::UpdateMsg, "UpdateMsg"},
    {Event::UpdateMsgErr, "UpdateMsgErr"},
}};

constexpr NameTable<Timer, kTimerCount> kTimerNames{{
    {Timer::ConnectRetry, "ConnectRetry"},
    {Timer::Hold, "Hold"},
    {Timer::Keepalive, "Keepalive"},
    {Timer::DelayOpen, "DelayOpen"},
    {Timer::IdleHold, "IdleHold"},
}};

template <class E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "?";
}

template <class E, std::size_t N>
std::optional<E> value_of(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [v, n] : table) {
    if (n == name) return v;
  }
  return std::nullopt;
}

struct ActionPrinter {
  std::string operator()(const InitiateTcpConnection&) const { return "InitiateTcpConnection"; }
  std::string operator()(const DropTcpConnection&) const { return "DropTcpConnection"; }
  std::string operator()(const ListenForConnections&) const { return "ListenForConnections"; }
  std::string operator()(const StopListening&) const { return "StopListening"; }
  std::string operator()(const SendOpen&) const { return "SendOpen"; }
  std::string operator()(const SendKeepalive&) const { return "SendKeepalive"; }
  std::string operator()(const SendNotification& n) const {
    // The data may carry an RFC 9003 shutdown communication; only its
    // length is printed so that logs stay one line.
    return "SendNotification(" + std::to_string(static_cast<int>(n.code)) + "," +
           std::to_string(n.subcode) + ",len=" + std::to_string(n.data.size()) + ")";
  }
  std::string operator()(const StartTimer& t) const {
    return "StartTimer(" + std::string(to_string(t.which)) + "," + std::to_string(t.seconds) + ")";
  }
  std::string operator()(const StopTimer& t) const {
    return "StopTimer(" + std::string(to_string(t.which)) + ")";
  }
  std::string operator()(const ProcessUpdate&) const { return "ProcessUpdate"; }
  std::string operator()(const ReleaseResources&) const { return "ReleaseResources"; }
  std::string operator()(const SessionEstablished&) const { return "SessionEstablished"; }
  std::string operator()(const SessionDown&) const { return "SessionDown"; }
};

}  // namespace

std::string_view to_string(State state) {
  return name_of(kStateNames, state);
}
std::string_view to_string(Event event) {
  return name_of(kEventNames, event);
}
std::string_view to_string(Timer timer) {
  return name_of(kTimerNames, timer);
}
std::string to_string(const Action& action) {
  return std::visit(ActionPrinter{}, action);
}

std::optional<State> state_from_string(std::string_view name) {
  return value_of(kStateNames, name);
}
std::optional<Event> event_from_string(std::string_view name) {
  return value_of(kEventNames, name);
}
std::optional<Timer> timer_from_string(std::string_view name) {
  return value_of(kTimerNames, name);
}

}  // namespace bgpd::fsm
