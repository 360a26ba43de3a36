// Profile sections 3 and 4 over two endpoints: the opportunistic switch
// from the default MKT to generation 1, the retirement of the default, and
// generation 2, with the two-endpoint invariant checked after every action,
// loss and delivery (TwoEndpointSim), including segments under KeyID 0 that
// are reordered, duplicated or retransmitted during the hold-down.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/keys/two_endpoint_sim.hpp"

namespace aotls::keys::testing {
namespace {

using Strings = std::vector<std::string>;

constexpr MktParams kSha1{};
constexpr MktParams kCmac{false, crypto::MacAlgorithm::AesCmac128_96,
                          crypto::KdfAlgorithm::AesCmac128};
constexpr MktParams kCmacWithOptions{true, crypto::MacAlgorithm::AesCmac128_96,
                                     crypto::KdfAlgorithm::AesCmac128};

struct Announcements {
  const char* name;
  MktParams client;
  MktParams server;
};

class TwoEndpoint : public ::testing::TestWithParam<Announcements> {
 protected:
  TwoEndpoint() : sim_({GetParam().client, GetParam().server, Duration{200}}) {}

  Endpoint& client() { return sim_.endpoint(Side::Client); }
  Endpoint& server() { return sim_.endpoint(Side::Server); }

  // Sends one segment and checks the IDs it carries.
  std::uint64_t send_expecting(Side from, KeyId key_id, KeyId rnext) {
    const std::uint64_t number = sim_.send(from);
    const Segment* segment = sim_.peek(number);
    EXPECT_NE(segment, nullptr);
    if (segment != nullptr) {
      EXPECT_EQ(segment->key_id, key_id) << to_string(from) << " #" << number;
      EXPECT_EQ(segment->rnext_key_id, rnext) << to_string(from) << " #" << number;
    }
    return number;
  }

  void deliver_good(std::uint64_t number) {
    EXPECT_EQ(sim_.deliver(number), Verdict::Good) << "#" << number;
  }

  // TCP handshake and ClientHello under the default MKT. Returns the
  // ClientHello's number.
  std::uint64_t open_connection() {
    sim_.install_default_mkts();
    deliver_good(send_expecting(Side::Client, 0, 0));  // SYN
    deliver_good(send_expecting(Side::Server, 0, 0));  // SYN-ACK (the client checks it, 4.2)
    return send_expecting(Side::Client, 0, 0);         // ClientHello
  }

  // Profile section 3 step 1: derive and install, then the flight leaves
  // under KeyID 0 asking for c(1). Returns the flight's numbers.
  std::vector<std::uint64_t> server_flight() {
    sim_.derive(Side::Server, 1);
    EXPECT_EQ(server().machine.phase(), KeyPhase::Switching);
    return {send_expecting(Side::Server, 0, 1), send_expecting(Side::Server, 0, 1),
            send_expecting(Side::Server, 0, 1)};
  }

  // Profile section 3 step 2: the client installs, then its Finished
  // leaves under c(1) asking for s(1).
  std::uint64_t client_finished() {
    sim_.derive(Side::Client, 1);
    return send_expecting(Side::Client, 1, 2);
  }

  // Steady traffic both ways for `duration`, one segment each way per
  // 100 ms, with the clock (and so the machines' polls) moving between.
  void traffic(Duration duration, KeyId client_key = 1, KeyId server_key = 2) {
    for (Duration passed{0}; passed < duration; passed += Duration{100}) {
      deliver_good(send_expecting(Side::Client, client_key, 2));
      deliver_good(send_expecting(Side::Server, server_key, 1));
      sim_.advance(Duration{100});
    }
  }

  bool deleted_default(Side side) {
    const Strings& trace = sim_.endpoint(side).trace;
    return std::find(trace.begin(), trace.end(), "delete 0/0") != trace.end();
  }

  void expect_final_state() {
    EXPECT_EQ(client().trace,
              (Strings{"install 0/0", "install 1/1", "install 2/2", "current 1", "rnext 2",
                       "delete 0/0", "derive g=2", "install 3/3", "install 4/4"}));
    EXPECT_EQ(server().trace, (Strings{"install 0/0", "install 1/1", "install 2/2", "rnext 1",
                                       "delete 0/0", "derive g=2", "install 3/3", "install 4/4"}));
    for (Side side : {Side::Client, Side::Server}) {
      const Endpoint& ep = sim_.endpoint(side);
      std::set<KeyId> ids;
      for (const FakeKey& key : ep.socket.keys()) ids.insert(key.mkt.send_id);
      EXPECT_EQ(ids, (std::set<KeyId>{1, 2, 3, 4})) << to_string(side);
      EXPECT_EQ(ep.machine.phase(), KeyPhase::NextInstalled) << to_string(side);
      EXPECT_EQ(ep.socket.key_not_found(), 0U);
      for (const FakeKey& key : ep.socket.keys()) EXPECT_EQ(key.pkt_bad, 0U);
    }
    EXPECT_EQ(client().socket.current_key(), KeyId{1});
    EXPECT_EQ(client().socket.rnext_key(), KeyId{2});
    EXPECT_EQ(server().socket.current_key(), KeyId{2});
    EXPECT_EQ(server().socket.rnext_key(), KeyId{1});
    EXPECT_GT(sim_.invariant_checks(), 100U);
    EXPECT_EQ(sim_.invariant_failures(), 0U);
    EXPECT_TRUE(sim_.in_flight().empty());
  }

  TwoEndpointSim sim_;
};

TEST_P(TwoEndpoint, OpportunisticSwitchRetiresTheDefaultAndInstallsGeneration2) {
  deliver_good(open_connection());
  const auto flight = server_flight();
  for (std::uint64_t number : flight) deliver_good(number);
  // The flight asked for c(1), but the client holds no such send key yet.
  EXPECT_EQ(client().socket.current_key(), KeyId{0});
  deliver_good(client_finished());
  // Profile section 3 step 3: the server's stack switched by itself.
  EXPECT_EQ(server().socket.current_key(), KeyId{2});
  EXPECT_FALSE(deleted_default(Side::Client));
  EXPECT_FALSE(deleted_default(Side::Server));

  traffic(Duration{1900});
  EXPECT_FALSE(deleted_default(Side::Client)) << "hold-down is 2 s";
  EXPECT_FALSE(deleted_default(Side::Server));
  traffic(Duration{1000});
  expect_final_state();
}

// The flight is lost and retransmitted, the client's Finished is lost and
// retransmitted; old copies under KeyID 0 arrive late, reordered and
// duplicated, one of them asking the server to go back to the default
// (RNextKeyID 0). Everything verifies; each late KeyID 0 segment restarts
// the receiver's hold-down.
TEST_P(TwoEndpoint, LateDefaultSegmentsDuringTheHoldDownStillVerify) {
  const std::uint64_t client_hello = open_connection();
  sim_.duplicate(client_hello);  // a copy the network will deliver late
  deliver_good(client_hello);
  const auto flight = server_flight();
  sim_.duplicate(flight[2]);
  deliver_good(flight[0]);
  deliver_good(flight[1]);
  sim_.drop(flight[2]);
  // Retransmission under the key current when it leaves: still KeyID 0.
  deliver_good(send_expecting(Side::Server, 0, 1));
  sim_.drop(client_finished());
  sim_.advance(Duration{300});
  // The server, not yet asked for s(1), retransmits under the default.
  deliver_good(send_expecting(Side::Server, 0, 1));
  deliver_good(send_expecting(Side::Client, 1, 2));  // the Finished again
  EXPECT_EQ(server().socket.current_key(), KeyId{2});

  traffic(Duration{1000});
  // The duplicated flight segment, delayed ~1.3 s, arrives at the client.
  const TimePoint late_to_client = sim_.now();
  const std::uint64_t client_default_good = client().socket.find_by_recv_id(0)->pkt_good;
  deliver_good(flight[2]);
  EXPECT_EQ(client().socket.find_by_recv_id(0)->pkt_good, client_default_good + 1);

  traffic(Duration{300});
  // The stale ClientHello copy (RNextKeyID 0) sends the server back to
  // the default (RFC 5925 7.5.2); the client still holds it.
  deliver_good(client_hello);
  EXPECT_EQ(server().socket.current_key(), KeyId{0});
  deliver_good(send_expecting(Side::Server, 0, 1));
  // The client's next segment asks for s(1) again.
  deliver_good(send_expecting(Side::Client, 1, 2));
  EXPECT_EQ(server().socket.current_key(), KeyId{2});
  const TimePoint late_to_server = sim_.now();

  // Neither side deletes within 2 s of the last KeyID 0 it received.
  while (sim_.now() < late_to_client + Duration{1900}) traffic(Duration{100});
  EXPECT_FALSE(deleted_default(Side::Client));
  while (sim_.now() < late_to_server + Duration{1900}) traffic(Duration{100});
  EXPECT_FALSE(deleted_default(Side::Server));
  traffic(Duration{1000});
  expect_final_state();
}

// The client's Finished is lost again and again for 3 s while the server,
// its flight acknowledged, stays silent under the default. The client's
// count on the default stands still all that time, yet it must keep the
// key: the server has not been seen under s(1) and still sends under 0.
TEST_P(TwoEndpoint, ASilentServerKeepsTheClientOnTheDefault) {
  deliver_good(open_connection());
  for (std::uint64_t number : server_flight()) deliver_good(number);
  deliver_good(send_expecting(Side::Client, 0, 0));  // the kernel's ACK of the flight
  std::uint64_t finished = client_finished();
  for (int retransmission = 0; retransmission < 8; ++retransmission) {
    sim_.drop(finished);
    sim_.advance(Duration{400});
    finished = send_expecting(Side::Client, 1, 2);
  }
  EXPECT_FALSE(deleted_default(Side::Client));
  EXPECT_EQ(server().socket.current_key(), KeyId{0});
  deliver_good(finished);
  EXPECT_EQ(server().socket.current_key(), KeyId{2});
  traffic(Duration{2500});
  expect_final_state();
}

INSTANTIATE_TEST_SUITE_P(Announcements, TwoEndpoint,
                         ::testing::Values(Announcements{"Sha1Both", kSha1, kSha1},
                                           Announcements{"ClientSha1ServerCmac", kSha1, kCmac},
                                           Announcements{"ClientCmacOptionsServerSha1",
                                                         kCmacWithOptions, kSha1}),
                         [](const ::testing::TestParamInfo<Announcements>& param_info) {
                           return param_info.param.name;
                         });

// The invariant check is not vacuous: the two mistakes the profile's order
// and hold-down prevent are both caught.
TEST(TwoEndpointInvariant, CatchesADefaultDeletedWhileASegmentUnderItIsInFlight) {
  TwoEndpointSim sim({kSha1, kSha1, Duration{200}});
  sim.install_default_mkts();
  sim.derive(Side::Server, 1);
  const std::uint64_t flight = sim.send(Side::Server);
  sim.derive(Side::Client, 1);
  EXPECT_TRUE(sim.check_invariant().empty());
  // What deleting "as soon as current moved" would do to a receive key.
  ASSERT_FALSE(sim.endpoint(Side::Client).socket.del_key(0, 0));
  // Both the flight segment in flight and the server's next segment (the
  // server still sends under the default) now carry a KeyID nobody holds.
  const auto violations = sim.check_invariant();
  ASSERT_EQ(violations.size(), 2U);
  EXPECT_NE(
      violations[0].find("segment #" + std::to_string(flight) + " from server carries KeyID 0"),
      std::string::npos)
      << violations[0];
  EXPECT_NE(violations[1].find("the next segment from server carries KeyID 0"), std::string::npos)
      << violations[1];
  ASSERT_NE(sim.peek(flight), nullptr);
  EXPECT_EQ(sim.endpoint(Side::Client).socket.receive(*sim.peek(flight)), Verdict::KeyNotFound);
}

TEST(TwoEndpointInvariant, CatchesAServerThatForcesItsSendKeyEarly) {
  TwoEndpointSim sim({kSha1, kSha1, Duration{200}});
  sim.install_default_mkts();
  sim.derive(Side::Server, 1);
  ASSERT_FALSE(sim.endpoint(Side::Server).socket.set_current(2));
  const auto violations = sim.check_invariant();
  ASSERT_EQ(violations.size(), 1U);
  EXPECT_NE(violations[0].find("KeyID 2"), std::string::npos) << violations[0];
}

TEST(TwoEndpointInvariant, CatchesAReceiveKeyThePeerCanAskFor) {
  TwoEndpointSim sim({kSha1, kSha1, Duration{200}});
  sim.install_default_mkts();
  sim.derive(Side::Server, 1);  // the server now asks for RecvID c(1) = 1
  // A client receive key with a placeholder SendID of 1 (specs digest 7
  // item 4 style): the server's RNextKeyID 1 would make it a send key.
  auto receive = make_derived_mkt(Direction::ServerToClient, 1, kSha1,
                                  sim_secret(Direction::ServerToClient, 1));
  ASSERT_TRUE(receive);
  receive->send_id = 1;
  ASSERT_FALSE(sim.endpoint(Side::Client).socket.add_key(*receive));
  const auto violations = sim.check_invariant();
  ASSERT_EQ(violations.size(), 1U);
  EXPECT_NE(violations[0].find("receive key SendID 1"), std::string::npos) << violations[0];
}

}  // namespace
}  // namespace aotls::keys::testing
