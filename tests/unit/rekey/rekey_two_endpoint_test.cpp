// Profile section 4 over two endpoints, step by step: a rollover started by
// either side, both sides at once, a lost kick, a stale RNextKeyID moving a
// send key back during the rollover, and the KeyID wrap. RekeySim checks the
// two-endpoint invariant after every backend call, send, loss and delivery.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/rekey/rekey_sim.hpp"

namespace aotls::rekey::testing {
namespace {

using keys::key_layout;
using keys::KeyLayout;
using Strings = std::vector<std::string>;

class RekeyTwoEndpoint : public ::testing::TestWithParam<Side> {
 protected:
  RekeyTwoEndpoint() : sim_({MktParams{}, MktParams{}, Duration{200}, {}, {}}) {}

  Side initiator() const { return GetParam(); }
  Side responder() const { return peer_of(GetParam()); }
  RekeyEndpoint& ep(Side side) { return sim_.endpoint(side); }
  Strings trace_since(Side side, std::size_t from) {
    const Strings& trace = ep(side).trace;
    return {trace.begin() + static_cast<long>(from), trace.end()};
  }

  void deliver_good(const std::vector<std::uint64_t>& numbers) {
    for (std::uint64_t number : numbers) {
      EXPECT_EQ(sim_.deliver(number), keys::testing::Verdict::Good) << "#" << number;
    }
  }

  // A segment each way, delivered, then time passes.
  void exchange(Duration then = Duration{100}) {
    const std::uint64_t a = sim_.send(Side::Client);
    const std::uint64_t b = sim_.send(Side::Server);
    deliver_good({a, b});
    sim_.advance(then);
  }

  // Traffic until both sides have completed `rollovers` and are Ready.
  void settle(std::uint64_t rollovers) {
    for (int round = 0; round < 100; ++round) {
      const bool done = std::all_of(std::begin(kSides), std::end(kSides), [&](Side side) {
        const RekeyStatus status = ep(side).machine.status();
        return status.rollovers_done >= rollovers && status.phase == RekeyPhase::Ready;
      });
      if (done) return;
      for (Side side : kSides) deliver_good(sim_.send_kicks(side));
      exchange();
    }
    ADD_FAILURE() << "no convergence";
  }

  static constexpr Side kSides[] = {Side::Client, Side::Server};
  RekeySim sim_;
};

TEST_P(RekeyTwoEndpoint, OneSideStartsTheOtherFollows) {
  sim_.open_from_default();
  const KeyLayout a1 = key_layout(initiator(), 1);
  const KeyLayout a2 = key_layout(initiator(), 2);
  const KeyLayout b1 = key_layout(responder(), 1);
  const KeyLayout b2 = key_layout(responder(), 2);
  const std::size_t a_from = ep(initiator()).trace.size();
  const std::size_t b_from = ep(responder()).trace.size();

  // A asks for its g+1 receive key and kicks; its own send key stays.
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  EXPECT_EQ(trace_since(initiator(), a_from),
            (Strings{"rnext " + std::to_string(a2.receive_key_id), "kick"}));
  EXPECT_EQ(ep(initiator()).socket.current_key(), a1.send_key_id);
  // The kick reaches B: B's stack switches B's send key to g+1.
  deliver_good(sim_.send_kicks(initiator()));
  EXPECT_EQ(ep(responder()).socket.current_key(), b2.send_key_id);
  // B's next poll (at most a second away: B has no rollover open) notices,
  // asks in turn, drops its g send key and kicks.
  sim_.advance(Duration{1000});
  EXPECT_EQ(trace_since(responder(), b_from), (Strings{"rnext " + std::to_string(b2.receive_key_id),
                                                       "delete " + std::to_string(b1.send_key_id) +
                                                           "/" + std::to_string(b1.send_key_id),
                                                       "kick"}));
  EXPECT_EQ(ep(responder()).machine.status().last_trigger, RolloverTrigger::Peer);
  deliver_good(sim_.send_kicks(responder()));
  EXPECT_EQ(ep(initiator()).socket.current_key(), a2.send_key_id);

  settle(1);
  for (Side side : kSides) {
    const RekeyStatus status = ep(side).machine.status();
    EXPECT_EQ(status.generation, 2U) << to_string(side);
    EXPECT_EQ(status.rollovers_done, 1U) << to_string(side);
    EXPECT_FALSE(status.rollover_in_progress);
    ASSERT_TRUE(status.last_rollover_duration.has_value());
    EXPECT_GE(*status.last_rollover_duration, keys::kMinHoldDown);
    // Generation 2 in use, 3 installed: the four keys and nothing else.
    std::vector<KeyId> ids;
    for (const auto& key : ep(side).socket.keys()) ids.push_back(key.mkt.send_id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<KeyId>{3, 4, 5, 6})) << to_string(side);
  }
  EXPECT_EQ(ep(initiator()).machine.status().last_trigger, RolloverTrigger::Operator);
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

TEST_P(RekeyTwoEndpoint, LostKickWaitsForTheNextSegment) {
  sim_.open_from_default();
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  for (std::uint64_t number : sim_.send_kicks(initiator())) sim_.drop(number);
  // A quiet spell longer than the hold-down: A's g receive key must stay,
  // since B has not been seen under g+1 (its count stood still for nothing).
  sim_.advance(Duration{3000});
  // Nothing reached B: it still sends under generation 1.
  EXPECT_EQ(ep(responder()).socket.current_key(), key_layout(responder(), 1).send_key_id);
  EXPECT_EQ(ep(responder()).machine.phase(), RekeyPhase::Ready);
  // The next segment from A carries the request too.
  settle(1);
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

// Profile section 4: a reordered segment from B, sent before B moved its
// RNextKeyID, switches A back to g (A still holds that send key until its
// next poll); A's segments under g still verify at B, whose g receive key
// is in its hold-down, and B's next segment switches A forward again.
TEST_P(RekeyTwoEndpoint, StaleRequestMovesTheSendKeyBackHarmlessly) {
  sim_.open_from_default();
  const std::uint64_t stale = sim_.send(responder());  // asks for A's g = 1
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  deliver_good(sim_.send_kicks(initiator()));
  sim_.advance(Duration{1000});  // B's poll: it asks for g+1 and kicks
  deliver_good(sim_.send_kicks(responder()));
  const KeyId a1 = key_layout(initiator(), 1).send_key_id;
  const KeyId a2 = key_layout(initiator(), 2).send_key_id;
  ASSERT_EQ(ep(initiator()).socket.current_key(), a2);
  deliver_good({stale});
  EXPECT_EQ(ep(initiator()).socket.current_key(), a1);
  const std::uint64_t under_old = sim_.send(initiator());
  EXPECT_EQ(sim_.peek(under_old)->key_id, a1);
  deliver_good({under_old});
  settle(1);
  EXPECT_EQ(ep(initiator()).socket.current_key(), a2);
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

TEST_P(RekeyTwoEndpoint, BothSidesAtOnceConverge) {
  sim_.open_from_default();
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  EXPECT_FALSE(sim_.feed(responder(), RolloverCommand{}));
  // The kicks cross in the network.
  const std::vector<std::uint64_t> a = sim_.send_kicks(initiator());
  const std::vector<std::uint64_t> b = sim_.send_kicks(responder());
  deliver_good(b);
  deliver_good(a);
  for (Side side : kSides) {
    EXPECT_EQ(ep(side).socket.current_key(), key_layout(side, 2).send_key_id);
  }
  settle(1);
  for (Side side : kSides) {
    const RekeyStatus status = ep(side).machine.status();
    EXPECT_EQ(status.generation, 2U);
    EXPECT_EQ(status.last_trigger, RolloverTrigger::Operator);
    EXPECT_EQ(ep(side).kicks, 1U) << "nobody answered a request it had made itself";
  }
  // And the next one, too.
  EXPECT_FALSE(sim_.feed(responder(), RolloverCommand{}));
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  settle(2);
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

// A finishes first (a late segment under g restarted B's hold-down) and
// asks for g+2 while B still retires g: B holds no g+2 send key yet, so
// nothing switches; once B has installed g+2, A's next segment switches it
// and B answers.
TEST_P(RekeyTwoEndpoint, PeerOneRolloverAheadWaitsForTheLaggard) {
  sim_.open_from_default();
  const std::uint64_t late = sim_.send(initiator());  // under g = 1
  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  deliver_good(sim_.send_kicks(initiator()));
  sim_.advance(Duration{1000});
  deliver_good(sim_.send_kicks(responder()));
  for (int i = 0; i < 15; ++i) exchange();
  deliver_good({late});  // B's g receive key counts again: a new hold-down
  for (int i = 0; i < 60 && ep(initiator()).machine.phase() != RekeyPhase::Ready; ++i) {
    exchange();
  }
  ASSERT_EQ(ep(initiator()).machine.status().generation, 2U);
  ASSERT_EQ(ep(initiator()).machine.phase(), RekeyPhase::Ready);
  ASSERT_EQ(ep(responder()).machine.phase(), RekeyPhase::Rolling);

  EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
  deliver_good(sim_.send_kicks(initiator()));
  EXPECT_EQ(ep(responder()).socket.current_key(), key_layout(responder(), 2).send_key_id);
  settle(2);
  for (Side side : kSides) {
    EXPECT_EQ(ep(side).machine.status().generation, 3U) << to_string(side);
    EXPECT_LE(ep(side).most_keys, 4U) << to_string(side);
  }
  EXPECT_EQ(ep(responder()).machine.status().last_trigger, RolloverTrigger::Peer);
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

TEST_P(RekeyTwoEndpoint, KeyIdsWrapAfterGeneration127) {
  sim_.resume_at(126);
  for (std::uint64_t done = 1; done <= 3; ++done) {
    EXPECT_FALSE(sim_.feed(initiator(), RolloverCommand{}));
    settle(done);
  }
  // Generation 129 in use, 130 installed: c(129) = 3, s(129) = 4, c(130) = 5.
  for (Side side : kSides) {
    EXPECT_EQ(ep(side).machine.status().generation, 129U);
    EXPECT_EQ(ep(side).socket.current_key(), key_layout(side, 129).send_key_id);
    std::vector<KeyId> ids;
    for (const auto& key : ep(side).socket.keys()) ids.push_back(key.mkt.send_id);
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<KeyId>{3, 4, 5, 6})) << to_string(side);
    EXPECT_EQ(ep(side).deletions, 6U);
  }
  const std::vector<KeyId>& installed = sim_.installed_ids();
  EXPECT_NE(std::find(installed.begin(), installed.end(), KeyId{254}), installed.end());
  EXPECT_EQ(sim_.invariant_failures(), 0U);
}

INSTANTIATE_TEST_SUITE_P(Initiator, RekeyTwoEndpoint, ::testing::Values(Side::Client, Side::Server),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace aotls::rekey::testing
