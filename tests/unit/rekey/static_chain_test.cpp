// StaticChain (profile section 4, static key chains): two endpoints over
// fake sockets that keep Linux's rules. Keys come in make-before-break as
// their lifetimes start or a reload adds them, RNextKeyID moves to the
// newest accepted key and the peer's stack follows it, old keys leave after
// the hold-down, and no segment is refused along the way.
#include <gtest/gtest.h>

#include <array>
#include <variant>

#include "aotls/rekey/static_chain.hpp"
#include "common/overloaded.hpp"
#include "tests/unit/keys/fake_backend.hpp"

namespace aotls::rekey {
namespace {

using keys::testing::FakeAoSocket;
using keys::testing::Verdict;
using std::chrono::milliseconds;
using Ids = std::vector<keys::KeyId>;

ChainKey chain_key(keys::KeyId id, std::uint8_t fill, KeyLifetime send, KeyLifetime accept) {
  const std::array<std::uint8_t, 16> bytes{fill, fill, fill};
  return {id,
          id,
          {true, crypto::MacAlgorithm::HmacSha1_96, crypto::KdfAlgorithm::HmacSha1},
          std::make_shared<const crypto::Secret>(bytes),
          send,
          accept};
}

Ids installed(const FakeAoSocket& socket) {
  Ids ids;
  for (const auto& key : socket.keys()) ids.push_back(key.mkt.send_id);
  return ids;
}

struct Endpoint {
  keys::Side side;
  FakeAoSocket socket;
  StaticChain chain;
  int kicks = 0;
  int deletions = 0;

  void update(std::int64_t unix_now, keys::TimePoint now) {
    for (auto& action : chain.update(unix_now, socket.poll(now, milliseconds(100)))) {
      std::visit(common::Overloaded{
                     [&](keys::InstallKey& a) { EXPECT_FALSE(socket.add_key(a.mkt)); },
                     [&](const keys::DeleteKey& a) {
                       EXPECT_FALSE(socket.del_key(a.send_id, a.recv_id));
                       ++deletions;
                     },
                     [&](const keys::SetRNext& a) { EXPECT_FALSE(socket.set_rnext(a.recv_id)); },
                     [&](const Kick&) { ++kicks; },
                     [](const auto&) { ADD_FAILURE() << "a static chain sets no current key"; },
                 },
                 action);
    }
  }
};

class StaticChainTest : public ::testing::Test {
 protected:
  StaticChainTest()
      : a_{keys::Side::Client, {}, StaticChain(chain()), 0, 0},
        b_{keys::Side::Server, {}, StaticChain(chain()), 0, 0} {}

  // Key 1 now; key 2 from t = 1000 (send and accept); key 1's send
  // lifetime ends at 1500, its accept lifetime at 1600.
  static std::vector<ChainKey> chain() {
    return {chain_key(1, 0x11, {{}, 1500}, {{}, 1600}), chain_key(2, 0x22, {1000, {}}, {1000, {}})};
  }
  void update_both(std::int64_t unix_now) {
    now_ += milliseconds(500);
    a_.update(unix_now, now_);
    b_.update(unix_now, now_);
  }
  // One segment each way; both must verify.
  void exchange() {
    for (auto [from, to] : {std::pair{&a_, &b_}, std::pair{&b_, &a_}}) {
      const auto segment = from->socket.send(++number_, from->side);
      ASSERT_TRUE(segment);
      EXPECT_EQ(to->socket.receive(*segment), Verdict::Good) << "segment " << number_;
    }
  }

  Endpoint a_;
  Endpoint b_;
  keys::TimePoint now_;
  std::uint64_t number_ = 0;
};

TEST_F(StaticChainTest, ANewKeyComesInTheOldOneLeavesAfterTheHoldDown) {
  update_both(500);
  EXPECT_EQ(installed(a_.socket), Ids{1});
  EXPECT_EQ(a_.socket.rnext_key(), 1);
  for (Endpoint* e : {&a_, &b_}) ASSERT_FALSE(e->socket.set_current(1));  // the shell, at connect
  exchange();

  // Key 2's lifetimes start: it goes in and RNextKeyID asks for it; each
  // side's segment moves the other's send key.
  update_both(1000);
  EXPECT_EQ(installed(a_.socket), (Ids{1, 2}));
  EXPECT_EQ(a_.socket.rnext_key(), 2);
  EXPECT_EQ(a_.kicks, 2);  // once for key 1 at the start, once for key 2
  exchange();
  exchange();
  EXPECT_EQ(a_.socket.current_key(), 2);
  EXPECT_EQ(b_.socket.current_key(), 2);

  // Key 1 is still accepted until 1600; then it waits out the hold-down
  // (2 s of steady time without a good segment) and goes.
  update_both(1599);
  EXPECT_EQ(installed(a_.socket), (Ids{1, 2}));
  update_both(1600);
  update_both(1601);
  update_both(1602);
  update_both(1603);
  EXPECT_EQ(installed(a_.socket), (Ids{1, 2}));  // 1.5 s of quiet so far
  update_both(1604);
  EXPECT_EQ(installed(a_.socket), Ids{2});
  EXPECT_EQ(installed(b_.socket), Ids{2});
  EXPECT_EQ(a_.deletions, 1);
  exchange();
  EXPECT_EQ(a_.chain.status().rnext_changes, 2U);
}

TEST_F(StaticChainTest, AReloadReplacesAKeyWithoutAGap) {
  update_both(500);
  for (Endpoint* e : {&a_, &b_}) ASSERT_FALSE(e->socket.set_current(1));
  exchange();
  std::vector<ChainKey> reloaded;
  reloaded.push_back(chain_key(3, 0x33, {}, {400, {}}));
  for (Endpoint* e : {&a_, &b_}) e->chain.set_chain(reloaded);
  update_both(500);
  EXPECT_EQ(installed(a_.socket), (Ids{1, 3}));  // 3 in before 1 can go
  exchange();
  exchange();
  EXPECT_EQ(a_.socket.current_key(), 3);
  for (int i = 0; i < 5; ++i) update_both(501);
  EXPECT_EQ(installed(a_.socket), Ids{3});
  EXPECT_EQ(installed(b_.socket), Ids{3});
  exchange();
}

TEST_F(StaticChainTest, AKeyThePeerStillSendsUnderStays) {
  update_both(500);
  for (Endpoint* e : {&a_, &b_}) ASSERT_FALSE(e->socket.set_current(1));
  update_both(1000);
  // Only b's segments flow: a never sent with RNextKeyID 2, so b still
  // sends under key 1, and a keeps key 1 while its count moves.
  for (int i = 0; i < 10; ++i) {
    update_both(1700);
    const auto segment = b_.socket.send(++number_, b_.side);
    ASSERT_TRUE(segment);
    EXPECT_EQ(a_.socket.receive(*segment), Verdict::Good);
  }
  EXPECT_EQ(installed(a_.socket), (Ids{1, 2}));
}

TEST_F(StaticChainTest, NoKeyInsideItsLifetimeDeletesNothing) {
  update_both(500);
  for (Endpoint* e : {&a_, &b_}) ASSERT_FALSE(e->socket.set_current(1));
  std::vector<ChainKey> expired;
  expired.push_back(chain_key(1, 0x11, {{}, 600}, {{}, 600}));
  for (Endpoint* e : {&a_, &b_}) e->chain.set_chain(expired);
  for (int i = 0; i < 10; ++i) update_both(700);
  EXPECT_EQ(installed(a_.socket), Ids{1});
  EXPECT_TRUE(a_.chain.status().no_valid_key);
  exchange();
}

}  // namespace
}  // namespace aotls::rekey
