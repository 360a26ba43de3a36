// The key machine alone, fed by hand: install order (profile section 3),
// the hold-down retirement of the default MKT (section 4), generation 2,
// errors and poll cadence.
#include "aotls/keys/key_installer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/keys/fake_backend.hpp"
#include "tests/unit/keys/two_endpoint_sim.hpp"

namespace aotls::keys::testing {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

constexpr MktParams kSha1{};
constexpr MktParams kCmac{true, crypto::MacAlgorithm::AesCmac128_96,
                          crypto::KdfAlgorithm::AesCmac128};

SecretsDerived secrets(Generation g, MktParams client = kSha1, MktParams server = kCmac) {
  SecretsDerived event;
  event.generation = g;
  event.client_to_server = {client, sim_secret(Direction::ClientToServer, g)};
  event.server_to_client = {server, sim_secret(Direction::ServerToClient, g)};
  return event;
}

Strings describe_all(const KeyActions& actions) {
  Strings out;
  for (const KeyAction& action : actions) out.push_back(describe(action));
  return out;
}

TimePoint at(long ms) {
  return TimePoint{} + milliseconds(ms);
}

BackendPolled poll(long ms, KeyId current, KeyId rnext, std::vector<KeyCounter> keys,
                   Duration rto = Duration{200}) {
  BackendPolled event;
  event.now = at(ms);
  event.current_key = current;
  event.rnext_key = rnext;
  event.keys = std::move(keys);
  event.rto = rto;
  return event;
}

Strings handle(KeyInstaller& machine, KeyEvent event) {
  auto actions = machine.handle(std::move(event));
  EXPECT_TRUE(actions) << to_string(actions.error());
  return actions ? describe_all(*actions) : Strings{"error"};
}

KeyInstaller switched(Side side) {
  KeyInstaller machine(side);
  handle(machine, DefaultMktInstalled{});
  handle(machine, secrets(1));
  return machine;
}

// Server counters: default 0/0, receive c(1) 1/1, send s(1) 2/2.
std::vector<KeyCounter> server_keys(std::uint64_t default_good, std::uint64_t c1_good) {
  return {{0, 0, default_good}, {1, 1, c1_good}, {2, 2, 0}};
}

TEST(KeyInstaller, ServerInstallsReceiveThenSendAndAsksForC1) {
  KeyInstaller machine(Side::Server);
  EXPECT_EQ(handle(machine, DefaultMktInstalled{}), Strings{});
  EXPECT_EQ(machine.phase(), KeyPhase::DefaultOnly);
  auto actions = machine.handle(secrets(1));
  ASSERT_TRUE(actions);
  EXPECT_EQ(describe_all(*actions), (Strings{"install 1/1", "install 2/2", "rnext 1"}));
  // The keys carry the right direction's parameters and secret.
  const Mkt& receive = std::get<InstallKey>((*actions)[0]).mkt;
  const Mkt& send = std::get<InstallKey>((*actions)[1]).mkt;
  EXPECT_EQ(receive.direction, Direction::ClientToServer);
  EXPECT_EQ(receive.params, kSha1);
  EXPECT_TRUE(
      std::ranges::equal(receive.secret.bytes(), sim_secret(Direction::ClientToServer, 1).bytes()));
  EXPECT_EQ(send.direction, Direction::ServerToClient);
  EXPECT_EQ(send.params, kCmac);
  EXPECT_TRUE(
      std::ranges::equal(send.secret.bytes(), sim_secret(Direction::ServerToClient, 1).bytes()));
  EXPECT_EQ(machine.phase(), KeyPhase::Switching);
  EXPECT_EQ(machine.generation(), 1U);
}

TEST(KeyInstaller, ClientInstallsSendThenReceiveAndSwitchesBeforeItsFinished) {
  KeyInstaller machine(Side::Client);
  handle(machine, DefaultMktInstalled{});
  auto actions = machine.handle(secrets(1));
  ASSERT_TRUE(actions);
  EXPECT_EQ(describe_all(*actions),
            (Strings{"install 1/1", "install 2/2", "current 1", "rnext 2"}));
  EXPECT_EQ(std::get<InstallKey>((*actions)[0]).mkt.use_by(Side::Client), KeyUse::Send);
  EXPECT_EQ(std::get<InstallKey>((*actions)[1]).mkt.use_by(Side::Client), KeyUse::Receive);
  EXPECT_EQ(std::get<InstallKey>((*actions)[1]).mkt.params, kCmac);
}

TEST(KeyInstaller, RefusesEventsOutOfOrder) {
  KeyInstaller machine(Side::Client);
  auto early = machine.handle(secrets(1));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error(), KeyError::OutOfOrder);
  auto early_poll = machine.handle(poll(0, 0, 0, {}));
  ASSERT_FALSE(early_poll);
  EXPECT_EQ(early_poll.error(), KeyError::OutOfOrder);
  EXPECT_EQ(handle(machine, TimePassed{at(0)}), Strings{});  // nothing to poll yet

  handle(machine, DefaultMktInstalled{});
  auto twice = machine.handle(DefaultMktInstalled{});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error(), KeyError::OutOfOrder);
  auto skipped = machine.handle(secrets(2));
  ASSERT_FALSE(skipped);
  EXPECT_EQ(skipped.error(), KeyError::UnexpectedGeneration);

  handle(machine, secrets(1));
  auto again = machine.handle(secrets(1));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), KeyError::OutOfOrder);
}

TEST(KeyInstaller, RefusesBadSecretsWithoutChangingState) {
  KeyInstaller machine(Side::Server);
  handle(machine, DefaultMktInstalled{});
  const MktParams mixed{false, crypto::MacAlgorithm::AesCmac128_96, crypto::KdfAlgorithm::HmacSha1};
  auto mixed_result = machine.handle(secrets(1, kSha1, mixed));
  ASSERT_FALSE(mixed_result);
  EXPECT_EQ(mixed_result.error(), KeyError::MixedAlgorithms);
  SecretsDerived empty = secrets(1);
  empty.client_to_server.secret.clear();
  auto empty_result = machine.handle(std::move(empty));
  ASSERT_FALSE(empty_result);
  EXPECT_EQ(empty_result.error(), KeyError::EmptySecret);
  EXPECT_EQ(machine.phase(), KeyPhase::DefaultOnly);
  EXPECT_EQ(machine.keys().size(), 1U);
  EXPECT_EQ(handle(machine, secrets(1)), (Strings{"install 1/1", "install 2/2", "rnext 1"}));
}

TEST(KeyInstaller, HoldDownIsThreeRtosButAtLeastTwoSeconds) {
  EXPECT_EQ(hold_down(Duration{200}), Duration{2000});
  EXPECT_EQ(hold_down(Duration{666}), Duration{2000});
  EXPECT_EQ(hold_down(Duration{700}), Duration{2100});
  EXPECT_EQ(hold_down(Duration{1000}), Duration{3000});
}

// Profile section 4 on the server: the default MKT goes once Current_key
// left it, our RNextKeyID left it, the client has been seen under c(1), and
// its count stood still for the hold-down. Then generation 2 follows.
TEST(KeyInstaller, ServerRetiresTheDefaultAfterTheHoldDownThenInstallsGeneration2) {
  KeyInstaller machine = switched(Side::Server);
  // Still sending under the default: the client has not asked for s(1).
  EXPECT_EQ(handle(machine, poll(0, 0, 1, server_keys(5, 0))), Strings{});
  EXPECT_EQ(handle(machine, poll(5000, 0, 1, server_keys(5, 0))), Strings{});
  // The client's Finished arrived under c(1), asking for s(1).
  EXPECT_EQ(handle(machine, poll(5100, 2, 1, server_keys(6, 1))), Strings{});
  EXPECT_EQ(handle(machine, poll(7099, 2, 1, server_keys(6, 9))), Strings{});
  EXPECT_EQ(handle(machine, poll(7100, 2, 1, server_keys(6, 9))), Strings{"delete 0/0"});
  EXPECT_EQ(machine.phase(), KeyPhase::Switching);
  // The next poll confirms the delete; then generation 2's secrets are due.
  EXPECT_EQ(handle(machine, poll(7200, 2, 1, {{1, 1, 12}, {2, 2, 0}})), Strings{"derive g=2"});
  EXPECT_EQ(machine.phase(), KeyPhase::Derived);
  EXPECT_EQ(machine.keys().size(), 2U);
  // Installed, not used: neither Current_key nor RNext_key moves.
  EXPECT_EQ(handle(machine, secrets(2)), (Strings{"install 3/3", "install 4/4"}));
  EXPECT_EQ(machine.phase(), KeyPhase::NextInstalled);
  EXPECT_EQ(machine.generation(), 2U);
  auto third = machine.handle(secrets(3));
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error(), KeyError::OutOfOrder);  // rollover is aotls/rekey's
}

TEST(KeyInstaller, ClientWaitsUntilTheServerWasSeenUnderS1) {
  KeyInstaller machine = switched(Side::Client);
  // Client counters: default 0/0, send c(1) 1/1, receive s(1) 2/2.
  const auto keys = [](std::uint64_t default_good, std::uint64_t s1_good) {
    return std::vector<KeyCounter>{{0, 0, default_good}, {1, 1, 0}, {2, 2, s1_good}};
  };
  EXPECT_EQ(handle(machine, poll(0, 1, 2, keys(3, 0))), Strings{});
  EXPECT_EQ(handle(machine, poll(9000, 1, 2, keys(3, 0))), Strings{});
  EXPECT_EQ(handle(machine, poll(9100, 1, 2, keys(3, 1))), Strings{});
  EXPECT_EQ(handle(machine, poll(11099, 1, 2, keys(3, 4))), Strings{});
  EXPECT_EQ(handle(machine, poll(11100, 1, 2, keys(3, 4))), Strings{"delete 0/0"});
}

TEST(KeyInstaller, AGoodSegmentUnderTheDefaultRestartsTheHoldDown) {
  KeyInstaller machine = switched(Side::Server);
  EXPECT_EQ(handle(machine, poll(0, 2, 1, server_keys(6, 1))), Strings{});
  // A reordered or retransmitted segment under KeyID 0 verified at 1500.
  EXPECT_EQ(handle(machine, poll(1500, 2, 1, server_keys(7, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(2000, 2, 1, server_keys(7, 4))), Strings{});
  EXPECT_EQ(handle(machine, poll(3499, 2, 1, server_keys(7, 5))), Strings{});
  EXPECT_EQ(handle(machine, poll(3500, 2, 1, server_keys(7, 5))), Strings{"delete 0/0"});
}

TEST(KeyInstaller, CurrentOrRNextOnTheDefaultRestartsTheHoldDown) {
  KeyInstaller machine = switched(Side::Server);
  EXPECT_EQ(handle(machine, poll(0, 2, 1, server_keys(6, 1))), Strings{});
  // A stale client segment asking for 0 moved Current_key back.
  EXPECT_EQ(handle(machine, poll(1900, 0, 1, server_keys(6, 2))), Strings{});
  EXPECT_EQ(handle(machine, poll(2000, 2, 1, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(3999, 2, 1, server_keys(6, 3))), Strings{});
  // The backend reports RNext_key on the default (an operator reset it).
  EXPECT_EQ(handle(machine, poll(4000, 2, 0, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(4100, 2, 1, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(6099, 2, 1, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(6100, 2, 1, server_keys(6, 3))), Strings{"delete 0/0"});
}

TEST(KeyInstaller, HoldDownFollowsTheRto) {
  KeyInstaller machine = switched(Side::Server);
  const Duration rto{1000};
  EXPECT_EQ(handle(machine, poll(0, 2, 1, server_keys(6, 1), rto)), Strings{});
  EXPECT_EQ(handle(machine, poll(2999, 2, 1, server_keys(6, 1), rto)), Strings{});
  EXPECT_EQ(handle(machine, poll(3000, 2, 1, server_keys(6, 1), rto)), Strings{"delete 0/0"});
}

// A delete refused with EBUSY (Current_key moved back between the poll and
// the call) shows up at the next poll; the hold-down starts over.
TEST(KeyInstaller, RefusedDeleteIsRetriedAfterANewHoldDown) {
  KeyInstaller machine = switched(Side::Server);
  FakeAoSocket socket;  // what the backend really holds: Current_key on the default
  ASSERT_FALSE(socket.add_key(make_default_mkt()));
  for (Direction direction : {Direction::ClientToServer, Direction::ServerToClient}) {
    auto mkt = make_derived_mkt(direction, 1, kSha1, sim_secret(direction, 1));
    ASSERT_TRUE(mkt);
    ASSERT_FALSE(socket.add_key(*mkt));
  }
  ASSERT_FALSE(socket.set_rnext(1));
  EXPECT_EQ(handle(machine, poll(0, 2, 1, server_keys(6, 1))), Strings{});
  auto actions = machine.handle(poll(2000, 2, 1, server_keys(6, 1)));
  ASSERT_TRUE(actions);
  ASSERT_EQ(describe_all(*actions), Strings{"delete 0/0"});
  // The real backend still has Current_key on the default.
  EXPECT_EQ(apply_action(socket, (*actions)[0]),
            std::make_error_code(std::errc::device_or_resource_busy));
  EXPECT_EQ(handle(machine, poll(2100, 0, 1, server_keys(6, 2))), Strings{});
  EXPECT_EQ(machine.phase(), KeyPhase::Switching);
  EXPECT_EQ(machine.keys().front().state, KeyState::Retiring);
  EXPECT_EQ(handle(machine, poll(2200, 2, 1, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(4199, 2, 1, server_keys(6, 3))), Strings{});
  EXPECT_EQ(handle(machine, poll(4200, 2, 1, server_keys(6, 3))), Strings{"delete 0/0"});
  EXPECT_EQ(handle(machine, poll(4300, 2, 1, {{1, 1, 3}, {2, 2, 0}})), Strings{"derive g=2"});
}

// Profile section 4: poll every 50-100 ms while a switch is open, every
// second otherwise.
TEST(KeyInstaller, AsksForPollsFastWhileSwitchingAndSlowAfterwards) {
  KeyInstaller machine(Side::Client);
  EXPECT_EQ(handle(machine, TimePassed{at(0)}), Strings{});
  handle(machine, DefaultMktInstalled{});
  EXPECT_EQ(handle(machine, TimePassed{at(0)}), Strings{"poll"});
  EXPECT_EQ(handle(machine, TimePassed{at(500)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(1000)}), Strings{"poll"});
  handle(machine, secrets(1));
  EXPECT_EQ(handle(machine, poll(1100, 1, 2, {{0, 0, 1}, {1, 1, 0}, {2, 2, 0}})), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(1150)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(1200)}), Strings{"poll"});
  EXPECT_EQ(handle(machine, TimePassed{at(1250)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(1300)}), Strings{"poll"});
  // After generation 2 is installed nothing is open any more.
  EXPECT_EQ(handle(machine, poll(1400, 1, 2, {{0, 0, 1}, {1, 1, 0}, {2, 2, 1}})), Strings{});
  EXPECT_EQ(handle(machine, poll(3400, 1, 2, {{0, 0, 1}, {1, 1, 0}, {2, 2, 1}})),
            Strings{"delete 0/0"});
  EXPECT_EQ(handle(machine, poll(3500, 1, 2, {{1, 1, 0}, {2, 2, 1}})), Strings{"derive g=2"});
  EXPECT_EQ(handle(machine, secrets(2)), (Strings{"install 3/3", "install 4/4"}));
  EXPECT_EQ(handle(machine, poll(3600, 1, 2, {{1, 1, 0}, {2, 2, 1}, {3, 3, 0}, {4, 4, 0}})),
            Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(4000)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(4600)}), Strings{"poll"});
}

}  // namespace
}  // namespace aotls::keys::testing
