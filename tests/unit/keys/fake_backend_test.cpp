// The fake must keep Linux's rules, or the machine's tests prove nothing:
// each rule is checked here on its own, before the fake is trusted.
#include "tests/unit/keys/fake_backend.hpp"

#include <gtest/gtest.h>

#include "tests/unit/keys/two_endpoint_sim.hpp"

namespace aotls::keys::testing {
namespace {

Mkt derived(Direction direction, Generation g, MktParams params = {}) {
  auto mkt = make_derived_mkt(direction, g, params, sim_secret(direction, g));
  EXPECT_TRUE(mkt);
  return std::move(*mkt);
}

Mkt with_ids(Mkt mkt, KeyId send_id, KeyId recv_id) {
  mkt.send_id = send_id;
  mkt.recv_id = recv_id;
  return mkt;
}

const std::error_code kExists = std::make_error_code(std::errc::file_exists);
const std::error_code kNoEntry = std::make_error_code(std::errc::no_such_file_or_directory);
const std::error_code kBusy = std::make_error_code(std::errc::device_or_resource_busy);

TEST(FakeAoSocket, FirstKeyBecomesCurrentAndRNext) {
  FakeAoSocket socket;
  EXPECT_FALSE(socket.current_key());
  ASSERT_FALSE(socket.add_key(make_default_mkt()));
  EXPECT_EQ(socket.current_key(), KeyId{0});
  EXPECT_EQ(socket.rnext_key(), KeyId{0});
  ASSERT_FALSE(socket.add_key(derived(Direction::ClientToServer, 1)));
  EXPECT_EQ(socket.current_key(), KeyId{0});
}

TEST(FakeAoSocket, RefusesASecondKeyWithTheSameSendIdOrRecvId) {
  FakeAoSocket socket;
  ASSERT_FALSE(socket.add_key(with_ids(derived(Direction::ClientToServer, 1), 7, 9)));
  EXPECT_EQ(socket.add_key(with_ids(derived(Direction::ClientToServer, 2), 7, 10)), kExists);
  EXPECT_EQ(socket.add_key(with_ids(derived(Direction::ClientToServer, 2), 8, 9)), kExists);
  EXPECT_FALSE(socket.add_key(with_ids(derived(Direction::ClientToServer, 2), 8, 10)));
  EXPECT_EQ(socket.keys().size(), 2U);
}

TEST(FakeAoSocket, CurrentAndRNextMustNameInstalledKeys) {
  FakeAoSocket socket;
  ASSERT_FALSE(socket.add_key(with_ids(derived(Direction::ClientToServer, 1), 7, 9)));
  EXPECT_EQ(socket.set_current(9), kNoEntry);  // by SendID, not RecvID
  EXPECT_EQ(socket.set_rnext(7), kNoEntry);    // by RecvID, not SendID
  EXPECT_FALSE(socket.set_current(7));
  EXPECT_FALSE(socket.set_rnext(9));
}

TEST(FakeAoSocket, RefusesToDeleteTheCurrentOrRNextKey) {
  FakeAoSocket socket;
  ASSERT_FALSE(socket.add_key(make_default_mkt()));
  ASSERT_FALSE(socket.add_key(derived(Direction::ClientToServer, 1)));
  ASSERT_FALSE(socket.add_key(derived(Direction::ServerToClient, 1)));
  EXPECT_EQ(socket.del_key(0, 0), kBusy);  // current and rnext
  ASSERT_FALSE(socket.set_current(1));
  EXPECT_EQ(socket.del_key(0, 0), kBusy);  // still rnext
  ASSERT_FALSE(socket.set_rnext(2));
  EXPECT_EQ(socket.del_key(1, 1), kBusy);  // now current
  EXPECT_EQ(socket.del_key(0, 1), kNoEntry);
  EXPECT_FALSE(socket.del_key(0, 0));
  EXPECT_EQ(socket.keys().size(), 2U);
  EXPECT_EQ(socket.del_key(0, 0), kNoEntry);
}

TEST(FakeAoSocket, VerifiesByRecvIdAndCountsPerKey) {
  FakeAoSocket client;
  FakeAoSocket server;
  ASSERT_FALSE(client.add_key(make_default_mkt()));
  ASSERT_FALSE(server.add_key(make_default_mkt()));
  const auto segment = client.send(1, Side::Client);
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->key_id, 0);
  EXPECT_EQ(segment->rnext_key_id, 0);
  EXPECT_EQ(server.receive(*segment), Verdict::Good);
  EXPECT_EQ(server.keys()[0].pkt_good, 1U);

  Segment forged = *segment;
  forged.number = 2;  // covered by the MAC
  EXPECT_EQ(server.receive(forged), Verdict::BadMac);
  EXPECT_EQ(server.keys()[0].pkt_bad, 1U);

  Segment unknown = *segment;
  unknown.key_id = 9;
  EXPECT_EQ(server.receive(unknown), Verdict::KeyNotFound);
  EXPECT_EQ(server.key_not_found(), 1U);
}

TEST(FakeAoSocket, DifferentSecretOrAlgorithmDoesNotVerify) {
  FakeAoSocket client;
  FakeAoSocket server;
  ASSERT_FALSE(client.add_key(derived(Direction::ClientToServer, 1)));
  Mkt other_secret = derived(Direction::ClientToServer, 2);
  ASSERT_FALSE(server.add_key(with_ids(std::move(other_secret), 1, 1)));
  const auto segment = client.send(1, Side::Client);
  ASSERT_TRUE(segment);
  EXPECT_EQ(server.receive(*segment), Verdict::BadMac);

  FakeAoSocket cmac_server;
  const MktParams cmac{false, crypto::MacAlgorithm::AesCmac128_96,
                       crypto::KdfAlgorithm::AesCmac128};
  ASSERT_FALSE(cmac_server.add_key(derived(Direction::ClientToServer, 1, cmac)));
  EXPECT_EQ(cmac_server.receive(*segment), Verdict::BadMac);
}

// RFC 5925 section 7.5.2 as Linux applies it (profile section 3).
TEST(FakeAoSocket, GoodSegmentRNextKeyIdSelectsTheSendKey) {
  FakeAoSocket client;
  FakeAoSocket server;
  for (FakeAoSocket* socket : {&client, &server}) {
    ASSERT_FALSE(socket->add_key(make_default_mkt()));
    ASSERT_FALSE(socket->add_key(derived(Direction::ClientToServer, 1)));
    ASSERT_FALSE(socket->add_key(derived(Direction::ServerToClient, 1)));
  }
  ASSERT_FALSE(client.set_rnext(2));
  auto segment = client.send(1, Side::Client);
  ASSERT_TRUE(segment);
  EXPECT_EQ(segment->rnext_key_id, 2);
  EXPECT_EQ(server.receive(*segment), Verdict::Good);
  EXPECT_EQ(server.current_key(), KeyId{2});

  // A bad segment never moves Current_key.
  ASSERT_FALSE(client.set_rnext(0));
  segment = client.send(2, Side::Client);
  ASSERT_TRUE(segment);
  segment->mac[0] ^= 1;
  EXPECT_EQ(server.receive(*segment), Verdict::BadMac);
  EXPECT_EQ(server.current_key(), KeyId{2});
  // A good one asking for 0 moves it back ("backing up", RFC 5925 6.1).
  segment = client.send(3, Side::Client);
  ASSERT_TRUE(segment);
  EXPECT_EQ(server.receive(*segment), Verdict::Good);
  EXPECT_EQ(server.current_key(), KeyId{0});
  // An RNextKeyID that names no send key of the receiver changes nothing.
  ASSERT_FALSE(client.add_key(with_ids(derived(Direction::ServerToClient, 5), 80, 77)));
  ASSERT_FALSE(client.set_rnext(77));
  segment = client.send(4, Side::Client);
  ASSERT_TRUE(segment);
  EXPECT_EQ(server.receive(*segment), Verdict::Good);
  EXPECT_EQ(server.current_key(), KeyId{0});
}

// Profile section 3: "A unit test installs default + g + g+1 + g+2 into a
// fake that enforces EEXIST and the RNext lookup, on both sides."
TEST(FakeAoSocket, DefaultAndThreeGenerationsFitOnBothSides) {
  for (Generation g : {1U, 2U, 100U, 125U, 126U, 127U, 128U, 253U, 0xFFFFFFFDU}) {
    FakeAoSocket client;
    FakeAoSocket server;
    for (Side side : {Side::Client, Side::Server}) {
      FakeAoSocket& socket = side == Side::Client ? client : server;
      ASSERT_FALSE(socket.add_key(make_default_mkt()));
      for (Generation step = 0; step < 3; ++step) {
        for (Direction direction : {sending_direction(side), receiving_direction(side)}) {
          EXPECT_FALSE(socket.add_key(derived(direction, g + step)))
              << to_string(side) << " g=" << g << " + " << step << " " << to_string(direction);
        }
      }
      EXPECT_EQ(socket.keys().size(), 7U);
    }
    // The RNext lookup: whatever receive key of g..g+2 (or the default)
    // one side asks for, the other switches to the matching send key,
    // and a segment under it verifies.
    std::uint64_t number = 1;
    for (Side asking : {Side::Client, Side::Server}) {
      FakeAoSocket& asker = asking == Side::Client ? client : server;
      FakeAoSocket& other = asking == Side::Client ? server : client;
      for (Generation n : {g, g + 1, g + 2, kDefaultGeneration}) {
        const KeyId wanted = key_id(sending_direction(peer_of(asking)), n);
        ASSERT_FALSE(asker.set_rnext(wanted));
        const auto request = asker.send(number++, asking);
        ASSERT_TRUE(request);
        ASSERT_EQ(other.receive(*request), Verdict::Good);
        EXPECT_EQ(other.current_key(), wanted) << "g=" << g << " n=" << n;
        const auto reply = other.send(number++, peer_of(asking));
        ASSERT_TRUE(reply);
        EXPECT_EQ(reply->key_id, wanted);
        EXPECT_EQ(asker.receive(*reply), Verdict::Good);
      }
    }
  }
}

// The fake is strict enough to catch a layout Linux refuses: if both
// directions of a generation used the same KeyID (the draft lets each
// receiver pick its KeyID independently), a side's two keys collide.
TEST(FakeAoSocket, CatchesBothDirectionsSharingOneKeyId) {
  FakeAoSocket socket;
  ASSERT_FALSE(socket.add_key(make_default_mkt()));
  ASSERT_FALSE(socket.add_key(with_ids(derived(Direction::ClientToServer, 1), 1, 1)));
  EXPECT_EQ(socket.add_key(with_ids(derived(Direction::ServerToClient, 1), 1, 1)), kExists);
}

}  // namespace
}  // namespace aotls::keys::testing
