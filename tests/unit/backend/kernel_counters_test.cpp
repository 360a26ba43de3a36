// tests/unit/backend/kernel_counters_test.cpp - counters and key state read
// back through TCP_AO_INFO and TCP_AO_GET_KEYS (profile section 5 shape).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "tests/unit/backend/test_support.hpp"

namespace aotls::backend::testing {
namespace {

using crypto::MacAlgorithm;

const KeyCounters* find_key(const std::vector<KeyCounters>& keys, keys::KeyId send_id) {
  const auto it = std::find_if(keys.begin(), keys.end(),
                               [&](const KeyCounters& key) { return key.send_id == send_id; });
  return it == keys.end() ? nullptr : &*it;
}

TEST_F(KernelSocketTest, StatusReportsConnectionCountersAndKeyIds) {
  auto& socket = attach(AF_INET, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(2, 1)));
  ASSERT_FALSE(socket.set_rnext(1));
  fake().ao->pkt_key_not_found = 3;
  fake().ao->pkt_ao_required = 4;
  fake().ao->pkt_dropped_icmp = 5;

  const auto status = socket.status();
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_EQ(status->key_not_found, 3U);
  EXPECT_EQ(status->ao_required_missing, 4U);
  EXPECT_EQ(status->icmp_ignored, 5U);
  EXPECT_EQ(status->current_key_id, std::optional<keys::KeyId>(0));
  EXPECT_EQ(status->rnext_key_id, std::optional<keys::KeyId>(1));

  const RecordedCall& call = last_call();
  EXPECT_FALSE(call.is_set);
  EXPECT_EQ(call.name, 40);
  EXPECT_EQ(call.optlen, 48U);
  EXPECT_TRUE(std::all_of(call.bytes.begin(), call.bytes.end(), [](auto b) { return b == 0; }));
}

TEST_F(KernelSocketTest, StatusOfAClosedSocketWithKeysHasNoCurrentKeyYet) {
  auto& socket = attach(AF_INET, TcpState::Close);
  EXPECT_EQ(socket.status().error(), std::errc::no_such_file_or_directory);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  const auto status = socket.status();
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->current_key_id);
  EXPECT_FALSE(status->rnext_key_id);
}

TEST_F(KernelSocketTest, ListenerKeysHaveCountersButNoCurrentKey) {
  auto& socket = attach(AF_INET, TcpState::Listen, SocketRole::Listener);
  EXPECT_EQ(socket.key_counters().error(), std::errc::no_such_file_or_directory);
  ASSERT_FALSE(socket.add_key(PeerPrefix{ip("192.0.2.0"), 24}, make_mkt(0, 0)));
  const auto status = socket.status();
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->current_key_id);
  const auto keys = socket.key_counters();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1U);
  EXPECT_EQ(keys->front().peer, (PeerPrefix{ip("192.0.2.0"), 24}));
  EXPECT_FALSE(keys->front().is_current);
  EXPECT_FALSE(keys->front().is_rnext);
}

TEST_F(KernelSocketTest, KeyCountersListEveryKeyWithItsCountersAndRoles) {
  auto& socket = attach(AF_INET6, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("2001:db8::1"), make_mkt(1, 2, MacAlgorithm::AesCmac128_96, true,
                                                            std::vector<std::uint8_t>(16, 0xaa))));
  ASSERT_FALSE(socket.set_rnext(2));
  // Segments from the peer: two good under RecvID 0, one bad under 2, one
  // with an unknown KeyID.
  kernel_.receive(fd_, 0, 0, true);
  kernel_.receive(fd_, 0, 0, true);
  kernel_.receive(fd_, 2, 0, false);
  kernel_.receive(fd_, 7, 0, true);

  const auto keys = socket.key_counters();
  ASSERT_TRUE(keys) << keys.error().message();
  ASSERT_EQ(keys->size(), 2U);
  const KeyCounters* first = find_key(*keys, 0);
  const KeyCounters* second = find_key(*keys, 1);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);

  EXPECT_EQ(first->peer, host("192.0.2.1"));  // stored unmapped, as Linux does
  EXPECT_EQ(first->recv_id, 0);
  EXPECT_EQ(first->mac, MacAlgorithm::HmacSha1_96);
  EXPECT_FALSE(first->include_options);
  EXPECT_TRUE(first->is_current);
  EXPECT_FALSE(first->is_rnext);
  EXPECT_EQ(first->good, 2U);
  EXPECT_EQ(first->bad_mac, 0U);

  EXPECT_EQ(second->peer, host("2001:db8::1"));
  EXPECT_EQ(second->recv_id, 2);
  EXPECT_EQ(second->mac, MacAlgorithm::AesCmac128_96);  // reported as "cmac(aes)"
  EXPECT_TRUE(second->include_options);
  EXPECT_FALSE(second->is_current);
  EXPECT_TRUE(second->is_rnext);
  EXPECT_EQ(second->good, 0U);
  EXPECT_EQ(second->bad_mac, 1U);

  EXPECT_EQ(socket.status()->key_not_found, 1U);

  const RecordedCall& call = last_call();
  EXPECT_EQ(call.name, 40);  // status() above; the GET_KEYS call came before it
  const RecordedCall& get_keys = kernel_.calls()[kernel_.calls().size() - 2];
  EXPECT_EQ(get_keys.name, 41);
  EXPECT_EQ(get_keys.optlen, 304U);  // optlen is one element, not the array
  const std::span<const std::uint8_t> b(get_keys.bytes);
  EXPECT_EQ(read_u32(b, 272), 8U);  // nkeys in: the array capacity
  EXPECT_EQ(read_u16(b, 276), 4U);  // get_all
}

TEST_F(KernelSocketTest, KeyCountersGrowTheArrayWhenMoreKeysMatch) {
  auto& socket = attach(AF_INET, TcpState::Close);
  for (keys::KeyId id = 0; id < 11; ++id) {
    ASSERT_FALSE(
        socket.add_key(host("192.0.2.1"), make_mkt(id, static_cast<keys::KeyId>(id + 100))));
  }
  const auto keys = socket.key_counters();
  ASSERT_TRUE(keys) << keys.error().message();
  ASSERT_EQ(keys->size(), 11U);
  for (keys::KeyId id = 0; id < 11; ++id) {
    const KeyCounters* key = find_key(*keys, id);
    ASSERT_NE(key, nullptr) << int{id};
    EXPECT_EQ(key->recv_id, id + 100);
  }
  EXPECT_EQ(read_u32(kernel_.calls().back().bytes, 272), 11U);  // second try: capacity 11
}

TEST_F(KernelSocketTest, CurrentKeyFollowsThePeersRnextKeyId) {
  auto& socket = attach(AF_INET, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  EXPECT_EQ(socket.status()->current_key_id, std::optional<keys::KeyId>(0));
  kernel_.receive(fd_, 0, 1, true);  // the peer asks for our SendID 1 (RFC 5925 7.5.2.e)
  EXPECT_EQ(socket.status()->current_key_id, std::optional<keys::KeyId>(1));
}

TEST_F(KernelSocketTest, PollAnswersTheKeyMachine) {
  auto& socket = attach(AF_INET, TcpState::Established);
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(0, 0)));
  ASSERT_FALSE(socket.add_key(host("192.0.2.1"), make_mkt(1, 2)));
  kernel_.receive(fd_, 2, 0, true);
  const keys::TimePoint now{std::chrono::seconds(42)};
  const auto polled = poll(socket, now, keys::Duration(300));
  ASSERT_TRUE(polled);
  EXPECT_EQ(polled->now, now);
  EXPECT_EQ(polled->rto, keys::Duration(300));
  EXPECT_EQ(polled->current_key, std::optional<keys::KeyId>(0));
  EXPECT_EQ(polled->rnext_key, std::optional<keys::KeyId>(0));
  ASSERT_EQ(polled->keys.size(), 2U);
  for (const auto& key : polled->keys) {
    EXPECT_EQ(key.pkt_good, key.send_id == 1 ? 1U : 0U) << int{key.send_id};
  }
}

TEST_F(KernelSocketTest, PollPassesBackendErrorsOn) {
  auto& socket = attach(AF_INET, TcpState::Established);
  const auto polled = poll(socket, keys::TimePoint{}, keys::Duration(1000));
  ASSERT_FALSE(polled);
  EXPECT_EQ(polled.error(), std::errc::no_such_file_or_directory);
}

}  // namespace
}  // namespace aotls::backend::testing
