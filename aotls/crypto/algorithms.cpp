#include "aotls/crypto/algorithms.hpp"

namespace aotls::crypto {

std::string_view to_string(CryptoError error) {
  switch (error) {
    case CryptoError::UnknownMacAlgorithm:
      return "unknown MAC algorithm";
    case CryptoError::UnknownKdfAlgorithm:
      return "unknown KDF algorithm";
    case CryptoError::MixedAlgorithms:
      return "MAC and KDF algorithms do not form a supported pair";
    case CryptoError::BadKeyLength:
      return "bad key length";
    case CryptoError::BadOutputLength:
      return "bad output length";
    case CryptoError::OpenSslFailure:
      return "OpenSSL failure";
  }
  return "unknown crypto error";
}

const AlgorithmRow& algorithm_row(MacAlgorithm mac) {
  for (const AlgorithmRow& row : kAlgorithmTable) {
    if (row.mac == mac) return row;
  }
  return kAlgorithmTable.front();  // unreachable: every enumerator has a row
}

const AlgorithmRow& algorithm_row(KdfAlgorithm kdf) {
  for (const AlgorithmRow& row : kAlgorithmTable) {
    if (row.kdf == kdf) return row;
  }
  return kAlgorithmTable.front();  // unreachable: every enumerator has a row
}

common::Expected<MacAlgorithm, CryptoError> mac_algorithm_from_code(std::uint8_t code) {
  for (const AlgorithmRow& row : kAlgorithmTable) {
    if (static_cast<std::uint8_t>(row.mac) == code) return row.mac;
  }
  return common::Unexpected(CryptoError::UnknownMacAlgorithm);
}

common::Expected<KdfAlgorithm, CryptoError> kdf_algorithm_from_code(std::uint8_t code) {
  for (const AlgorithmRow& row : kAlgorithmTable) {
    if (static_cast<std::uint8_t>(row.kdf) == code) return row.kdf;
  }
  return common::Unexpected(CryptoError::UnknownKdfAlgorithm);
}

common::Expected<void, CryptoError> check_algorithm_pair(MacAlgorithm mac, KdfAlgorithm kdf) {
  if (algorithm_row(mac).kdf != kdf) return common::Unexpected(CryptoError::MixedAlgorithms);
  return {};
}

}  // namespace aotls::crypto
