// Profile section 4 as a property: two endpoints with Linux's key rules
// (fake sockets) over a channel that loses, duplicates and reorders, rolling
// over again and again (timer on both sides, so both often start at once;
// bytes; operator commands at random). After every step TwoEndpointNetwork
// checks the two-endpoint invariant; here: no segment is ever dropped (the
// fakes verify real MACs, so a segment whose KeyID its receiver holds is
// good), key counts stay bounded, deletions keep pace with rollovers, the
// two sides never drift more than one generation apart, and KeyIDs wrap.
// Seeded, so every run is the same.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/rekey/rekey_sim.hpp"

namespace aotls::rekey::testing {
namespace {

constexpr Duration kTick{20};
constexpr Duration kMaxDelay{400};   // well inside the 2 s hold-down
constexpr double kSendChance = 0.1;  // per side and tick: 5 segments a second
constexpr double kLossChance = 0.1;
constexpr double kDuplicateChance = 0.05;
constexpr double kCommandChance = 0.001;
constexpr std::uint64_t kSegmentBytes = 1000;
constexpr Duration kQuietSpell{3000};
// With the default MKT retired, a side holds g and g+1, or during a
// rollover g's receive key, g+1 and (once g is gone) g+2: four at most.
constexpr std::size_t kMostKeys = 4;

struct RunSetup {
  unsigned seed = 1;
  Generation start = 0;  // 0: from the default MKT, through the installer
  std::uint64_t rollovers = 10;
  RekeyConfig client;
  RekeyConfig server;
  MktParams client_params;  // what each side announces (and sends with)
  MktParams server_params;
  // Per tick: both sides stop sending (kicks still leave) for kQuietSpell,
  // longer than the hold-down.
  double quiet_chance = 0;
};

class RandomRekeyRun {
 public:
  explicit RandomRekeyRun(const RunSetup& setup)
      : setup_(setup),
        sim_({setup.client_params, setup.server_params, Duration{200}, setup.client, setup.server}),
        channel_(sim_, {kLossChance, kDuplicateChance, Duration{1}, kMaxDelay}, setup.seed) {}

  void run() {
    if (setup_.start == 0) {
      sim_.open_from_default();
    } else {
      sim_.resume_at(setup_.start);
    }
    const TimePoint deadline = sim_.now() + setup_.rollovers * Duration{10000};
    while (!done() && sim_.now() < deadline && !::testing::Test::HasFatalFailure()) {
      if (sim_.now() >= quiet_until_ && chance(setup_.quiet_chance)) {
        quiet_until_ = sim_.now() + kQuietSpell;
      }
      for (Side side : {Side::Client, Side::Server}) step(side);
      deliver_due();
      sim_.advance(kTick, kTick);
      observe();
    }
  }

  RekeySim& sim() { return sim_; }
  std::size_t delivered() const { return delivered_; }
  std::size_t not_good() const { return not_good_; }
  // Generations both sides started themselves (both at once).
  std::size_t both_started() const {
    return static_cast<std::size_t>(
        std::count_if(started_by_.begin(), started_by_.end(),
                      [](const auto& entry) { return entry.second == 3U; }));
  }
  std::size_t commands_refused() const { return commands_refused_; }
  // Deliveries verified by a key on its way out: what the hold-down is for.
  std::size_t under_retiring() const { return under_retiring_; }
  // Deliveries whose stale RNextKeyID moved Current_key back a generation.
  std::size_t reverted() const { return reverted_; }

 private:
  template <class Predicate>
  static const keys::KeyRecord* find_record(const RekeyEndpoint& ep, Predicate predicate) {
    const auto& records = ep.machine.keys();
    const auto it = std::find_if(records.begin(), records.end(), predicate);
    return it == records.end() ? nullptr : &*it;
  }

  // The generation of the side's Current_key (0 when none).
  static Generation sending_generation(const RekeyEndpoint& ep) {
    const auto current = ep.socket.current_key();
    if (!current) return keys::kDefaultGeneration;
    const keys::KeyRecord* key = find_record(ep, [&](const keys::KeyRecord& record) {
      return record.use != keys::KeyUse::Receive && record.send_id == *current;
    });
    return key == nullptr ? keys::kDefaultGeneration : key->generation;
  }

  bool done() const {
    for (Side side : {Side::Client, Side::Server}) {
      if (sim_.endpoint(side).machine.status().rollovers_done < setup_.rollovers) return false;
    }
    return true;
  }

  bool chance(double p) { return channel_.chance(p); }

  void step(Side side) {
    if (chance(kCommandChance)) {
      const auto refusal = sim_.try_feed(side, RolloverCommand{});
      if (refusal) {
        EXPECT_TRUE(*refusal == RekeyError::RolloverInProgress || *refusal == RekeyError::NotReady)
            << to_string(*refusal);
        ++commands_refused_;
      }
    }
    for (std::uint64_t number : sim_.send_kicks(side)) transmit(number);
    if (sim_.now() >= quiet_until_ && chance(kSendChance)) {
      transmit(sim_.send(side));
      sim_.feed(side, BytesTransferred{kSegmentBytes});
    }
  }

  void transmit(std::uint64_t number) { channel_.transmit(number); }

  void deliver_due() {
    for (const std::uint64_t number : channel_.take_due()) {
      const keys::testing::Segment* segment = sim_.peek(number);
      ASSERT_NE(segment, nullptr) << "#" << number;
      const Side to = peer_of(segment->from);
      const KeyId key_id = segment->key_id;
      const RekeyEndpoint& receiver = sim_.endpoint(to);
      if (const auto* key = find_record(receiver,
                                        [&](const keys::KeyRecord& record) {
                                          return record.use == keys::KeyUse::Receive &&
                                                 record.recv_id == key_id;
                                        });
          key != nullptr && key->state != keys::KeyState::Active) {
        ++under_retiring_;
      }
      const Generation sending_before = sending_generation(receiver);
      const keys::testing::Verdict verdict = sim_.deliver(number);
      if (sending_generation(receiver) < sending_before) ++reverted_;
      ++delivered_;
      if (verdict != keys::testing::Verdict::Good) {
        ++not_good_;
        ADD_FAILURE() << "#" << number << " (KeyID " << int{key_id} << ") to " << to_string(to)
                      << ": " << to_string(verdict);
      }
    }
  }

  // Per step: the generations stay within one of each other, the key
  // count stays bounded, and who started each generation is noted.
  void observe() {
    const RekeyStatus client = sim_.endpoint(Side::Client).machine.status();
    const RekeyStatus server = sim_.endpoint(Side::Server).machine.status();
    const Generation low = std::min(client.generation, server.generation);
    const Generation high = std::max(client.generation, server.generation);
    EXPECT_LE(high - low, 1U) << "client " << to_string(client) << "; server " << to_string(server);
    for (Side side : {Side::Client, Side::Server}) {
      const RekeyEndpoint& ep = sim_.endpoint(side);
      const RekeyStatus& status = side == Side::Client ? client : server;
      EXPECT_LE(ep.socket.keys().size(), kMostKeys) << to_string(side);
      if (status.rollover_in_progress && status.last_trigger &&
          *status.last_trigger != RolloverTrigger::Peer) {
        started_by_[status.generation] |= side == Side::Client ? 1U : 2U;
      }
    }
  }

  RunSetup setup_;
  RekeySim sim_;
  keys::testing::RandomChannel channel_;
  TimePoint quiet_until_{};
  std::map<Generation, unsigned> started_by_;
  std::size_t delivered_ = 0;
  std::size_t not_good_ = 0;
  std::size_t commands_refused_ = 0;
  std::size_t under_retiring_ = 0;
  std::size_t reverted_ = 0;
};

// What every run must show, whatever its setup.
void expect_healthy(RandomRekeyRun& run, const RunSetup& setup) {
  RekeySim& sim = run.sim();
  EXPECT_EQ(run.not_good(), 0U);
  EXPECT_EQ(sim.invariant_failures(), 0U);
  EXPECT_GT(sim.invariant_checks(), 30 * setup.rollovers);  // it did watch every step
  for (Side side : {Side::Client, Side::Server}) {
    const RekeyEndpoint& ep = sim.endpoint(side);
    const RekeyStatus status = ep.machine.status();
    EXPECT_GE(status.rollovers_done, setup.rollovers) << to_string(side);
    EXPECT_LE(ep.most_keys, kMostKeys) << to_string(side);
    // Two deletions per completed rollover (plus the default MKT), and at
    // most g's send key more for one still open.
    const std::size_t retired = 2 * status.rollovers_done + (setup.start == 0 ? 1 : 0);
    EXPECT_GE(ep.deletions, retired) << to_string(side);
    EXPECT_LE(ep.deletions, retired + 1) << to_string(side);
    EXPECT_GT(ep.kicks, 0U) << to_string(side);
    EXPECT_EQ(ep.socket.key_not_found(), 0U) << to_string(side);
  }
}

TEST(RekeyRandom, ThreeHundredGenerationsFromTheDefaultMkt) {
  RunSetup setup;
  setup.seed = 7;
  setup.rollovers = 300;
  setup.client.rekey_interval = Duration{500};
  setup.server.rekey_interval = Duration{1500};
  setup.server.rekey_after_bytes = 25 * kSegmentBytes;
  RandomRekeyRun run(setup);
  run.run();
  expect_healthy(run, setup);
  // Generation 301 or so: KeyIDs wrapped twice (every 127 generations).
  const std::vector<KeyId>& ids = run.sim().installed_ids();
  EXPECT_GE(std::count(ids.begin(), ids.end(), KeyId{1}), 4);  // c(1), c(128), c(255) ...
  EXPECT_GE(std::count(ids.begin(), ids.end(), KeyId{254}), 4);
  // The run met what the rules are for: both sides starting at once,
  // stragglers under retiring keys, stale RNextKeyIDs moving a send key back.
  EXPECT_GT(run.both_started(), 5U);
  EXPECT_GT(run.under_retiring(), 100U);
  EXPECT_GT(run.reverted(), 0U);
  std::printf(
      "delivered %zu segments (%zu under a retiring key, %zu moved Current_key back), "
      "%zu generations started by both sides at once, %zu commands refused\n",
      run.delivered(), run.under_retiring(), run.reverted(), run.both_started(),
      run.commands_refused());
}

TEST(RekeyRandom, ManySeedsAcrossTheKeyIdWrap) {
  std::size_t both_started = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RunSetup setup;
    setup.seed = seed;
    setup.start = 123;  // c(128) = 1: the wrap after five rollovers
    setup.rollovers = 8;
    setup.client.rekey_interval = Duration{200 + 100 * (seed % 3)};
    setup.server.rekey_interval = Duration{200 + 100 * (seed % 2)};
    setup.quiet_chance = 0.005;
    if (seed % 2 == 1) {
      // Each direction keeps its own announced algorithms across rollovers.
      setup.client_params = {true, crypto::MacAlgorithm::AesCmac128_96,
                             crypto::KdfAlgorithm::AesCmac128};
    }
    RandomRekeyRun run(setup);
    run.run();
    expect_healthy(run, setup);
    const std::vector<KeyId>& ids = run.sim().installed_ids();
    EXPECT_NE(std::find(ids.begin(), ids.end(), KeyId{253}), ids.end());
    EXPECT_NE(std::find(ids.begin(), ids.end(), KeyId{1}), ids.end());
    both_started += run.both_started();
    if (HasFailure()) break;  // one seed's story is enough to read
  }
  EXPECT_GT(both_started, 3U);
}

TEST(RekeyRandom, OneSidedTriggersOnly) {
  for (Side initiator : {Side::Client, Side::Server}) {
    SCOPED_TRACE(std::string(to_string(initiator)) + " starts every rollover");
    RunSetup setup;
    setup.seed = 99;
    setup.start = 40;
    setup.rollovers = 6;
    (initiator == Side::Client ? setup.client : setup.server).rekey_interval = Duration{300};
    RandomRekeyRun run(setup);
    run.run();
    expect_healthy(run, setup);
    const RekeyStatus responder = run.sim().endpoint(peer_of(initiator)).machine.status();
    // Operator commands may start some; the peer started the rest.
    EXPECT_TRUE(responder.last_trigger == RolloverTrigger::Peer ||
                responder.last_trigger == RolloverTrigger::Operator);
  }
}

}  // namespace
}  // namespace aotls::rekey::testing
