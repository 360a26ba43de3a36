// tests/unit/keys/two_endpoint_network.hpp - two FakeAoSockets (a client and
// a server) joined by a channel of segments, with the two-endpoint
// invariant of profile section 4; the key machines are a subclass's
// business (TwoEndpointSim drives KeyInstallers, tests/unit/rekey's
// RekeySim drives RekeyMachines).
//
// After EVERY backend call, send, loss and delivery the invariant is
// checked:
//  (a) every segment in the channel, and the next segment each side would
//      send (a retransmission is signed with the key current when it
//      leaves), carries a KeyID for which its receiver holds a key;
//  (b) no receive key's SendID is a value the peer can advertise as
//      RNextKeyID (advertisable_by).
// Violations are reported as gtest failures and kept for inspection.
#pragma once

#include <cstdint>
#include <deque>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "aotls/keys/key_events.hpp"
#include "tests/unit/keys/fake_backend.hpp"

namespace aotls::keys::testing {

// Deterministic "exporter output" for one direction and generation; both
// sides of the simulation derive the same bytes.
crypto::Secret sim_secret(Direction direction, Generation g);
// Both secrets of g, as the TLS stacks of both sides would export them.
SecretsDerived sim_secrets(Generation g, const MktParams& client, const MktParams& server);

// One side's socket and the trace of the backend calls made on it.
struct EndpointCore {
  explicit EndpointCore(Side s) : side(s) {}
  Side side;
  FakeAoSocket socket;
  std::vector<std::string> trace;  // describe() of every backend action, in order
};

class TwoEndpointNetwork {
 public:
  explicit TwoEndpointNetwork(Duration rto) : rto_(rto) {}
  virtual ~TwoEndpointNetwork() = default;
  TwoEndpointNetwork(const TwoEndpointNetwork&) = delete;
  TwoEndpointNetwork& operator=(const TwoEndpointNetwork&) = delete;

  TimePoint now() const { return now_; }

  // Signs a segment with `from`'s current key and puts it in the channel.
  std::uint64_t send(Side from);
  // The network duplicates segment `number` (the copy keeps its KeyID).
  void duplicate(std::uint64_t number);
  // The network loses the first copy of `number`.
  void drop(std::uint64_t number);
  // Takes the first copy of `number` out of the channel; its receiver
  // verifies it. KeyNotFound when `number` is not in flight.
  Verdict deliver(std::uint64_t number);
  // Delivers everything in flight, oldest first; true when all were good.
  bool deliver_all();
  const std::deque<Segment>& in_flight() const { return channel_; }
  // The first copy of `number` in flight, or nullptr.
  const Segment* peek(std::uint64_t number) const;

  // Moves the clock in steps, telling both machines each time.
  void advance(Duration total, Duration step = Duration{50});

  std::vector<std::string> check_invariant() const;
  // The RNextKeyIDs `side` has sent or may send: every RecvID it has made
  // RNext_key, and the RecvID of every key it receives with.
  std::set<KeyId> advertisable_by(Side side) const;
  std::size_t invariant_checks() const { return invariant_checks_; }
  std::size_t invariant_failures() const { return invariant_failures_; }

 protected:
  virtual EndpointCore& core(Side side) = 0;
  virtual const EndpointCore& core(Side side) const = 0;
  // The clock moved to now(): tell `side`'s machine.
  virtual void tick(Side side) = 0;

  // Both: add the default MKT to the fake (before connect/listen).
  void add_default_mkts();
  // Carries out one backend call (InstallKey, DeleteKey, SetCurrent,
  // SetRNext) on `side`'s fake, traces it and checks the invariant.
  void carry_out(Side side, const KeyAction& action);
  BackendPolled poll(Side side) const { return core(side).socket.poll(now_, rto_); }
  void verify_invariant(const std::string& after);
  // Off while a test sets both fakes up one after the other (no segment
  // exists yet); turning it on checks at once.
  void check_invariant_on_every_step(bool on);

 private:
  std::deque<Segment>::iterator find_in_flight(std::uint64_t number);
  bool advertisable(Side side, KeyId value) const;

  Duration rto_;
  std::deque<Segment> channel_;
  std::uint64_t next_number_ = 1;
  TimePoint now_{};
  std::size_t invariant_checks_ = 0;
  std::size_t invariant_failures_ = 0;
  bool checking_ = true;
};

// A channel that loses, duplicates and reorders segments at random: each
// transmitted segment is lost, or delivered once or twice, each copy after
// a delay drawn in [min_delay, max_delay]. All draws, the callers' own
// chances included, come from one seeded generator, so runs repeat.
class RandomChannel {
 public:
  struct Odds {
    double loss = 0.1;
    double duplicate = 0.05;
    Duration min_delay{1};
    Duration max_delay{400};
  };
  RandomChannel(TwoEndpointNetwork& network, Odds odds, unsigned seed)
      : network_(network), odds_(odds), rng_(seed) {}

  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  // Segment `number`, just sent, goes on its way (or is lost).
  void transmit(std::uint64_t number);
  // The segments due by now, in due order, taken out of the schedule.
  std::vector<std::uint64_t> take_due();

 private:
  struct Scheduled {
    TimePoint due;
    std::uint64_t number;
  };
  void schedule(std::uint64_t number);

  TwoEndpointNetwork& network_;
  Odds odds_;
  std::mt19937 rng_;
  std::vector<Scheduled> scheduled_;
};

}  // namespace aotls::keys::testing
