// ConnectionKeying's timer after the handshake (profile section 4, first
// bullet): the default MKT retires once its good-segment count has stood
// still for the hold-down, then generation 2 is exported and installed
// ahead on both ends, equal on both.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/unit/keying/test_support.hpp"

namespace aotls::keying::testing {
namespace {

using std::chrono::milliseconds;
using tls::test::Side;
using Ids = std::vector<keys::KeyId>;
using keys::testing::Verdict;

// A segment the server sent under the default MKT just before it switched
// (KeyID 0, RNextKeyID c(1)), arriving late.
Verdict deliver_late_default_segment(keys::testing::FakeAoSocket& receiver) {
  keys::testing::FakeAoSocket old_sender;
  EXPECT_FALSE(old_sender.add_key(keys::make_default_mkt()));
  keys::Mkt placeholder = keys::make_default_mkt();
  placeholder.send_id = 99;
  placeholder.recv_id = 1;
  EXPECT_FALSE(old_sender.add_key(placeholder));
  EXPECT_FALSE(old_sender.set_rnext(1));
  return deliver(old_sender, receiver, keys::Side::Server, 1000);
}

class TickTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(p_.hs().run().both_finished());
    for (Side side : {Side::Client, Side::Server}) {
      ASSERT_TRUE(p_.keying(side).handshake_finished(p_.ssl(side)));
    }
    // Traffic under generation 1: the client sends under c(1) asking for
    // s(1); the server's stack switches to s(1) and answers under it.
    ASSERT_EQ(deliver(client(), server(), keys::Side::Client, 1), Verdict::Good);
    ASSERT_EQ(deliver(server(), client(), keys::Side::Server, 2), Verdict::Good);
    ASSERT_EQ(server().current_key(), 2);
    t0_ = p_.now() + milliseconds(50);
  }
  keys::testing::FakeAoSocket& client() { return p_.socket(Side::Client).fake(); }
  keys::testing::FakeAoSocket& server() { return p_.socket(Side::Server).fake(); }
  keys::TimePoint tick(Side side, milliseconds after) {
    const auto next = p_.keying(side).tick(t0_ + after);
    EXPECT_TRUE(next) << next.error().message;
    return next ? *next : keys::TimePoint{};
  }

  KeyedPair p_{client_setup(), server_setup()};
  keys::TimePoint t0_;
};

TEST_F(TickTest, DefaultMktRetiresAfterQuietHoldDownThenGenerationTwo) {
  // While the switch is open the keying asks to be called every 100 ms.
  EXPECT_EQ(tick(Side::Client, milliseconds(0)), t0_ + milliseconds(100));
  EXPECT_EQ(tick(Side::Client, milliseconds(1000)), t0_ + milliseconds(1100));
  EXPECT_EQ(installed_send_ids(client()), (Ids{0, 1, 2}));
  // A late segment under the default MKT moves its counter: the hold-down
  // (max(3 x 100 ms RTO, 2 s) = 2 s) starts again from the next poll.
  ASSERT_EQ(deliver_late_default_segment(client()), Verdict::Good);
  EXPECT_EQ(client().current_key(), 1);
  tick(Side::Client, milliseconds(1100));
  tick(Side::Client, milliseconds(3000));  // only 1.9 s quiet: still there
  EXPECT_EQ(installed_send_ids(client()), (Ids{0, 1, 2}));
  EXPECT_EQ(p_.keying(Side::Client).status(t0_).state, "switching");

  // 2 s quiet: the default goes; once a poll shows it gone, generation 2
  // (c(2) = 3, s(2) = 4) is exported and installed.
  EXPECT_EQ(tick(Side::Client, milliseconds(3100)), t0_ + milliseconds(3200));
  EXPECT_EQ(installed_send_ids(client()), (Ids{1, 2}));
  EXPECT_EQ(p_.keying(Side::Client).status(t0_).state, "switching");
  const auto next = tick(Side::Client, milliseconds(3200));
  EXPECT_EQ(installed_send_ids(client()), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(client().current_key(), 1);  // g+1 waits unused (rekey starts rollovers)
  EXPECT_EQ(client().rnext_key(), 2);
  const KeyingStatus status = p_.keying(Side::Client).status(t0_ + milliseconds(3200));
  EXPECT_EQ(status.state, "next-installed");
  EXPECT_EQ(status.generation, 1U);  // the current one; 2 waits installed
  EXPECT_EQ(next, t0_ + milliseconds(4200));  // nothing open: once a second

  // The server retires its default on its own clock and derives the same g = 2.
  tick(Side::Server, milliseconds(0));
  tick(Side::Server, milliseconds(1900));
  EXPECT_EQ(installed_send_ids(server()), (Ids{0, 1, 2}));
  tick(Side::Server, milliseconds(2000));
  EXPECT_EQ(installed_send_ids(server()), (Ids{1, 2}));
  tick(Side::Server, milliseconds(2100));
  EXPECT_EQ(installed_send_ids(server()), (Ids{1, 2, 3, 4}));
  for (const keys::KeyId id : std::vector<keys::KeyId>{3, 4}) {
    EXPECT_EQ(secret_by_send_id(client(), id).size(), 32U);
    EXPECT_TRUE(secret_by_send_id(client(), id) == secret_by_send_id(server(), id)) << int{id};
    EXPECT_TRUE(secret_by_send_id(client(), id) !=
                secret_by_send_id(client(), static_cast<keys::KeyId>(id - 2)))
        << int{id};
  }
  EXPECT_EQ(client().find_by_send_id(3)->mkt.generation, 2U);
  EXPECT_EQ(server().find_by_send_id(4)->mkt.params, client().find_by_send_id(4)->mkt.params);
}

TEST_F(TickTest, NoRetirementWhileThePeerHasNotSentUnderGenerationOne) {
  // A fresh pair where no segment has used generation 1 yet: the default
  // MKT must stay (deleting it would drop the peer's retransmissions).
  KeyedPair fresh(client_setup(), server_setup());
  ASSERT_TRUE(fresh.hs().run().both_finished());
  for (int i = 0; i <= 50; ++i) {
    ASSERT_TRUE(fresh.keying(Side::Client).tick(t0_ + milliseconds(100 * i)));
  }
  EXPECT_EQ(installed_send_ids(fresh.socket(Side::Client).fake()), (Ids{0, 1, 2}));
}

TEST_F(TickTest, TimeSinceTheLastSwitchCountsFromGenerationOne) {
  const auto hook_time = p_.now();
  EXPECT_EQ(p_.keying(Side::Client).status(hook_time + milliseconds(500)).since_last_switch,
            milliseconds(500));
  // The server's stack moving itself onto s(1) is the same switch.
  tick(Side::Server, milliseconds(0));
  EXPECT_EQ(p_.keying(Side::Server).status(hook_time + milliseconds(700)).since_last_switch,
            milliseconds(700));
}

TEST_F(TickTest, StatusFromAnotherThreadWhileTicking) {
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> inconsistent{0};
  std::thread reader([&] {
    for (int i = 0; i < 100000 && (i == 0 || !done.load()); ++i) {
      const KeyingStatus status = p_.keying(Side::Client).status(t0_);
      // Every snapshot is one state of the machine, never a half-made one.
      const bool ok =
          (status.state == "switching" && status.generation == 1) ||
          (status.state == "next-installed" && status.generation == 1 && status.keys.size() == 4);
      if (!ok) inconsistent.fetch_add(1);
      reads.fetch_add(1);
    }
  });
  while (reads.load() == 0) std::this_thread::yield();  // the reader runs before the ticks
  for (int i = 0; i <= 40; ++i) tick(Side::Client, milliseconds(100 * i));
  done.store(true);
  reader.join();
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_EQ(installed_send_ids(client()), (Ids{1, 2, 3, 4}));
}

}  // namespace
}  // namespace aotls::keying::testing
