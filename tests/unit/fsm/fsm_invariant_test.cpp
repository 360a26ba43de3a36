// tests/unit/fsm/fsm_invariant_test.cpp - long pseudo-random event runs
// (fixed seeds, bounded) checked against invariants that hold after every
// step, whatever the (state, event) pair:
//  - a shell that follows the actions has exactly the timers the FSM thinks
//    run, and is never told to stop a timer it does not run;
//  - Idle runs no timer but the IdleHoldTimer; Connect and Active run no
//    Hold or Keepalive timer;
//  - a NOTIFICATION is always the first action (it must leave before the
//    connection drops), and every return to Idle drops the connection and
//    stops listening;
//  - SessionEstablished / SessionDown exactly on entering / leaving
//    Established; the recorded transition matches the states.
#include <algorithm>
#include <random>

#include "tests/unit/fsm/fsm_test_util.hpp"

namespace bgpd::fsm::test {
namespace {

template <class A>
bool has(const std::vector<Action>& actions) {
  return std::any_of(actions.begin(), actions.end(),
                     [](const Action& a) { return std::holds_alternative<A>(a); });
}

std::optional<Timer> expiring_timer(Event e) {
  switch (e) {
    case Event::ConnectRetryTimerExpires:
      return Timer::ConnectRetry;
    case Event::HoldTimerExpires:
      return Timer::Hold;
    case Event::KeepaliveTimerExpires:
      return Timer::Keepalive;
    case Event::DelayOpenTimerExpires:
      return Timer::DelayOpen;
    case Event::IdleHoldTimerExpires:
      return Timer::IdleHold;
    default:
      return std::nullopt;
  }
}

Input random_input(std::mt19937& rng) {
  std::uniform_int_distribution<int> event(1, kEventCount);
  const auto e = static_cast<Event>(event(rng));
  if (e == Event::BgpOpen || e == Event::BgpOpenWithDelayOpenTimerRunning) {
    constexpr std::uint16_t kHolds[] = {0, 3, 90, 65535};
    return Input(e, kHolds[std::uniform_int_distribution<int>(0, 3)(rng)]);
  }
  return input_for(e);
}

using Visited = std::array<bool, kStateCount + 1>;

// Marks the states the run visited, so that callers can check the walk
// really went through every state (otherwise the invariants prove little).
void run(const Config& config, std::uint32_t seed, int steps, Visited& visited) {
  std::mt19937 rng(seed);
  Fsm fsm(config);
  std::array<bool, kTimerCount> shell_timers{};  // what a faithful shell runs
  milliseconds now{0};
  for (int i = 0; i < steps; ++i) {
    const Input in = random_input(rng);
    SCOPED_TRACE("seed " + std::to_string(seed) + " step " + std::to_string(i) + " " +
                 std::string(to_string(fsm.state())) + " + " + std::string(to_string(in.event)));
    // The shell only reports the expiry of a timer it runs.
    if (const auto t = expiring_timer(in.event)) {
      if (!shell_timers[static_cast<std::size_t>(*t)]) continue;
      shell_timers[static_cast<std::size_t>(*t)] = false;
    }
    const State before = fsm.state();
    now += milliseconds(std::uniform_int_distribution<int>(0, 120'000)(rng));
    const StepResult r = fsm.step(in, now);
    const State after = fsm.state();
    visited[static_cast<std::size_t>(after)] = true;

    for (const Action& a : r.actions) {
      if (const auto* start = std::get_if<StartTimer>(&a)) {
        shell_timers[static_cast<std::size_t>(start->which)] = true;
      } else if (const auto* stop = std::get_if<StopTimer>(&a)) {
        ASSERT_TRUE(shell_timers[static_cast<std::size_t>(stop->which)])
            << "stop of a timer that does not run: " << to_string(stop->which);
        shell_timers[static_cast<std::size_t>(stop->which)] = false;
      }
    }
    for (int t = 0; t < kTimerCount; ++t) {
      ASSERT_EQ(fsm.timer_running(static_cast<Timer>(t)), shell_timers[static_cast<std::size_t>(t)])
          << to_string(static_cast<Timer>(t));
    }
    if (after == State::Idle) {
      for (Timer t : {Timer::ConnectRetry, Timer::Hold, Timer::Keepalive, Timer::DelayOpen}) {
        ASSERT_FALSE(fsm.timer_running(t)) << to_string(t);
      }
    }
    if (after == State::Connect || after == State::Active) {
      ASSERT_FALSE(fsm.timer_running(Timer::Hold));
      ASSERT_FALSE(fsm.timer_running(Timer::Keepalive));
    }
    const auto notification = std::find_if(r.actions.begin(), r.actions.end(), [](const Action& a) {
      return std::holds_alternative<SendNotification>(a);
    });
    if (notification != r.actions.end()) {
      ASSERT_EQ(notification, r.actions.begin());
    }

    ASSERT_EQ(r.transition.has_value(), before != after);
    if (r.transition) {
      ASSERT_EQ(*r.transition, (Transition{before, after, in.event}));
    }
    if (after == State::Idle && before != State::Idle) {
      ASSERT_TRUE(has<DropTcpConnection>(r.actions));
      ASSERT_TRUE(has<StopListening>(r.actions));
    }
    ASSERT_EQ(has<SessionEstablished>(r.actions), after == State::Established && before != after);
    ASSERT_EQ(has<SessionDown>(r.actions), before == State::Established && before != after);
  }
}

void run_many(const Config& config) {
  Visited visited{};
  for (std::uint32_t seed = 1; seed <= 20; ++seed) run(config, seed, 2000, visited);
  for (int s = 1; s <= kStateCount; ++s) {
    EXPECT_TRUE(visited[static_cast<std::size_t>(s)]) << to_string(static_cast<State>(s));
  }
}

Config delay_open() {
  Config c;
  c.delay_open = true;
  c.send_notification_without_open = true;
  return c;
}

Config damped() {
  Config c;
  c.damp_peer_oscillations = true;
  c.allow_automatic_start = true;
  return c;
}

Config passive() {
  Config c;
  c.passive_tcp_establishment = true;
  c.delay_open = true;
  return c;
}

TEST(FsmInvariants, DefaultConfig) {
  run_many(Config{});
}

TEST(FsmInvariants, DelayOpenAndNotificationWithoutOpen) {
  run_many(delay_open());
}

TEST(FsmInvariants, DampPeerOscillations) {
  run_many(damped());
}

TEST(FsmInvariants, Passive) {
  run_many(passive());
}

}  // namespace
}  // namespace bgpd::fsm::test
