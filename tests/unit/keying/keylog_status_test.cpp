// The key log lines of profile section 6 for every derived MKT, and a
// status that never carries a secret.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "aotls/keylog/writer.hpp"
#include "common/hex.hpp"
#include "tests/unit/keying/test_support.hpp"

namespace aotls::keying::testing {
namespace {

using std::chrono::milliseconds;
using tls::test::Side;

std::string temp_path(const std::string& tag) {
  static int counter = 0;
  return ::testing::TempDir() + "keying_" + tag + "_" + std::to_string(::getpid()) + "_" +
         std::to_string(counter++) + ".log";
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct TempFile {
  std::string path;
  ~TempFile() { std::remove(path.c_str()); }
};

keylog::KeyLogWriter open_writer(const std::string& path) {
  auto writer = keylog::KeyLogWriter::open(path);
  EXPECT_TRUE(writer) << writer.error().message();
  if (!writer) std::abort();
  return std::move(*writer);
}

std::string client_random_hex(SSL* ssl) {
  std::vector<std::uint8_t> random(32);
  EXPECT_EQ(SSL_get_client_random(ssl, random.data(), random.size()), 32U);
  return common::to_hex(random);
}

std::string secret_hex(const keys::testing::FakeAoSocket& socket, keys::KeyId send_id) {
  return common::to_hex(secret_by_send_id(socket, send_id));
}

TEST(KeyLogAndStatus, EveryDerivedMktIsLoggedOnBothEnds) {
  TempFile client_file{temp_path("client")};
  TempFile server_file{temp_path("server")};
  keylog::KeyLogWriter client_log = open_writer(client_file.path);
  keylog::KeyLogWriter server_log = open_writer(server_file.path);
  KeyedPair p(client_setup(&client_log), server_setup(&server_log));
  ASSERT_TRUE(p.hs().run().both_finished());

  const auto& client = p.socket(Side::Client).fake();
  const std::string random = client_random_hex(p.ssl(Side::Server));
  // TCPAO <client_random> <g> <c2s|s2c> <keyid> <prot> <auth> <kdf> <secret>
  const std::vector<std::string> g1{
      "TCPAO " + random + " 1 c2s 1 0 0 0 " + secret_hex(client, 1),
      "TCPAO " + random + " 1 s2c 2 1 1 1 " + secret_hex(client, 2),
  };
  EXPECT_TRUE(lines_of(client_file.path) == g1);
  EXPECT_TRUE(lines_of(server_file.path) == g1);
  EXPECT_EQ(secret_hex(client, 1).size(), 64U);

  // Generation 2 is logged when the timer installs it.
  auto& c = p.socket(Side::Client).fake();
  auto& s = p.socket(Side::Server).fake();
  ASSERT_EQ(deliver(c, s, keys::Side::Client, 1), keys::testing::Verdict::Good);
  ASSERT_EQ(deliver(s, c, keys::Side::Server, 2), keys::testing::Verdict::Good);
  const auto t0 = p.now();
  ASSERT_TRUE(p.keying(Side::Client).tick(t0));
  ASSERT_TRUE(p.keying(Side::Client).tick(t0 + milliseconds(2000)));  // default retired
  ASSERT_TRUE(p.keying(Side::Client).tick(t0 + milliseconds(2100)));  // generation 2
  const auto lines = lines_of(client_file.path);
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_TRUE(lines[2] == "TCPAO " + random + " 2 c2s 3 0 0 0 " + secret_hex(client, 3));
  EXPECT_TRUE(lines[3] == "TCPAO " + random + " 2 s2c 4 1 1 1 " + secret_hex(client, 4));
}

TEST(KeyLogAndStatus, NoKeyLogWithoutWriter) {
  KeyedPair p(client_setup(), server_setup());
  ASSERT_TRUE(p.hs().run().both_finished());
  EXPECT_FALSE(p.keying(Side::Client).status(p.now()).last_error.has_value());
}

TEST(KeyLogAndStatus, StatusShowsKeysByIdAndNeverASecret) {
  KeyedPair p(client_setup(), server_setup());
  ASSERT_TRUE(p.hs().run().both_finished());
  auto& c = p.socket(Side::Client).fake();
  auto& s = p.socket(Side::Server).fake();
  ASSERT_EQ(deliver(c, s, keys::Side::Client, 1), keys::testing::Verdict::Good);
  ASSERT_EQ(deliver(s, c, keys::Side::Server, 2), keys::testing::Verdict::Good);
  const KeyingStatus status = p.keying(Side::Client).status(p.now() + milliseconds(250));
  EXPECT_EQ(status.state, "switching");
  EXPECT_EQ(status.generation, 1U);
  EXPECT_EQ(status.peer_announcement, kServerAnn);
  EXPECT_EQ(status.current_key_id, 1);
  EXPECT_EQ(status.rnext_key_id, 2);
  EXPECT_EQ(status.since_last_switch, milliseconds(250));
  ASSERT_EQ(status.keys.size(), 3U);
  EXPECT_EQ(status.keys[2].send_id, 2);
  EXPECT_EQ(status.keys[2].good, 1U);
  EXPECT_TRUE(status.keys[1].is_current);
  EXPECT_EQ(status.key_not_found, 0U);

  const std::string text = to_string(status);
  EXPECT_NE(text.find("state=switching g=1"), std::string::npos) << text;
  EXPECT_NE(text.find("current=1 rnext=2"), std::string::npos) << text;
  for (const keys::KeyId id : std::vector<keys::KeyId>{0, 1, 2}) {
    const std::string hex = secret_hex(c, id);
    ASSERT_FALSE(hex.empty());
    // Not the secret, nor its first 4 bytes.
    EXPECT_EQ(text.find(hex.substr(0, 8)), std::string::npos) << "key " << int{id};
  }
}

}  // namespace
}  // namespace aotls::keying::testing
