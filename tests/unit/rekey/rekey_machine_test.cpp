// The rekey machine alone, fed by hand: one test per transition of profile
// section 4 (take-over from the key installer, the three triggers, the
// peer's request, retirement of g, g+2, errors, poll cadence, resume).
// KeyIDs of a client: send c(g) = 2g-1, receive s(g) = 2g (below the wrap).
#include "aotls/rekey/rekey_machine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/keys/two_endpoint_network.hpp"
#include "tests/unit/rekey/rekey_sim.hpp"

namespace aotls::rekey::testing {
namespace {

using keys::BackendPolled;
using keys::KeyCounter;
using keys::TimePassed;
using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

constexpr Duration kRto{200};  // hold-down: max(3 x 200 ms, 2 s) = 2 s

keys::SecretsDerived secrets(Generation g) {
  return keys::testing::sim_secrets(g, MktParams{}, MktParams{});
}

TimePoint at(long ms) {
  return TimePoint{} + milliseconds(ms);
}

BackendPolled poll(long ms, KeyId current, KeyId rnext, std::vector<KeyCounter> keys) {
  BackendPolled event;
  event.now = at(ms);
  event.current_key = current;
  event.rnext_key = rnext;
  event.keys = std::move(keys);
  event.rto = kRto;
  return event;
}

Strings handle(RekeyMachine& machine, RekeyEvent event) {
  auto actions = machine.handle(std::move(event));
  EXPECT_TRUE(actions) << to_string(actions.error());
  Strings out;
  if (!actions) return {"error"};
  for (const RekeyAction& action : *actions) out.push_back(describe(action));
  return out;
}

RekeyError refused(RekeyMachine& machine, RekeyEvent event) {
  auto actions = machine.handle(std::move(event));
  EXPECT_FALSE(actions);
  return actions ? RekeyError::OutOfOrder : actions.error();
}

// A client at generation 1 with generation 2 installed, handed over by the
// installer at t = 2100 ms: the default MKT retired by the hold-down.
RekeyMachine ready_client(RekeyConfig config = {}) {
  RekeyMachine machine(Side::Client, config);
  handle(machine, keys::DefaultMktInstalled{});
  EXPECT_EQ(handle(machine, secrets(1)),
            (Strings{"install 1/1", "install 2/2", "current 1", "rnext 2"}));
  handle(machine, poll(0, 1, 2, {{0, 0, 5}, {1, 1, 0}, {2, 2, 3}}));
  EXPECT_EQ(handle(machine, poll(2000, 1, 2, {{0, 0, 5}, {1, 1, 0}, {2, 2, 3}})),
            Strings{"delete 0/0"});
  EXPECT_EQ(handle(machine, poll(2100, 1, 2, {{1, 1, 0}, {2, 2, 3}})), Strings{"derive g=2"});
  EXPECT_EQ(machine.phase(), RekeyPhase::Installing);
  EXPECT_EQ(handle(machine, secrets(2)), (Strings{"install 3/3", "install 4/4"}));
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
  return machine;
}

// Counters of a client holding generations 1 and 2 (send 1 and 3 never
// count: the peer sends under our receive KeyIDs 2 and 4).
std::vector<KeyCounter> counters(std::uint64_t s1_good, std::uint64_t s2_good) {
  return {{1, 1, 0}, {2, 2, s1_good}, {3, 3, 0}, {4, 4, s2_good}};
}

TEST(RekeyMachine, TakesOverFromTheInstallerAtGenerationOne) {
  RekeyMachine machine = ready_client();
  const RekeyStatus status = machine.status();
  EXPECT_EQ(status.phase, RekeyPhase::Ready);
  EXPECT_EQ(status.generation, 1U);
  EXPECT_EQ(status.rollovers_done, 0U);
  EXPECT_FALSE(status.rollover_in_progress);
  EXPECT_FALSE(status.last_trigger.has_value());
  EXPECT_EQ(machine.keys().size(), 4U);
}

TEST(RekeyMachine, InstallingRefusesTheOperatorCommand) {
  RekeyMachine machine(Side::Server, {});
  EXPECT_EQ(refused(machine, RolloverCommand{}), RekeyError::NotReady);
  handle(machine, keys::DefaultMktInstalled{});
  EXPECT_EQ(handle(machine, secrets(1)), (Strings{"install 1/1", "install 2/2", "rnext 1"}));
  EXPECT_EQ(machine.status().generation, 1U);
  EXPECT_EQ(refused(machine, RolloverCommand{}), RekeyError::NotReady);
  EXPECT_EQ(refused(machine, keys::DefaultMktInstalled{}), RekeyError::OutOfOrder);
}

TEST(RekeyMachine, OperatorCommandAsksForNextReceiveKeyAndKicks) {
  RekeyMachine machine = ready_client();
  EXPECT_EQ(handle(machine, RolloverCommand{}), (Strings{"rnext 4", "kick"}));
  const RekeyStatus status = machine.status();
  EXPECT_EQ(status.phase, RekeyPhase::Rolling);
  EXPECT_EQ(status.generation, 2U);
  EXPECT_TRUE(status.rollover_in_progress);
  EXPECT_EQ(status.last_trigger, RolloverTrigger::Operator);
  EXPECT_EQ(refused(machine, RolloverCommand{}), RekeyError::RolloverInProgress);
}

TEST(RekeyMachine, TimerStartsRolloverAfterTheInterval) {
  // The clock was first read at 0 ms (the installer's first poll).
  RekeyMachine machine = ready_client({Duration{5000}, std::nullopt});
  EXPECT_EQ(handle(machine, TimePassed{at(4999)}), Strings{"poll"});
  handle(machine, poll(4999, 1, 2, counters(3, 0)));
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
  const Strings actions = handle(machine, TimePassed{at(5000)});
  ASSERT_GE(actions.size(), 2U);
  EXPECT_EQ(actions[0], "rnext 4");
  EXPECT_EQ(actions[1], "kick");
  EXPECT_EQ(machine.status().last_trigger, RolloverTrigger::Timer);
}

TEST(RekeyMachine, TimerDueIsTheIntervalsEndWhileReadyOnly) {
  EXPECT_EQ(ready_client().timer_due(), std::nullopt);  // no timer configured
  // The clock was first read at 0 ms (the installer's first poll).
  RekeyMachine machine = ready_client({Duration{5000}, std::nullopt});
  EXPECT_EQ(machine.timer_due(), at(5000));
  handle(machine, TimePassed{at(5000)});
  EXPECT_EQ(machine.phase(), RekeyPhase::Rolling);
  EXPECT_EQ(machine.timer_due(), std::nullopt);
}

TEST(RekeyMachine, ByteThresholdStartsRollover) {
  RekeyMachine machine = ready_client({std::nullopt, 1000});
  EXPECT_EQ(handle(machine, BytesTransferred{999}), Strings{});
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
  EXPECT_EQ(handle(machine, BytesTransferred{1}), (Strings{"rnext 4", "kick"}));
  EXPECT_EQ(machine.status().last_trigger, RolloverTrigger::Bytes);
}

TEST(RekeyMachine, NoTriggerConfiguredMeansNoRollover) {
  RekeyMachine machine = ready_client();
  handle(machine, BytesTransferred{1ULL << 40});
  for (long ms = 2200; ms < 100000; ms += 1000) {
    for (const std::string& action : handle(machine, TimePassed{at(ms)})) {
      EXPECT_EQ(action, "poll");
    }
  }
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
}

TEST(RekeyMachine, ResponderAnswersThePeersSwitchAndDropsOldSendKey) {
  RekeyMachine machine = ready_client();
  // Our g+1 send key (3) became Current_key: the peer asked for it.
  EXPECT_EQ(handle(machine, poll(3000, 3, 2, counters(7, 0))),
            (Strings{"rnext 4", "delete 1/1", "kick"}));
  EXPECT_EQ(machine.phase(), RekeyPhase::Rolling);
  EXPECT_EQ(machine.status().last_trigger, RolloverTrigger::Peer);
}

TEST(RekeyMachine, InitiatorDropsOldSendKeyOnlyOnceSwitched) {
  RekeyMachine machine = ready_client();
  handle(machine, RolloverCommand{});
  EXPECT_EQ(handle(machine, poll(3000, 1, 4, counters(7, 0))), Strings{});
  EXPECT_EQ(handle(machine, poll(3100, 3, 4, counters(8, 0))), Strings{"delete 1/1"});
}

// The receive key of g goes after the hold-down, counted from when our
// RNextKeyID moved, the peer was seen under g+1 and its count stood still.
TEST(RekeyMachine, OldReceiveKeyWaitsForTheHoldDownThenGenerationThreeIsDerived) {
  RekeyMachine machine = ready_client();
  handle(machine, RolloverCommand{});
  handle(machine, poll(3000, 3, 4, counters(7, 1)));  // quiet since 3000
  EXPECT_EQ(handle(machine, poll(4999, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 9}})), Strings{});
  EXPECT_EQ(handle(machine, poll(5000, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 9}})),
            Strings{"delete 2/2"});
  EXPECT_EQ(machine.status().rollovers_done, 0U);
  EXPECT_EQ(handle(machine, poll(5100, 3, 4, {{3, 3, 0}, {4, 4, 9}})), Strings{"derive g=3"});
  RekeyStatus status = machine.status();
  EXPECT_EQ(status.phase, RekeyPhase::Deriving);
  EXPECT_EQ(status.rollovers_done, 1U);
  // Started at the command (clock last read at 2100 ms), done at 5100 ms.
  EXPECT_EQ(status.last_rollover_duration, Duration{3000});
  EXPECT_TRUE(status.rollover_in_progress);
  // g+2 waits installed: neither Current_key nor RNext_key moves.
  EXPECT_EQ(handle(machine, secrets(3)), (Strings{"install 5/5", "install 6/6"}));
  status = machine.status();
  EXPECT_EQ(status.phase, RekeyPhase::Ready);
  EXPECT_EQ(status.generation, 2U);
  EXPECT_FALSE(status.rollover_in_progress);
  EXPECT_EQ(to_string(status), "generation 2, 1 rollovers, last 3000 ms (operator), ready");
  // The next rollover asks for s(3) = 6.
  EXPECT_EQ(handle(machine, RolloverCommand{}), (Strings{"rnext 6", "kick"}));
}

TEST(RekeyMachine, OldReceiveKeyStaysWhileItsCountMoves) {
  RekeyMachine machine = ready_client();
  handle(machine, RolloverCommand{});
  handle(machine, poll(3000, 3, 4, counters(7, 1)));
  handle(machine, poll(4500, 3, 4, {{2, 2, 8}, {3, 3, 0}, {4, 4, 2}}));  // a straggler
  EXPECT_EQ(handle(machine, poll(6000, 3, 4, {{2, 2, 8}, {3, 3, 0}, {4, 4, 3}})), Strings{});
  EXPECT_EQ(handle(machine, poll(6500, 3, 4, {{2, 2, 8}, {3, 3, 0}, {4, 4, 3}})),
            Strings{"delete 2/2"});
}

TEST(RekeyMachine, OldReceiveKeyStaysUntilThePeerSendsUnderNext) {
  RekeyMachine machine = ready_client();
  handle(machine, RolloverCommand{});
  for (long ms = 3000; ms <= 20000; ms += 1000) {
    EXPECT_EQ(handle(machine, poll(ms, 1, 4, counters(7, 0))), Strings{}) << ms;
  }
  EXPECT_EQ(machine.phase(), RekeyPhase::Rolling);
}

TEST(RekeyMachine, RefusedDeleteIsRetriedAfterAnotherHoldDown) {
  RekeyMachine machine = ready_client();
  handle(machine, RolloverCommand{});
  handle(machine, poll(3000, 3, 4, counters(7, 1)));
  EXPECT_EQ(handle(machine, poll(5000, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}})),
            Strings{"delete 2/2"});
  // Still listed: the backend refused; no g+2 yet, a fresh hold-down.
  EXPECT_EQ(handle(machine, poll(5100, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}})), Strings{});
  EXPECT_EQ(handle(machine, poll(7000, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}})), Strings{});
  EXPECT_EQ(handle(machine, poll(7100, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}})),
            Strings{"delete 2/2"});
}

// Rolls a ready client from g = 1 to Ready at 2 through a command at
// `start_ms`; done (and triggers restarted) at start_ms + 2100.
void complete_rollover(RekeyMachine& machine, long start_ms) {
  handle(machine, TimePassed{at(start_ms)});
  handle(machine, RolloverCommand{});
  handle(machine, poll(start_ms, 3, 4, counters(7, 1)));
  handle(machine, poll(start_ms + 2000, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}}));
  EXPECT_EQ(handle(machine, poll(start_ms + 2100, 3, 4, {{3, 3, 0}, {4, 4, 1}})),
            Strings{"derive g=3"});
  handle(machine, secrets(3));
  ASSERT_EQ(machine.phase(), RekeyPhase::Ready);
}

TEST(RekeyMachine, CompletedRolloverRestartsTheByteCount) {
  RekeyMachine machine = ready_client({std::nullopt, 1000});
  EXPECT_EQ(handle(machine, BytesTransferred{600}), Strings{});
  complete_rollover(machine, 3000);
  EXPECT_EQ(handle(machine, BytesTransferred{600}), Strings{});
  EXPECT_EQ(handle(machine, BytesTransferred{400}), (Strings{"rnext 6", "kick"}));
}

TEST(RekeyMachine, CompletedRolloverRestartsTheTimer) {
  RekeyMachine machine = ready_client({Duration{10000}, std::nullopt});
  complete_rollover(machine, 3000);  // done at 5100
  handle(machine, TimePassed{at(14000)});
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
  const Strings actions = handle(machine, TimePassed{at(15100)});
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0], "rnext 6");
}

TEST(RekeyMachine, RolloverStartedByThePeerAlsoRestartsTheTimer) {
  RekeyMachine machine = ready_client({Duration{10000}, std::nullopt});
  handle(machine, poll(8000, 3, 2, counters(7, 1)));  // the peer asked
  handle(machine, poll(8100, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}}));
  handle(machine, poll(10100, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}}));
  EXPECT_EQ(handle(machine, poll(10200, 3, 4, {{3, 3, 0}, {4, 4, 1}})), Strings{"derive g=3"});
  handle(machine, secrets(3));
  EXPECT_EQ(machine.status().last_trigger, RolloverTrigger::Peer);
  EXPECT_EQ(handle(machine, TimePassed{at(20199)}), Strings{"poll"});
  EXPECT_EQ(machine.phase(), RekeyPhase::Ready);
  EXPECT_EQ(handle(machine, TimePassed{at(20200)})[0], "rnext 6");
}

TEST(RekeyMachine, PollsEverySecondWhenIdleAndEvery100MsDuringRollover) {
  RekeyMachine machine = ready_client();
  // Taken over at 2100 with nothing open: the next poll a second later.
  EXPECT_EQ(handle(machine, TimePassed{at(3099)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(3100)}), Strings{"poll"});
  handle(machine, poll(3100, 1, 2, counters(3, 0)));
  EXPECT_EQ(handle(machine, TimePassed{at(4099)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(4100)}), Strings{"poll"});
  handle(machine, poll(4100, 1, 2, counters(3, 0)));
  handle(machine, RolloverCommand{});
  EXPECT_EQ(handle(machine, TimePassed{at(4199)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(4200)}), Strings{"poll"});
  handle(machine, poll(4200, 1, 4, counters(3, 0)));
  EXPECT_EQ(handle(machine, TimePassed{at(4299)}), Strings{});
  EXPECT_EQ(handle(machine, TimePassed{at(4300)}), Strings{"poll"});
}

TEST(RekeyMachine, SecretsOutOfTurnAreRefused) {
  RekeyMachine machine = ready_client();
  EXPECT_EQ(refused(machine, secrets(3)), RekeyError::OutOfOrder);
  handle(machine, RolloverCommand{});
  EXPECT_EQ(refused(machine, secrets(3)), RekeyError::OutOfOrder);
  handle(machine, poll(3000, 3, 4, counters(7, 1)));
  handle(machine, poll(5000, 3, 4, {{2, 2, 7}, {3, 3, 0}, {4, 4, 1}}));
  handle(machine, poll(5100, 3, 4, {{3, 3, 0}, {4, 4, 1}}));
  ASSERT_EQ(machine.phase(), RekeyPhase::Deriving);
  EXPECT_EQ(refused(machine, secrets(4)), RekeyError::UnexpectedGeneration);
  keys::SecretsDerived mixed = secrets(3);
  mixed.client_to_server.params.mac = crypto::MacAlgorithm::AesCmac128_96;
  EXPECT_EQ(refused(machine, std::move(mixed)), RekeyError::MixedAlgorithms);
}

TEST(RekeyMachine, ResumeInstallsBothGenerationsAcrossTheKeyIdWrap) {
  auto resumed = RekeyMachine::resume(Side::Client, {}, secrets(127), secrets(128), at(0));
  ASSERT_TRUE(resumed);
  Strings actions;
  for (const RekeyAction& action : resumed->actions) actions.push_back(describe(action));
  // c(127) = 253, s(127) = 254; generation 128 wraps to c = 1, s = 2. The
  // receive key first: on an empty socket it becomes RNext_key.
  EXPECT_EQ(actions, (Strings{"install 254/254", "install 253/253", "install 1/1", "install 2/2",
                              "current 253", "rnext 254"}));
  EXPECT_EQ(resumed->machine.status().generation, 127U);
  EXPECT_EQ(resumed->machine.phase(), RekeyPhase::Ready);
  EXPECT_EQ(handle(resumed->machine, RolloverCommand{}), (Strings{"rnext 2", "kick"}));
}

TEST(RekeyMachine, ResumeRefusesGenerationsThatDoNotFollow) {
  EXPECT_FALSE(RekeyMachine::resume(Side::Client, {}, secrets(5), secrets(7), at(0)));
  EXPECT_FALSE(RekeyMachine::resume(Side::Client, {}, secrets(0), secrets(1), at(0)));
}

}  // namespace
}  // namespace aotls::rekey::testing
