// tests/unit/keys/two_endpoint_sim.hpp - a client and a server, each a
// KeyInstaller driving a FakeAoSocket, joined by a channel of segments.
//
// Every action a machine emits is carried out on its fake at once (as the
// shell does, synchronously), and after EVERY action and every delivery
// the two-endpoint invariant of profile section 4 is checked:
//  (a) every segment in the channel, and the next segment each side would
//      send (a retransmission is signed with the key current when it
//      leaves), carries a KeyID for which its receiver holds a key;
//  (b) no receive key's SendID is a value the peer can advertise as
//      RNextKeyID (advertisable_by).
// Violations are reported as gtest failures and kept for inspection.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "aotls/keys/key_installer.hpp"
#include "tests/unit/keys/fake_backend.hpp"

namespace aotls::keys::testing {

// Deterministic "exporter output" for one direction and generation; both
// sides of the simulation derive the same bytes.
crypto::Secret sim_secret(Direction direction, Generation g);

struct Endpoint {
  explicit Endpoint(Side s) : side(s), machine(s) {}
  Side side;
  KeyInstaller machine;
  FakeAoSocket socket;
  std::vector<std::string> trace;  // describe() of every backend action, in order
};

class TwoEndpointSim {
 public:
  struct Options {
    MktParams client_params;  // what the client announces (and sends with)
    MktParams server_params;
    Duration rto{200};
  };

  explicit TwoEndpointSim(Options options);

  Endpoint& endpoint(Side side) { return side == Side::Client ? client_ : server_; }
  const Endpoint& endpoint(Side side) const { return side == Side::Client ? client_ : server_; }
  TimePoint now() const { return now_; }

  // Both: add the default MKT to the fake (before connect/listen), then
  // tell the machine.
  void install_default_mkts();
  // The side's TLS stack exported both secrets of g.
  void derive(Side side, Generation g);
  // Feeds one event and carries out every action it produces.
  void feed(Side side, KeyEvent event);

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

 private:
  std::deque<Segment>::iterator find_in_flight(std::uint64_t number);
  void run(Side side, KeyAction& action);
  void verify_invariant(const std::string& after);

  Options options_;
  Endpoint client_{Side::Client};
  Endpoint server_{Side::Server};
  std::deque<Segment> channel_;
  std::uint64_t next_number_ = 1;
  TimePoint now_{};
  std::size_t invariant_checks_ = 0;
  std::size_t invariant_failures_ = 0;
};

}  // namespace aotls::keys::testing
