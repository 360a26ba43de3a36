#include "tests/unit/keys/two_endpoint_network.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>

namespace aotls::keys::testing {

crypto::Secret sim_secret(Direction direction, Generation g) {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::uint8_t>(0x40U * static_cast<unsigned>(direction) + g * 7U + i);
  }
  return crypto::Secret(bytes);
}

SecretsDerived sim_secrets(Generation g, const MktParams& client, const MktParams& server) {
  SecretsDerived event;
  event.generation = g;
  event.client_to_server = {client, sim_secret(Direction::ClientToServer, g)};
  event.server_to_client = {server, sim_secret(Direction::ServerToClient, g)};
  return event;
}

void TwoEndpointNetwork::add_default_mkts() {
  // Both before connect()/listen(): no segment exists until both hold it.
  for (Side side : {Side::Client, Side::Server}) {
    EndpointCore& ep = core(side);
    const std::error_code ec = ep.socket.add_key(make_default_mkt());
    EXPECT_FALSE(ec) << to_string(side) << " default MKT: " << ec.message();
    ep.trace.push_back("install 0/0");
  }
  verify_invariant("default MKTs");
}

void TwoEndpointNetwork::carry_out(Side side, const KeyAction& action) {
  EndpointCore& ep = core(side);
  const std::error_code ec = apply_action(ep.socket, action);
  ep.trace.push_back(describe(action) + (ec ? " refused" : ""));
  // A delete refused with EBUSY is part of the protocol (a stale
  // RNextKeyID moved Current_key back); the machine recovers at its next
  // poll. Any other refusal is a bug in the machine.
  const bool busy_delete =
      std::holds_alternative<DeleteKey>(action) && ec == std::errc::device_or_resource_busy;
  EXPECT_TRUE(!ec || busy_delete) << to_string(side) << " " << describe(action) << ": "
                                  << ec.message();
  verify_invariant(std::string(to_string(side)) + " " + describe(action));
}

std::uint64_t TwoEndpointNetwork::send(Side from) {
  const std::uint64_t number = next_number_++;
  auto segment = core(from).socket.send(number, from);
  EXPECT_TRUE(segment.has_value()) << to_string(from) << " has no current key";
  if (segment) channel_.push_back(*segment);
  verify_invariant(std::string(to_string(from)) + " sends #" + std::to_string(number));
  return number;
}

std::deque<Segment>::iterator TwoEndpointNetwork::find_in_flight(std::uint64_t number) {
  return std::find_if(channel_.begin(), channel_.end(),
                      [&](const Segment& s) { return s.number == number; });
}

const Segment* TwoEndpointNetwork::peek(std::uint64_t number) const {
  const auto it = std::find_if(channel_.begin(), channel_.end(),
                               [&](const Segment& s) { return s.number == number; });
  return it == channel_.end() ? nullptr : &*it;
}

void TwoEndpointNetwork::duplicate(std::uint64_t number) {
  const auto it = find_in_flight(number);
  ASSERT_NE(it, channel_.end()) << "#" << number << " is not in flight";
  channel_.push_back(*it);
}

void TwoEndpointNetwork::drop(std::uint64_t number) {
  const auto it = find_in_flight(number);
  ASSERT_NE(it, channel_.end()) << "#" << number << " is not in flight";
  channel_.erase(it);
  verify_invariant("loss of #" + std::to_string(number));
}

Verdict TwoEndpointNetwork::deliver(std::uint64_t number) {
  const auto it = find_in_flight(number);
  if (it == channel_.end()) return Verdict::KeyNotFound;
  const Segment segment = *it;
  channel_.erase(it);
  const Verdict verdict = core(peer_of(segment.from)).socket.receive(segment);
  verify_invariant("delivery of #" + std::to_string(number));
  return verdict;
}

bool TwoEndpointNetwork::deliver_all() {
  bool all_good = true;
  while (!channel_.empty()) {
    all_good = deliver(channel_.front().number) == Verdict::Good && all_good;
  }
  return all_good;
}

void TwoEndpointNetwork::advance(Duration total, Duration step) {
  for (Duration passed{0}; passed < total; passed += step) {
    now_ += step;
    tick(Side::Client);
    tick(Side::Server);
  }
}

std::set<KeyId> TwoEndpointNetwork::advertisable_by(Side side) const {
  const FakeAoSocket& socket = core(side).socket;
  std::set<KeyId> values = socket.rnext_ever();
  for (const FakeKey& key : socket.keys()) {
    if (key.mkt.use_by(side) != KeyUse::Send) values.insert(key.mkt.recv_id);
  }
  return values;
}

// advertisable_by(side).count(value), without building the set: the check
// runs after every step of long simulations.
bool TwoEndpointNetwork::advertisable(Side side, KeyId value) const {
  const FakeAoSocket& socket = core(side).socket;
  if (socket.rnext_ever().count(value) != 0) return true;
  return std::any_of(socket.keys().begin(), socket.keys().end(), [&](const FakeKey& key) {
    return key.mkt.use_by(side) != KeyUse::Send && key.mkt.recv_id == value;
  });
}

std::vector<std::string> TwoEndpointNetwork::check_invariant() const {
  std::vector<std::string> violations;
  auto check_key_id = [&](Side from, KeyId key_id, const std::string& what) {
    if (core(peer_of(from)).socket.find_by_recv_id(key_id) == nullptr) {
      violations.push_back(what + " from " + std::string(to_string(from)) + " carries KeyID " +
                           std::to_string(key_id) + " that its receiver does not hold");
    }
  };
  for (const Segment& segment : channel_) {
    check_key_id(segment.from, segment.key_id, "segment #" + std::to_string(segment.number));
  }
  for (Side side : {Side::Client, Side::Server}) {
    const FakeAoSocket& socket = core(side).socket;
    if (socket.current_key()) check_key_id(side, *socket.current_key(), "the next segment");
    for (const FakeKey& key : socket.keys()) {
      if (key.mkt.use_by(side) == KeyUse::Receive && advertisable(peer_of(side), key.mkt.send_id)) {
        violations.push_back(std::string(to_string(side)) + " receive key SendID " +
                             std::to_string(key.mkt.send_id) + " can be asked for by its peer");
      }
    }
  }
  return violations;
}

void TwoEndpointNetwork::check_invariant_on_every_step(bool on) {
  checking_ = on;
  if (on) verify_invariant("setup");
}

void TwoEndpointNetwork::verify_invariant(const std::string& after) {
  if (!checking_) return;
  ++invariant_checks_;
  for (const std::string& violation : check_invariant()) {
    ++invariant_failures_;
    ADD_FAILURE() << "invariant broken after " << after << ": " << violation;
  }
}

void RandomChannel::transmit(std::uint64_t number) {
  if (chance(odds_.loss)) {
    network_.drop(number);
    return;
  }
  schedule(number);
  if (chance(odds_.duplicate)) {
    network_.duplicate(number);
    schedule(number);
  }
}

void RandomChannel::schedule(std::uint64_t number) {
  std::uniform_int_distribution<long> delay(odds_.min_delay.count(), odds_.max_delay.count());
  scheduled_.push_back({network_.now() + Duration{delay(rng_)}, number});
}

std::vector<std::uint64_t> RandomChannel::take_due() {
  std::stable_sort(scheduled_.begin(), scheduled_.end(),
                   [](const Scheduled& a, const Scheduled& b) { return a.due < b.due; });
  std::vector<std::uint64_t> due;
  while (!scheduled_.empty() && scheduled_.front().due <= network_.now()) {
    due.push_back(scheduled_.front().number);
    scheduled_.erase(scheduled_.begin());
  }
  return due;
}

}  // namespace aotls::keys::testing
