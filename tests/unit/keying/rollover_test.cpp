// ConnectionKeying's rollovers (profile section 4) between the two ends of
// a real handshake: the operator's command on one side, the peer following
// through RNextKeyID, the kicks, g's keys deleted after the hold-down and
// g+2 installed, the status; and a handshake that starts at a later
// generation (the test knob that reaches a KeyID wrap quickly).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "tests/unit/keying/test_support.hpp"

namespace aotls::keying::testing {
namespace {

using std::chrono::milliseconds;
using tls::test::Side;
using Ids = std::vector<keys::KeyId>;
using keys::testing::Verdict;

class RolloverTest : public ::testing::Test {
 protected:
  void start(keys::Generation first) {
    EndpointSetup client = client_setup();
    EndpointSetup server = server_setup();
    client.kick = [this] { ++kicks_[0]; };
    server.kick = [this] { ++kicks_[1]; };
    client.first_generation = server.first_generation = first;
    p_ = std::make_unique<KeyedPair>(client, server);
    ASSERT_TRUE(p_->hs().run().both_finished());
    for (Side side : {Side::Client, Side::Server}) {
      ASSERT_TRUE(p_->keying(side).handshake_finished(p_->ssl(side)));
    }
    t0_ = p_->now() + milliseconds(50);
    exchange();
  }
  keys::testing::FakeAoSocket& fake(Side side) { return p_->socket(side).fake(); }
  ConnectionKeying& keying(Side side) { return p_->keying(side); }
  // One segment each way under the current keys, both verified.
  void exchange() {
    ASSERT_EQ(deliver(fake(Side::Client), fake(Side::Server), keys::Side::Client, ++number_),
              Verdict::Good);
    ASSERT_EQ(deliver(fake(Side::Server), fake(Side::Client), keys::Side::Server, ++number_),
              Verdict::Good);
  }
  // Both timers every 100 ms up to `until`.
  void tick_both(milliseconds until) {
    for (; elapsed_ <= until; elapsed_ += milliseconds(100)) {
      for (Side side : {Side::Client, Side::Server}) {
        const auto next = keying(side).tick(t0_ + elapsed_);
        ASSERT_TRUE(next) << next.error().message;
      }
    }
  }
  KeyingStatus status(Side side) { return keying(side).status(t0_ + elapsed_); }

  std::unique_ptr<KeyedPair> p_;
  keys::TimePoint t0_;
  milliseconds elapsed_{0};
  std::uint64_t number_ = 0;
  std::array<int, 2> kicks_{0, 0};
};

TEST_F(RolloverTest, OperatorRolloverIsFollowedByThePeerAndRetiresTheOldGeneration) {
  start(keys::kFirstDerivedGeneration);
  tick_both(milliseconds(2500));  // the default MKT retired, generation 2 installed
  for (Side side : {Side::Client, Side::Server}) {
    EXPECT_EQ(status(side).state, "next-installed");
    EXPECT_EQ(status(side).generation, 1U);
    EXPECT_EQ(installed_send_ids(fake(side)), (Ids{1, 2, 3, 4}));
  }

  // The client asks for s(2) = 4 and kicks; its own send key stays c(1).
  ASSERT_TRUE(keying(Side::Client).request_rollover(t0_ + elapsed_));
  EXPECT_EQ(kicks_[0], 1);
  EXPECT_EQ(fake(Side::Client).rnext_key(), 4);
  EXPECT_EQ(fake(Side::Client).current_key(), 1);
  const auto again = keying(Side::Client).request_rollover(t0_ + elapsed_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, KeyingErrc::RolloverRefused);
  EXPECT_TRUE(status(Side::Client).rekey->rollover_in_progress);

  // The kick's segment moves the server's stack to s(2); its next poll
  // (within the second that idle polling takes, profile section 4) makes it
  // ask for c(2) = 3 and kick; its segment moves the client.
  ASSERT_EQ(deliver(fake(Side::Client), fake(Side::Server), keys::Side::Client, ++number_),
            Verdict::Good);
  EXPECT_EQ(fake(Side::Server).current_key(), 4);
  tick_both(elapsed_ + milliseconds(1000));
  EXPECT_EQ(kicks_[1], 1);
  EXPECT_EQ(fake(Side::Server).rnext_key(), 3);
  exchange();
  EXPECT_EQ(fake(Side::Client).current_key(), 3);
  exchange();  // the server sees the client under c(2): its c(1) may go

  // After the hold-down (2 s of quiet on g's receive key) g goes, g+2 comes.
  tick_both(elapsed_ + milliseconds(2600));
  for (Side side : {Side::Client, Side::Server}) {
    const KeyingStatus s = status(side);
    EXPECT_EQ(s.state, "next-installed");
    EXPECT_EQ(s.generation, 2U);
    ASSERT_TRUE(s.rekey);
    EXPECT_EQ(s.rekey->rollovers_done, 1U);
    EXPECT_FALSE(s.rekey->rollover_in_progress);
    EXPECT_EQ(installed_send_ids(fake(side)), (Ids{3, 4, 5, 6}));
    EXPECT_EQ(s.keys_deleted, 3U);  // the default MKT, then c(1) and s(1)
    EXPECT_EQ(s.rollover_bad_mac, 0U);
    EXPECT_EQ(s.rollover_key_not_found, 0U);
  }
  EXPECT_EQ(status(Side::Client).rekey->last_trigger, rekey::RolloverTrigger::Operator);
  EXPECT_EQ(status(Side::Server).rekey->last_trigger, rekey::RolloverTrigger::Peer);
  for (const keys::KeyId id : Ids{5, 6}) {
    EXPECT_TRUE(secret_by_send_id(fake(Side::Client), id) ==
                secret_by_send_id(fake(Side::Server), id))
        << int{id};
  }
  exchange();  // generation 2 carries traffic both ways
}

TEST_F(RolloverTest, TheTimerStartsRolloversOnBothSidesAtOnceAndTheyConverge) {
  start(keys::kFirstDerivedGeneration);
  tick_both(milliseconds(2500));
  for (Side side : {Side::Client, Side::Server}) keying(side).set_rekey({milliseconds(1000), {}});
  // Each side's timer fires in the same tick: both ask, both kick, each
  // segment moves the other's stack.
  tick_both(elapsed_ + milliseconds(1100));
  EXPECT_EQ(kicks_, (std::array<int, 2>{1, 1}));
  exchange();  // each side's segment moves the other's send key to g+1
  exchange();  // and each now sees the other under g+1
  tick_both(elapsed_ + milliseconds(2600));
  for (Side side : {Side::Client, Side::Server}) {
    EXPECT_EQ(status(side).generation, 2U);
    EXPECT_GE(status(side).rekey->rollovers_done, 1U);
    EXPECT_EQ(status(side).rekey->last_trigger, rekey::RolloverTrigger::Timer);
  }
  exchange();
}

TEST_F(RolloverTest, TheTimerWakesTheKeyingAtTheIntervalsEndNotAtTheNextSlowPoll) {
  start(keys::kFirstDerivedGeneration);
  tick_both(milliseconds(2500));
  ASSERT_EQ(status(Side::Client).state, "next-installed");
  // When the client's keying asks to be called next, after a tick at `ms`.
  const auto next_after = [&](long ms) {
    const auto next = keying(Side::Client).tick(t0_ + milliseconds(ms));
    EXPECT_TRUE(next) << next.error().message;
    return next ? *next - t0_ : keys::Duration{-1};
  };
  // Idle, no timer: the next call is a slow poll (1 s) away.
  EXPECT_EQ(next_after(2600), milliseconds(3600));
  // The interval counts from the first tick (t0): it ends at 2.9 s, sooner.
  keying(Side::Client).set_rekey({milliseconds(2900), {}});
  EXPECT_EQ(next_after(2600), milliseconds(2900));
  // Due within a fast poll: never sooner than 100 ms from now.
  EXPECT_EQ(next_after(2850), milliseconds(2950));
  EXPECT_EQ(kicks_[0], 0);
  next_after(2950);
  EXPECT_EQ(kicks_[0], 1);
  EXPECT_TRUE(status(Side::Client).rekey->rollover_in_progress);
}

TEST_F(RolloverTest, AHandshakeCanStartAtALaterGeneration) {
  start(120);
  const keys::KeyLayout client = keys::key_layout(keys::Side::Client, 120);
  EXPECT_EQ(fake(Side::Client).current_key(), client.send_key_id);
  EXPECT_EQ(status(Side::Client).generation, 120U);
  tick_both(milliseconds(2500));
  const keys::KeyLayout next = keys::key_layout(keys::Side::Client, 121);
  const Ids ids = installed_send_ids(fake(Side::Client));
  EXPECT_EQ(ids.size(), 4U);
  EXPECT_NE(std::find(ids.begin(), ids.end(), next.send_key_id), ids.end());
  EXPECT_EQ(status(Side::Server).state, "next-installed");
}

}  // namespace
}  // namespace aotls::keying::testing
