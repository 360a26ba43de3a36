// Golden key log lines (AO-TLS profile section 6), written by hand from the
// profile's format and KeyID formulas (section 3).
#include "aotls/keylog/line.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace aotls::keylog {
namespace {

ClientRandom counting_random() {
  ClientRandom random{};
  for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<std::uint8_t>(i);
  return random;
}

crypto::Secret secret_from(std::uint8_t first, std::size_t len = 32) {
  std::vector<std::uint8_t> bytes(len);
  for (std::size_t i = 0; i < len; ++i) bytes[i] = static_cast<std::uint8_t>(first + i);
  return crypto::Secret(bytes);
}

const std::string kRandomHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const std::string kSecretHex = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

std::string line_text(tls::KeyGeneration g, tls::Direction direction,
                      const tls::Announcement& sender) {
  const ClientRandom random = counting_random();
  const crypto::Secret secret = secret_from(0xa0);
  auto line = format_key_log_line({random, g, direction, sender, secret});
  EXPECT_TRUE(line.has_value());
  return line ? std::string(line->text()) : std::string();
}

TEST(KeyLogLine, FirstGenerationClientToServerDefaultAnnouncement) {
  EXPECT_EQ(line_text(1, tls::Direction::ClientToServer, {}),
            "TCPAO " + kRandomHex + " 1 c2s 1 0 0 0 " + kSecretHex + "\n");
}

TEST(KeyLogLine, SecondGenerationServerToClientAesAndOptions) {
  tls::Announcement aes{tls::OptionProtection::Enabled, crypto::MacAlgorithm::AesCmac128_96,
                        crypto::KdfAlgorithm::AesCmac128};
  EXPECT_EQ(line_text(2, tls::Direction::ServerToClient, aes),
            "TCPAO " + kRandomHex + " 2 s2c 4 1 1 1 " + kSecretHex + "\n");
}

TEST(KeyLogLine, KeyIdsWrapAfter127Generations) {
  // c(128) = ((256 - 2) mod 254) + 1 = 1 and s(127) = (253 mod 254) + 1 = 254.
  EXPECT_EQ(line_text(128, tls::Direction::ClientToServer, {}),
            "TCPAO " + kRandomHex + " 128 c2s 1 0 0 0 " + kSecretHex + "\n");
  EXPECT_EQ(line_text(127, tls::Direction::ServerToClient, {}),
            "TCPAO " + kRandomHex + " 127 s2c 254 0 0 0 " + kSecretHex + "\n");
}

TEST(KeyLogLine, LargestGenerationIsDecimal) {
  // s(4294967295) = ((2^33 - 3) mod 254) + 1 = 29 + 1 = 30.
  EXPECT_EQ(line_text(4294967295u, tls::Direction::ServerToClient, {}),
            "TCPAO " + kRandomHex + " 4294967295 s2c 30 0 0 0 " + kSecretHex + "\n");
}

TEST(KeyLogLine, RefusesGenerationZero) {
  const ClientRandom random = counting_random();
  const crypto::Secret secret = secret_from(0);
  tls::Announcement sender;
  auto line = format_key_log_line({random, 0, tls::Direction::ClientToServer, sender, secret});
  ASSERT_FALSE(line.has_value());
  EXPECT_EQ(line.error(), KeyLogError::BadGeneration);
}

TEST(KeyLogLine, RefusesSecretsThatAreNot32Bytes) {
  const ClientRandom random = counting_random();
  tls::Announcement sender;
  for (std::size_t len : {0u, 16u, 31u, 33u}) {
    const crypto::Secret secret = secret_from(0, len);
    auto line = format_key_log_line({random, 1, tls::Direction::ClientToServer, sender, secret});
    ASSERT_FALSE(line.has_value()) << len;
    EXPECT_EQ(line.error(), KeyLogError::BadSecretLength);
  }
}

TEST(KeyLogLine, MovedFromLineIsEmpty) {
  const ClientRandom random = counting_random();
  const crypto::Secret secret = secret_from(0xa0);
  tls::Announcement sender;
  auto line = format_key_log_line({random, 1, tls::Direction::ClientToServer, sender, secret});
  ASSERT_TRUE(line.has_value());
  KeyLogLine moved(std::move(*line));
  EXPECT_TRUE(line->text().empty());
  EXPECT_NE(moved.text().find(kSecretHex), std::string::npos);
}

TEST(KeyLogLine, TheDefaultMktIsNeverLogged) {
  const ClientRandom random = counting_random();
  const crypto::Secret secret = secret_from(0xa0);
  tls::Announcement sender;
  auto line = format_key_log_line({random, 1, tls::Direction::Both, sender, secret});
  ASSERT_FALSE(line.has_value());
  EXPECT_EQ(line.error(), KeyLogError::BadDirection);
}

}  // namespace
}  // namespace aotls::keylog
