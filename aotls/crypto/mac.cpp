#include "aotls/crypto/mac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <utility>

namespace aotls::crypto {
namespace {

// Fetched once per process and never freed: fetching is the expensive part of
// EVP_MAC (a provider lookup), so no per-key or per-segment fetch happens.
EVP_MAC* fetched_mac(Prf prf) {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  static EVP_MAC* const cmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_CMAC, nullptr);
  return prf == Prf::HmacSha1 ? hmac : cmac;
}

std::size_t prf_output_len(Prf prf) {
  for (const AlgorithmRow& row : kAlgorithmTable) {
    if (row.prf == prf) return row.prf_output_len;
  }
  return kMaxPrfOutputLen;  // unreachable: every Prf has a row
}

}  // namespace

common::Expected<KeyedPrf, CryptoError> KeyedPrf::create(Prf prf,
                                                         std::span<const std::uint8_t> key) {
  // An empty key would reach EVP_MAC_init as NULL, which means "keep the
  // current key" there; an empty MKT is meaningless anyway.
  if (key.empty() || (prf == Prf::AesCmac128 && key.size() != 16)) {
    return common::Unexpected(CryptoError::BadKeyLength);
  }
  EVP_MAC* mac = fetched_mac(prf);
  if (mac == nullptr) return common::Unexpected(CryptoError::OpenSslFailure);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  if (ctx == nullptr) return common::Unexpected(CryptoError::OpenSslFailure);

  char sha1[] = "SHA1";
  char aes[] = "AES-128-CBC";
  const std::array<OSSL_PARAM, 2> params{
      prf == Prf::HmacSha1 ? OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha1, 0)
                           : OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, aes, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, key.data(), key.size(), params.data()) != 1) {
    EVP_MAC_CTX_free(ctx);
    return common::Unexpected(CryptoError::OpenSslFailure);
  }
  return KeyedPrf(prf, ctx, prf_output_len(prf));
}

KeyedPrf::KeyedPrf(KeyedPrf&& other) noexcept
    : prf_(other.prf_),
      ctx_(std::exchange(other.ctx_, nullptr)),
      output_len_(other.output_len_),
      failed_(other.failed_) {}

KeyedPrf& KeyedPrf::operator=(KeyedPrf&& other) noexcept {
  if (this != &other) {
    EVP_MAC_CTX_free(ctx_);
    prf_ = other.prf_;
    ctx_ = std::exchange(other.ctx_, nullptr);
    output_len_ = other.output_len_;
    failed_ = other.failed_;
  }
  return *this;
}

// EVP_MAC_CTX_free cleanses the key material held by the provider context.
KeyedPrf::~KeyedPrf() {
  EVP_MAC_CTX_free(ctx_);
}

common::Expected<KeyedPrf, CryptoError> KeyedPrf::clone() const {
  EVP_MAC_CTX* copy = EVP_MAC_CTX_dup(ctx_);
  if (copy == nullptr) return common::Unexpected(CryptoError::OpenSslFailure);
  return KeyedPrf(prf_, copy, output_len_);
}

void KeyedPrf::begin() {
  // NULL key: the provider resets to the state right after keying (HMAC
  // keeps its precomputed inner/outer pads, CMAC its subkeys).
  failed_ = EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1;
}

void KeyedPrf::update(std::span<const std::uint8_t> piece) {
  if (!piece.empty() && EVP_MAC_update(ctx_, piece.data(), piece.size()) != 1) failed_ = true;
}

common::Expected<void, CryptoError> KeyedPrf::finish(std::span<std::uint8_t> out) {
  std::array<std::uint8_t, kMaxPrfOutputLen> full{};
  std::size_t written = 0;
  if (out.size() > output_len_) return common::Unexpected(CryptoError::BadOutputLength);
  const bool ok = !failed_ && EVP_MAC_final(ctx_, full.data(), &written, full.size()) == 1 &&
                  written == output_len_;
  if (ok) std::copy_n(full.begin(), out.size(), out.begin());
  OPENSSL_cleanse(full.data(), full.size());
  if (!ok) return common::Unexpected(CryptoError::OpenSslFailure);
  return {};
}

common::Expected<MacContext, CryptoError> MacContext::create(
    MacAlgorithm algorithm, std::span<const std::uint8_t> traffic_key) {
  const AlgorithmRow& row = algorithm_row(algorithm);
  if (traffic_key.size() != row.prf_output_len) {
    return common::Unexpected(CryptoError::BadKeyLength);
  }
  auto prf = KeyedPrf::create(row.prf, traffic_key);
  if (!prf) return common::Unexpected(prf.error());
  return MacContext(algorithm, std::move(*prf));
}

common::Expected<MacContext, CryptoError> MacContext::clone() const {
  auto prf = prf_.clone();
  if (!prf) return common::Unexpected(prf.error());
  return MacContext(algorithm_, std::move(*prf));
}

common::Expected<void, CryptoError> MacContext::finish(std::span<std::uint8_t> out) {
  if (out.size() != mac_len()) return common::Unexpected(CryptoError::BadOutputLength);
  return prf_.finish(out);
}

}  // namespace aotls::crypto
