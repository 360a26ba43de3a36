// Profile section 4: "No segment may be dropped [...] because of a
// rollover, under load, reordering and loss". The opportunistic switch and
// the retirement of the default MKT under random delay (reordering), loss
// and duplication, for many seeds; TwoEndpointSim checks the two-endpoint
// invariant after every action, loss and delivery.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/keys/two_endpoint_sim.hpp"

namespace aotls::keys::testing {
namespace {

using Strings = std::vector<std::string>;

// Segments live in the network for at most kMaxDelay, well inside the
// 2 s hold-down: the bound the hold-down relies on.
constexpr Duration kTick{10};
constexpr Duration kMaxDelay{600};
constexpr Duration kTrafficFor{6000};
constexpr Duration kRunFor{10000};
constexpr double kSendChance = 0.2;  // per side and tick: a busy session
constexpr double kLossChance = 0.1;
constexpr double kDuplicateChance = 0.05;

class RandomRun {
 public:
  explicit RandomRun(unsigned seed)
      : sim_({MktParams{}, MktParams{}, Duration{200}}),
        channel_(sim_, {kLossChance, kDuplicateChance, Duration{5}, kMaxDelay}, seed) {}

  void run() {
    sim_.install_default_mkts();
    const TimePoint start = sim_.now();
    while (sim_.now() < start + kRunFor) {
      if (sim_.now() < start + kTrafficFor) {
        for (Side side : {Side::Client, Side::Server}) {
          if (chance(kSendChance)) send(side);
        }
      }
      deliver_due();
      sim_.advance(kTick, kTick);
    }
    deliver_due();
  }

  TwoEndpointSim& sim() { return sim_; }
  std::size_t delivered() const { return delivered_; }
  std::size_t not_good() const { return not_good_; }
  // Segments under KeyID 0 that reached a side already holding generation 1.
  std::size_t late_default() const { return late_default_; }
  // Deliveries whose stale RNextKeyID 0 moved Current_key back (RFC 5925 6.1).
  std::size_t reverted() const { return reverted_; }

 private:
  bool chance(double p) { return channel_.chance(p); }

  void send(Side from) { channel_.transmit(sim_.send(from)); }

  void deliver_due() {
    for (const std::uint64_t number : channel_.take_due()) deliver(number);
  }

  // The handshake rides on the deliveries: the server derives when the
  // ClientHello (its first segment) arrives, the client when the server's
  // flight (asking for c(1)) arrives.
  void deliver(std::uint64_t number) {
    const Segment* segment = sim_.peek(number);
    ASSERT_NE(segment, nullptr) << "#" << number;
    const Side to = peer_of(segment->from);
    const bool flight = segment->rnext_key_id == key_id(Direction::ClientToServer, 1);
    const Endpoint& receiver = sim_.endpoint(to);
    if (segment->key_id == kDefaultKeyId && receiver.machine.phase() != KeyPhase::DefaultOnly) {
      ++late_default_;
    }
    const auto current_before = receiver.socket.current_key();
    const Verdict verdict = sim_.deliver(number);
    ++delivered_;
    if (current_before != kDefaultKeyId && receiver.socket.current_key() == kDefaultKeyId) {
      ++reverted_;
    }
    if (verdict != Verdict::Good) {
      ++not_good_;
      ADD_FAILURE() << "#" << number << " to " << to_string(to) << ": " << to_string(verdict);
      return;
    }
    const KeyPhase phase = sim_.endpoint(to).machine.phase();
    if (phase != KeyPhase::DefaultOnly) return;
    if (to == Side::Server || flight) sim_.derive(to, 1);
  }

  TwoEndpointSim sim_;
  RandomChannel channel_;
  std::size_t delivered_ = 0;
  std::size_t not_good_ = 0;
  std::size_t late_default_ = 0;
  std::size_t reverted_ = 0;
};

TEST(TwoEndpointRandom, SwitchAndRetirementSurviveReorderingLossAndDuplication) {
  std::size_t late_default = 0;
  std::size_t reverted = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomRun run(seed);
    run.run();
    TwoEndpointSim& sim = run.sim();
    EXPECT_GT(run.delivered(), 150U);
    EXPECT_EQ(run.not_good(), 0U);
    EXPECT_EQ(sim.invariant_failures(), 0U);
    EXPECT_TRUE(sim.in_flight().empty());
    EXPECT_EQ(sim.endpoint(Side::Client).trace,
              (Strings{"install 0/0", "install 1/1", "install 2/2", "current 1", "rnext 2",
                       "delete 0/0", "derive g=2", "install 3/3", "install 4/4"}));
    EXPECT_EQ(sim.endpoint(Side::Server).trace,
              (Strings{"install 0/0", "install 1/1", "install 2/2", "rnext 1", "delete 0/0",
                       "derive g=2", "install 3/3", "install 4/4"}));
    for (Side side : {Side::Client, Side::Server}) {
      std::set<KeyId> ids;
      for (const FakeKey& key : sim.endpoint(side).socket.keys()) ids.insert(key.mkt.send_id);
      EXPECT_EQ(ids, (std::set<KeyId>{1, 2, 3, 4})) << to_string(side);
    }
    late_default += run.late_default();
    reverted += run.reverted();
    if (HasFailure()) break;  // one seed's story is enough to read
  }
  // The runs did meet what the hold-down is for.
  EXPECT_GT(late_default, 40U);
  EXPECT_GT(reverted, 0U);
  std::printf("late KeyID 0 deliveries: %zu, Current_key moved back to 0: %zu\n", late_default,
              reverted);
}

}  // namespace
}  // namespace aotls::keys::testing
