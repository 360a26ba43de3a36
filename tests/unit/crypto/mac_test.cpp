#include "aotls/crypto/mac.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/hex.hpp"

namespace aotls::crypto {
namespace {

using common::from_hex;
using common::to_hex;

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

std::string run(KeyedPrf& prf, const std::vector<std::vector<std::uint8_t>>& pieces,
                std::size_t out_len) {
  std::vector<std::uint8_t> out(out_len);
  prf.begin();
  for (const auto& piece : pieces) prf.update(piece);
  EXPECT_TRUE(prf.finish(out).has_value());
  return to_hex(out);
}

// RFC 2202 section 3, test case 2.
constexpr std::string_view kHmacSha1Case2 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
// RFC 4493 section 4, example 2 (16-byte message).
constexpr std::string_view kCmacKey = "2b7e151628aed2a6abf7158809cf4f3c";
constexpr std::string_view kCmacMessage = "6bc1bee22e409f96e93d7e117393172a";
constexpr std::string_view kCmacExample2 = "070a16b46b4d4144f79bdd9dd04a287c";

TEST(KeyedPrf, HmacSha1KnownAnswer) {
  auto prf = KeyedPrf::create(Prf::HmacSha1, bytes_of("Jefe"));
  ASSERT_TRUE(prf.has_value());
  EXPECT_EQ(prf->output_len(), 20U);
  EXPECT_EQ(run(*prf, {bytes_of("what do ya want for nothing?")}, 20), kHmacSha1Case2);
}

TEST(KeyedPrf, AesCmacKnownAnswer) {
  auto prf = KeyedPrf::create(Prf::AesCmac128, *from_hex(kCmacKey));
  ASSERT_TRUE(prf.has_value());
  EXPECT_EQ(prf->output_len(), 16U);
  EXPECT_EQ(run(*prf, {*from_hex(kCmacMessage)}, 16), kCmacExample2);
}

// begin() re-initialises the keyed context: repeated computations, piecewise
// input and clones all give the one-shot answer.
TEST(KeyedPrf, ReusePiecesAndClone) {
  auto prf = KeyedPrf::create(Prf::AesCmac128, *from_hex(kCmacKey));
  ASSERT_TRUE(prf.has_value());
  const auto message = *from_hex(kCmacMessage);
  const std::vector<std::uint8_t> head(message.begin(), message.begin() + 5);
  const std::vector<std::uint8_t> tail(message.begin() + 5, message.end());
  EXPECT_EQ(run(*prf, {head, tail}, 16), kCmacExample2);
  EXPECT_EQ(run(*prf, {message}, 16), kCmacExample2);
  auto clone = prf->clone();
  ASSERT_TRUE(clone.has_value());
  EXPECT_EQ(run(*clone, {{}, message, {}}, 16), kCmacExample2);

  auto hmac = KeyedPrf::create(Prf::HmacSha1, bytes_of("Jefe"));
  ASSERT_TRUE(hmac.has_value());
  const auto text = bytes_of("what do ya want for nothing?");
  hmac->begin();
  hmac->update(bytes_of("garbage left over from an abandoned computation"));
  EXPECT_EQ(run(*hmac, {text}, 20), kHmacSha1Case2);
  EXPECT_EQ(run(*hmac, {bytes_of("what do ya "), bytes_of("want for nothing?")}, 20),
            kHmacSha1Case2);
}

TEST(KeyedPrf, TruncatedOutputIsThePrefix) {
  auto prf = KeyedPrf::create(Prf::HmacSha1, bytes_of("Jefe"));
  ASSERT_TRUE(prf.has_value());
  EXPECT_EQ(run(*prf, {bytes_of("what do ya want for nothing?")}, 12),
            kHmacSha1Case2.substr(0, 24));
}

TEST(KeyedPrf, BadKeysAndOutputs) {
  EXPECT_EQ(KeyedPrf::create(Prf::HmacSha1, {}).error(), CryptoError::BadKeyLength);
  EXPECT_EQ(KeyedPrf::create(Prf::AesCmac128, {}).error(), CryptoError::BadKeyLength);
  EXPECT_EQ(KeyedPrf::create(Prf::AesCmac128, bytes_of("testvector")).error(),
            CryptoError::BadKeyLength);
  auto prf = KeyedPrf::create(Prf::AesCmac128, *from_hex(kCmacKey));
  ASSERT_TRUE(prf.has_value());
  std::vector<std::uint8_t> too_long(17);
  prf->begin();
  EXPECT_EQ(prf->finish(too_long).error(), CryptoError::BadOutputLength);
}

TEST(MacContext, Hmac96IsTruncatedHmacSha1) {
  const std::vector<std::uint8_t> key(20, 0x0b);  // RFC 2202 test case 1
  auto mac = MacContext::create(MacAlgorithm::HmacSha1_96, key);
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(mac->mac_len(), 12U);
  EXPECT_EQ(mac->algorithm(), MacAlgorithm::HmacSha1_96);
  std::vector<std::uint8_t> out(12);
  mac->begin();
  mac->update(bytes_of("Hi There"));
  ASSERT_TRUE(mac->finish(out).has_value());
  EXPECT_EQ(to_hex(out), std::string("b617318655057264e28bc0b6fb378c8ef146be00").substr(0, 24));
}

TEST(MacContext, Cmac96IsTruncatedAesCmac) {
  auto mac = MacContext::create(MacAlgorithm::AesCmac128_96, *from_hex(kCmacKey));
  ASSERT_TRUE(mac.has_value());
  auto copy = mac->clone();
  ASSERT_TRUE(copy.has_value());
  std::vector<std::uint8_t> out(12);
  copy->begin();
  copy->update(*from_hex(kCmacMessage));
  ASSERT_TRUE(copy->finish(out).has_value());
  EXPECT_EQ(to_hex(out), kCmacExample2.substr(0, 24));
}

TEST(MacContext, TrafficKeyMustMatchTheAlgorithm) {
  EXPECT_EQ(MacContext::create(MacAlgorithm::HmacSha1_96, std::vector<std::uint8_t>(16)).error(),
            CryptoError::BadKeyLength);
  EXPECT_EQ(MacContext::create(MacAlgorithm::AesCmac128_96, std::vector<std::uint8_t>(20)).error(),
            CryptoError::BadKeyLength);
  auto mac = MacContext::create(MacAlgorithm::AesCmac128_96, std::vector<std::uint8_t>(16, 1));
  ASSERT_TRUE(mac.has_value());
  std::vector<std::uint8_t> wrong(16);
  mac->begin();
  EXPECT_EQ(mac->finish(wrong).error(), CryptoError::BadOutputLength);
}

}  // namespace
}  // namespace aotls::crypto
