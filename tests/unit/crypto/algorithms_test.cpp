#include "aotls/crypto/algorithms.hpp"

#include <gtest/gtest.h>

namespace aotls::crypto {
namespace {

// Profile section 2: auth code 0 = HMAC-SHA-1-96, 1 = AES-128-CMAC-96; kdf
// code 0 = KDF_HMAC_SHA1, 1 = KDF_AES_128_CMAC.
TEST(Algorithms, WireCodesMapToEnums) {
  EXPECT_EQ(*mac_algorithm_from_code(0), MacAlgorithm::HmacSha1_96);
  EXPECT_EQ(*mac_algorithm_from_code(1), MacAlgorithm::AesCmac128_96);
  EXPECT_EQ(*kdf_algorithm_from_code(0), KdfAlgorithm::HmacSha1);
  EXPECT_EQ(*kdf_algorithm_from_code(1), KdfAlgorithm::AesCmac128);
}

TEST(Algorithms, UnknownCodesAreTypedErrors) {
  for (int code = 2; code <= 255; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    EXPECT_EQ(mac_algorithm_from_code(c).error(), CryptoError::UnknownMacAlgorithm) << code;
    EXPECT_EQ(kdf_algorithm_from_code(c).error(), CryptoError::UnknownKdfAlgorithm) << code;
  }
}

TEST(Algorithms, OnlyMatchingPairsAreAccepted) {
  EXPECT_TRUE(check_algorithm_pair(MacAlgorithm::HmacSha1_96, KdfAlgorithm::HmacSha1));
  EXPECT_TRUE(check_algorithm_pair(MacAlgorithm::AesCmac128_96, KdfAlgorithm::AesCmac128));
  EXPECT_EQ(check_algorithm_pair(MacAlgorithm::HmacSha1_96, KdfAlgorithm::AesCmac128).error(),
            CryptoError::MixedAlgorithms);
  EXPECT_EQ(check_algorithm_pair(MacAlgorithm::AesCmac128_96, KdfAlgorithm::HmacSha1).error(),
            CryptoError::MixedAlgorithms);
}

TEST(Algorithms, TableRows) {
  EXPECT_EQ(algorithm_row(MacAlgorithm::HmacSha1_96).mac_name, "HMAC-SHA-1-96");
  EXPECT_EQ(algorithm_row(KdfAlgorithm::AesCmac128).kdf_name, "KDF_AES_128_CMAC");
  EXPECT_EQ(algorithm_row(MacAlgorithm::HmacSha1_96).prf_output_len, 20U);
  EXPECT_EQ(algorithm_row(MacAlgorithm::AesCmac128_96).prf_output_len, 16U);
  for (const auto& row : kAlgorithmTable) EXPECT_EQ(row.mac_len, 12U);
}

TEST(Algorithms, ErrorsHaveNames) {
  EXPECT_EQ(to_string(CryptoError::MixedAlgorithms),
            "MAC and KDF algorithms do not form a supported pair");
  EXPECT_EQ(to_string(CryptoError::BadKeyLength), "bad key length");
}

}  // namespace
}  // namespace aotls::crypto
