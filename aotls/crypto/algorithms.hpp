// aotls/crypto/algorithms.hpp - the TCP-AO algorithm table (RFC 5926).
//
// Numeric values of MacAlgorithm and KdfAlgorithm are the wire codes of the
// AO-TLS profile, section 2 ("auth code" and "kdf code"); codes from the wire
// enter only through mac_algorithm_from_code / kdf_algorithm_from_code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/expected.hpp"

namespace aotls::crypto {

enum class MacAlgorithm : std::uint8_t { HmacSha1_96 = 0, AesCmac128_96 = 1 };
enum class KdfAlgorithm : std::uint8_t { HmacSha1 = 0, AesCmac128 = 1 };

// The PRF under both a KDF and a MAC (RFC 5926 section 3.1.1 and 3.2).
enum class Prf : std::uint8_t { HmacSha1, AesCmac128 };

enum class CryptoError : std::uint8_t {
  UnknownMacAlgorithm,  // a wire code outside the profile's table
  UnknownKdfAlgorithm,
  MixedAlgorithms,  // e.g. HMAC-SHA-1-96 with KDF_AES_128_CMAC (profile section 2)
  BadKeyLength,     // traffic key of the wrong size, or an empty master key
  BadOutputLength,  // output buffer longer than the PRF output or not the MAC length
  OpenSslFailure,
};

std::string_view to_string(CryptoError error);

// Profile section 2, one row per supported pair. The MAC and the KDF of a row
// share their PRF; mixed pairs are refused.
struct AlgorithmRow {
  MacAlgorithm mac;
  KdfAlgorithm kdf;
  Prf prf;
  std::string_view mac_name;  // RFC 5926 names
  std::string_view kdf_name;
  std::size_t prf_output_len;  // bytes; also the traffic key length (RFC 5926 3.1.1)
  std::size_t mac_len;         // bytes after truncation to 96 bits (RFC 5926 3.2)
};

inline constexpr std::array<AlgorithmRow, 2> kAlgorithmTable{{
    {MacAlgorithm::HmacSha1_96, KdfAlgorithm::HmacSha1, Prf::HmacSha1, "HMAC-SHA-1-96",
     "KDF_HMAC_SHA1", 20, 12},
    {MacAlgorithm::AesCmac128_96, KdfAlgorithm::AesCmac128, Prf::AesCmac128, "AES-128-CMAC-96",
     "KDF_AES_128_CMAC", 16, 12},
}};

// Largest PRF output of the table (HMAC-SHA1's 160 bits).
inline constexpr std::size_t kMaxPrfOutputLen = 20;

const AlgorithmRow& algorithm_row(MacAlgorithm mac);
const AlgorithmRow& algorithm_row(KdfAlgorithm kdf);

common::Expected<MacAlgorithm, CryptoError> mac_algorithm_from_code(std::uint8_t code);
common::Expected<KdfAlgorithm, CryptoError> kdf_algorithm_from_code(std::uint8_t code);
// Accepts only a pair that is one row of kAlgorithmTable.
common::Expected<void, CryptoError> check_algorithm_pair(MacAlgorithm mac, KdfAlgorithm kdf);

}  // namespace aotls::crypto
