// Linux's key rules on a user-space key ring (specs digest 5.4/5.6).
#include "aotls/backend/userspace/key_ring.hpp"

#include <gtest/gtest.h>

#include "pair_fixture.hpp"

namespace aotls::backend::userspace::testing {
namespace {

constexpr PairParams kParams{};

class KeyRingRules : public ::testing::Test {
 protected:
  PeerPrefix peer = PeerPrefix::host(ip("192.0.2.2"));
  PeerPrefix other_peer = PeerPrefix::host(ip("192.0.2.3"));
  KeyRing ring{SocketRole::Connection};
};

TEST_F(KeyRingRules, StatusIsEnoentBeforeAnyKey) {
  EXPECT_EQ(ring.status().error(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(ring.key_counters().error(), std::errc::no_such_file_or_directory);
}

TEST_F(KeyRingRules, SameSendIdOrRecvIdForOverlappingPeerIsEexist) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 1, kParams, 1)));
  EXPECT_EQ(ring.add_key(peer, make_mkt(1, 5, kParams, 2)), std::errc::file_exists);
  EXPECT_EQ(ring.add_key(peer, make_mkt(5, 1, kParams, 2)), std::errc::file_exists);
  // A wildcard overlaps every peer.
  EXPECT_EQ(ring.add_key(PeerPrefix{ip("0.0.0.0"), 0}, make_mkt(1, 7, kParams, 2)),
            std::errc::file_exists);
  EXPECT_FALSE(ring.add_key(other_peer, make_mkt(1, 1, kParams, 3)));
  EXPECT_FALSE(ring.add_key(peer, make_mkt(2, 2, kParams, 4)));
  EXPECT_EQ(ring.key_counters()->size(), 3u);
}

TEST_F(KeyRingRules, BackendChecksComeFirst) {
  keys::Mkt mixed = make_mkt(1, 1, kParams, 1);
  mixed.params.kdf = crypto::KdfAlgorithm::AesCmac128;
  EXPECT_EQ(ring.add_key(peer, mixed), BackendErrc::UnsupportedAlgorithm);
  keys::Mkt empty = make_mkt(1, 1, kParams, 1);
  empty.secret = crypto::Secret{};
  EXPECT_EQ(ring.add_key(peer, empty), BackendErrc::BadKeyLength);
  keys::Mkt huge = make_mkt(1, 1, kParams, 1);
  huge.secret = crypto::Secret(std::vector<std::uint8_t>(81, 1));
  EXPECT_EQ(ring.add_key(peer, huge), BackendErrc::BadKeyLength);
  EXPECT_EQ(ring.add_key(PeerPrefix{ip("192.0.2.2"), 24}, make_mkt(1, 1, kParams, 1)),
            BackendErrc::BadPrefix);
  EXPECT_EQ(ring.status().error(), std::errc::no_such_file_or_directory);
}

TEST_F(KeyRingRules, SetCurrentAndRnextNeedAnExistingKey) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 2, kParams, 1)));
  EXPECT_EQ(ring.set_current(2), std::errc::no_such_file_or_directory);  // by SendID
  EXPECT_EQ(ring.set_rnext(1), std::errc::no_such_file_or_directory);    // by RecvID
  EXPECT_FALSE(ring.set_current(1));
  EXPECT_FALSE(ring.set_rnext(2));
  const auto status = ring.status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->current_key_id, 1);
  EXPECT_EQ(status->rnext_key_id, 2);
}

TEST_F(KeyRingRules, ListenerRefusesCurrentAndRnext) {
  KeyRing listener(SocketRole::Listener);
  ASSERT_FALSE(listener.add_key(peer, make_mkt(1, 1, kParams, 1)));
  EXPECT_EQ(listener.set_current(1), BackendErrc::ListeningSocket);
  EXPECT_EQ(listener.set_rnext(1), BackendErrc::ListeningSocket);
  EXPECT_EQ(listener.delete_key(peer, 1, 1, KeyReplacement{1, std::nullopt}),
            BackendErrc::ListeningSocket);
  EXPECT_FALSE(listener.delete_key(peer, 1, 1, {}));
}

TEST_F(KeyRingRules, DeleteIsEnoentForUnknownAndEbusyForCurrentOrRnext) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 1, kParams, 1)));
  ASSERT_FALSE(ring.add_key(peer, make_mkt(2, 2, kParams, 2)));
  ASSERT_FALSE(ring.add_key(peer, make_mkt(3, 3, kParams, 3)));
  ASSERT_FALSE(ring.set_current(1));
  ASSERT_FALSE(ring.set_rnext(2));
  EXPECT_EQ(ring.delete_key(peer, 1, 2, {}), std::errc::no_such_file_or_directory);
  EXPECT_EQ(ring.delete_key(other_peer, 3, 3, {}), std::errc::no_such_file_or_directory);
  EXPECT_EQ(ring.delete_key(peer, 1, 1, {}), std::errc::device_or_resource_busy);
  EXPECT_EQ(ring.delete_key(peer, 2, 2, {}), std::errc::device_or_resource_busy);
  EXPECT_FALSE(ring.delete_key(peer, 3, 3, {}));
  EXPECT_EQ(ring.key_counters()->size(), 2u);
}

TEST_F(KeyRingRules, ForcedDeleteMovesCurrentAndRnextInTheSameCall) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 1, kParams, 1)));
  ASSERT_FALSE(ring.add_key(peer, make_mkt(2, 2, kParams, 2)));
  ASSERT_FALSE(ring.set_current(1));
  ASSERT_FALSE(ring.set_rnext(1));
  EXPECT_EQ(ring.delete_key(peer, 1, 1, KeyReplacement{2, std::nullopt}),
            std::errc::device_or_resource_busy);
  EXPECT_EQ(ring.delete_key(peer, 1, 1, KeyReplacement{9, 2}),
            std::errc::no_such_file_or_directory);
  EXPECT_FALSE(ring.delete_key(peer, 1, 1, KeyReplacement{2, 2}));
  EXPECT_EQ(ring.status()->current_key_id, 2);
  EXPECT_EQ(ring.status()->rnext_key_id, 2);
}

TEST_F(KeyRingRules, CountersHaveTheProfileShape) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 2, kParams, 1)));
  ASSERT_FALSE(ring.set_current(1));
  ring.count_key_not_found();
  ring.count_ao_required_missing();
  ring.count_ao_required_missing();
  ring.count_icmp_ignored();
  const auto status = ring.status();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->key_not_found, 1u);
  EXPECT_EQ(status->ao_required_missing, 2u);
  EXPECT_EQ(status->icmp_ignored, 1u);
  const auto keys = ring.key_counters();
  ASSERT_TRUE(keys.has_value());
  ASSERT_EQ(keys->size(), 1u);
  const KeyCounters& k = keys->front();
  EXPECT_EQ(k.peer, peer);
  EXPECT_EQ(k.send_id, 1);
  EXPECT_EQ(k.recv_id, 2);
  EXPECT_EQ(k.mac, crypto::MacAlgorithm::HmacSha1_96);
  EXPECT_TRUE(k.is_current);
  EXPECT_FALSE(k.is_rnext);
  EXPECT_EQ(k.good, 0u);
  EXPECT_EQ(k.bad_mac, 0u);
}

TEST_F(KeyRingRules, DefaultSelectionIsTheNewestMatchingKey) {
  ASSERT_FALSE(ring.add_key(peer, make_mkt(1, 1, kParams, 1)));
  ASSERT_FALSE(ring.add_key(peer, make_mkt(2, 3, kParams, 2)));
  ASSERT_FALSE(ring.add_key(other_peer, make_mkt(4, 4, kParams, 3)));
  ring.default_selection(peer.address);
  EXPECT_EQ(ring.current_send_id(), 2);
  EXPECT_EQ(ring.rnext_recv_id(), 3);
}

}  // namespace
}  // namespace aotls::backend::userspace::testing
