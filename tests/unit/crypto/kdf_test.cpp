#include "aotls/crypto/kdf.hpp"

#include <gtest/gtest.h>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aotls/crypto/mac.hpp"
#include "common/hex.hpp"

namespace aotls::crypto {
namespace {

using common::from_hex;
using common::to_hex;

constexpr std::array<std::uint8_t, 10> kTestVector{'t', 'e', 's', 't', 'v',
                                                   'e', 'c', 't', 'o', 'r'};
// RFC 9235 section 4.1, client SYN: src, dst, ports, client ISN, 0.
constexpr std::string_view kSynContext = "0a0b0c0dac1b1c1de9d700b3fbfbab5a00000000";

// The KDF input of RFC 5926 3.1.1 as hex: 01 | "TCP-AO" | context | length in bits.
std::string kdf_input_hex(std::string_view context_hex, std::string_view bits_hex) {
  return std::string("015443502d414f").append(context_hex).append(bits_hex);
}

std::string prf_hex(Prf prf, std::span<const std::uint8_t> key, const std::string& input_hex) {
  auto keyed = KeyedPrf::create(prf, key);
  EXPECT_TRUE(keyed.has_value());
  std::vector<std::uint8_t> out(keyed->output_len());
  keyed->begin();
  keyed->update(*from_hex(input_hex));
  EXPECT_TRUE(keyed->finish(out).has_value());
  return to_hex(out);
}

TEST(Kdf, LabelIsUpperCaseTcpAo) {
  EXPECT_EQ(kKdfLabel, "TCP-AO");
}

// RFC 5926 3.1.1 input: 01 | "TCP-AO" | context | 00a0 (160 bits), checked
// against an HMAC-SHA1 computed over the literal bytes (specs digest 3.3).
TEST(Kdf, HmacSha1InputLayout) {
  auto key = derive_traffic_key(KdfAlgorithm::HmacSha1, kTestVector, *from_hex(kSynContext));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 20U);
  EXPECT_EQ(to_hex(key->bytes()),
            prf_hex(Prf::HmacSha1, kTestVector, kdf_input_hex(kSynContext, "00a0")));
  EXPECT_EQ(to_hex(key->bytes()), "6d63ef1b02fe1509d4b1402707fd7b0416abb74f");  // RFC 9235 4.1
}

// A master key that is not 16 bytes is first reduced to
// AES-CMAC(0^128, master key); for "testvector" that is b980...c807.
TEST(Kdf, AesCmacReducesOtherKeyLengths) {
  const auto reduced = *from_hex("b9807674931de4aa4069e5b77075c807");
  EXPECT_EQ(prf_hex(Prf::AesCmac128, std::vector<std::uint8_t>(16, 0), to_hex(kTestVector)),
            to_hex(reduced));
  auto from_long =
      derive_traffic_key(KdfAlgorithm::AesCmac128, kTestVector, *from_hex(kSynContext));
  auto from_reduced = derive_traffic_key(KdfAlgorithm::AesCmac128, reduced, *from_hex(kSynContext));
  ASSERT_TRUE(from_long.has_value());
  ASSERT_TRUE(from_reduced.has_value());
  EXPECT_EQ(from_long->size(), 16U);
  EXPECT_EQ(to_hex(from_long->bytes()), to_hex(from_reduced->bytes()));
}

// A 16-byte master key is used as it is (no reduction step).
TEST(Kdf, AesCmacUses16ByteKeyDirectly) {
  const std::vector<std::uint8_t> master(16, 0x42);
  auto key = derive_traffic_key(KdfAlgorithm::AesCmac128, master, *from_hex(kSynContext));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(to_hex(key->bytes()),
            prf_hex(Prf::AesCmac128, master, kdf_input_hex(kSynContext, "0080")));
}

TEST(Kdf, EmptyMasterKeyIsRejected) {
  EXPECT_EQ(derive_traffic_key(KdfAlgorithm::HmacSha1, {}, *from_hex(kSynContext)).error(),
            CryptoError::BadKeyLength);
  EXPECT_EQ(derive_traffic_key(KdfAlgorithm::AesCmac128, {}, *from_hex(kSynContext)).error(),
            CryptoError::BadKeyLength);
}

}  // namespace
}  // namespace aotls::crypto
