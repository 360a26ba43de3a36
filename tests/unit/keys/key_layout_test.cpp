#include "aotls/keys/key_layout.hpp"

#include <gtest/gtest.h>

#include <set>

namespace aotls::keys {
namespace {

// Profile section 3: c(g) = ((2g - 2) mod 254) + 1, s(g) = ((2g - 1) mod 254) + 1,
// written out by hand for the first generations and around the wrap.
struct KeyIdRow {
  Generation g;
  KeyId c;
  KeyId s;
};
constexpr KeyIdRow kKeyIdTable[] = {
    {1, 1, 2},
    {2, 3, 4},
    {3, 5, 6},
    {4, 7, 8},
    {64, 127, 128},
    {126, 251, 252},
    {127, 253, 254},
    {128, 1, 2},
    {129, 3, 4},
    {254, 253, 254},
    {255, 1, 2},
    {1000, 221, 222},
    {0xFFFFFFFFU, 29, 30},
};

TEST(KeyLayout, KeyIdsFollowTheProfileFormulas) {
  for (const KeyIdRow& row : kKeyIdTable) {
    EXPECT_EQ(client_to_server_key_id(row.g), row.c) << "g=" << row.g;
    EXPECT_EQ(server_to_client_key_id(row.g), row.s) << "g=" << row.g;
    EXPECT_EQ(key_id(Direction::ClientToServer, row.g), row.c);
    EXPECT_EQ(key_id(Direction::ServerToClient, row.g), row.s);
  }
}

TEST(KeyLayout, GenerationZeroIsTheDefaultMkt) {
  EXPECT_EQ(client_to_server_key_id(0), kDefaultKeyId);
  EXPECT_EQ(server_to_client_key_id(0), kDefaultKeyId);
  EXPECT_EQ(key_id(Direction::Both, 5), kDefaultKeyId);
}

TEST(KeyLayout, DerivedKeyIdsAreNeverZeroOr255AndDirectionsNeverMeet) {
  std::set<KeyId> client_ids;
  std::set<KeyId> server_ids;
  for (Generation g = 1; g <= 600; ++g) {
    const KeyId c = client_to_server_key_id(g);
    const KeyId s = server_to_client_key_id(g);
    EXPECT_NE(c, kDefaultKeyId);
    EXPECT_NE(s, kDefaultKeyId);
    EXPECT_NE(c, kNeverUsedKeyId);
    EXPECT_NE(s, kNeverUsedKeyId);
    EXPECT_EQ(c % 2, 1) << "g=" << g;
    EXPECT_EQ(s % 2, 0) << "g=" << g;
    client_ids.insert(c);
    server_ids.insert(s);
  }
  EXPECT_EQ(client_ids.size(), 127U);  // every odd value 1..253
  EXPECT_EQ(server_ids.size(), 127U);  // every even value 2..254
}

// The key layout table of profile section 3, both sides.
TEST(KeyLayout, TableOfProfileSection3) {
  for (Generation g : {1U, 2U, 3U, 127U, 128U}) {
    const KeyLayout client = key_layout(Side::Client, g);
    const KeyLayout server = key_layout(Side::Server, g);
    EXPECT_EQ(client.send_key_id, client_to_server_key_id(g));
    EXPECT_EQ(client.receive_key_id, server_to_client_key_id(g));
    EXPECT_EQ(server.send_key_id, server_to_client_key_id(g));
    EXPECT_EQ(server.receive_key_id, client_to_server_key_id(g));
  }
  EXPECT_EQ(key_layout(Side::Client, 1).send_key_id, 1);
  EXPECT_EQ(key_layout(Side::Client, 1).receive_key_id, 2);
  EXPECT_EQ(key_layout(Side::Server, 1).send_key_id, 2);
  EXPECT_EQ(key_layout(Side::Server, 1).receive_key_id, 1);
}

TEST(KeyLayout, SidesAndDirections) {
  EXPECT_EQ(peer_of(Side::Client), Side::Server);
  EXPECT_EQ(peer_of(Side::Server), Side::Client);
  EXPECT_EQ(sending_direction(Side::Client), Direction::ClientToServer);
  EXPECT_EQ(receiving_direction(Side::Client), Direction::ServerToClient);
  EXPECT_EQ(sending_direction(Side::Server), Direction::ServerToClient);
  EXPECT_EQ(receiving_direction(Side::Server), Direction::ClientToServer);
  EXPECT_EQ(to_string(Direction::ClientToServer), "c2s");
  EXPECT_EQ(to_string(Direction::ServerToClient), "s2c");
  EXPECT_EQ(to_string(Side::Server), "server");
}

TEST(KeyLayout, AnyWindowOf127GenerationsHas254DistinctIds) {
  // What the key layout needs: default + g, g+1, g+2 installed at once never
  // reuse an ID; holds for the whole 127-generation cycle.
  for (Generation start : {1U, 100U, 127U, 128U, 250U}) {
    std::set<std::uint8_t> ids;
    for (Generation g = start; g < start + 127; ++g) {
      ids.insert(client_to_server_key_id(g));
      ids.insert(server_to_client_key_id(g));
    }
    EXPECT_EQ(ids.size(), 254U) << "start=" << start;
  }
}

}  // namespace
}  // namespace aotls::keys
