#include "aotls/crypto/kdf.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

#include "aotls/crypto/mac.hpp"

namespace aotls::crypto {
namespace {

constexpr std::size_t kAesKeyLen = 16;

// RFC 5926 3.1.1: KDF_AES_128_CMAC needs a 128-bit key; any other master key
// length is first reduced with AES-CMAC under the all-zero key.
common::Expected<void, CryptoError> aes_cmac_key(std::span<const std::uint8_t> master_key,
                                                 std::span<std::uint8_t, kAesKeyLen> out) {
  if (master_key.size() == kAesKeyLen) {
    std::copy(master_key.begin(), master_key.end(), out.begin());
    return {};
  }
  constexpr std::array<std::uint8_t, kAesKeyLen> kZeroKey{};
  auto prf = KeyedPrf::create(Prf::AesCmac128, kZeroKey);
  if (!prf) return common::Unexpected(prf.error());
  prf->begin();
  prf->update(master_key);
  return prf->finish(out);
}

common::Expected<Secret, CryptoError> run_prf(Prf prf_kind, std::span<const std::uint8_t> key,
                                              std::span<const std::uint8_t> context) {
  auto prf = KeyedPrf::create(prf_kind, key);
  if (!prf) return common::Unexpected(prf.error());
  const std::size_t bits = prf->output_len() * 8;
  const std::array<std::uint8_t, 1> counter{0x01};
  const std::array<std::uint8_t, 2> output_length{static_cast<std::uint8_t>(bits >> 8),
                                                  static_cast<std::uint8_t>(bits & 0xff)};
  const auto* label = reinterpret_cast<const std::uint8_t*>(kKdfLabel.data());
  prf->begin();
  prf->update(counter);
  prf->update({label, kKdfLabel.size()});
  prf->update(context);
  prf->update(output_length);
  std::array<std::uint8_t, kMaxPrfOutputLen> out{};
  const std::span<std::uint8_t> key_bytes(out.data(), prf->output_len());
  auto done = prf->finish(key_bytes);
  Secret traffic_key(key_bytes);
  OPENSSL_cleanse(out.data(), out.size());
  if (!done) return common::Unexpected(done.error());
  return traffic_key;
}

}  // namespace

common::Expected<Secret, CryptoError> derive_traffic_key(KdfAlgorithm kdf,
                                                         std::span<const std::uint8_t> master_key,
                                                         std::span<const std::uint8_t> context) {
  if (master_key.empty()) return common::Unexpected(CryptoError::BadKeyLength);
  const Prf prf = algorithm_row(kdf).prf;
  if (prf == Prf::HmacSha1) return run_prf(prf, master_key, context);

  std::array<std::uint8_t, kAesKeyLen> key{};
  auto reduced = aes_cmac_key(master_key, key);
  auto result = reduced
                    ? run_prf(prf, key, context)
                    : common::Expected<Secret, CryptoError>(common::Unexpected(reduced.error()));
  OPENSSL_cleanse(key.data(), key.size());
  return result;
}

}  // namespace aotls::crypto
