// aotls/crypto/mac.hpp - pre-keyed PRF and TCP-AO MAC contexts (RFC 5926 3.2).
//
// Built for the per-segment hot path: the EVP_MAC algorithm is fetched once
// per process, a context is keyed once per key, and each computation
// re-initialises that keyed context in place (EVP_MAC_init with a NULL key
// keeps the key: no allocation, no re-keying). Input arrives in update()
// pieces, so callers never copy a payload into a contiguous buffer.
//
// A context is not thread-safe; give each thread its own (clone()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "aotls/crypto/algorithms.hpp"
#include "common/expected.hpp"

struct evp_mac_ctx_st;

namespace aotls::crypto {

class KeyedPrf {
 public:
  // HMAC-SHA1 accepts any key length; AES-128-CMAC only 16 bytes.
  static common::Expected<KeyedPrf, CryptoError> create(Prf prf, std::span<const std::uint8_t> key);

  KeyedPrf(const KeyedPrf&) = delete;
  KeyedPrf& operator=(const KeyedPrf&) = delete;
  KeyedPrf(KeyedPrf&& other) noexcept;
  KeyedPrf& operator=(KeyedPrf&& other) noexcept;
  ~KeyedPrf();

  common::Expected<KeyedPrf, CryptoError> clone() const;

  Prf prf() const { return prf_; }
  std::size_t output_len() const { return output_len_; }

  // One computation: begin(), any number of update(), finish(). A failure
  // inside update() is latched and reported by finish().
  void begin();
  void update(std::span<const std::uint8_t> piece);
  // Writes the first out.size() bytes of the PRF output (out.size() must not
  // exceed output_len(); a shorter out is the RFC 5926 3.2 truncation).
  common::Expected<void, CryptoError> finish(std::span<std::uint8_t> out);

 private:
  KeyedPrf(Prf prf, evp_mac_ctx_st* ctx, std::size_t output_len)
      : prf_(prf), ctx_(ctx), output_len_(output_len) {}

  Prf prf_;
  evp_mac_ctx_st* ctx_;
  std::size_t output_len_;
  bool failed_ = false;
};

// The TCP-AO MAC keyed with one traffic key: HMAC-SHA-1-96 or AES-128-CMAC-96.
class MacContext {
 public:
  // The traffic key must be the KDF's output length (20 bytes for
  // HMAC-SHA-1-96, 16 for AES-128-CMAC-96), else BadKeyLength.
  static common::Expected<MacContext, CryptoError> create(
      MacAlgorithm algorithm, std::span<const std::uint8_t> traffic_key);

  common::Expected<MacContext, CryptoError> clone() const;

  MacAlgorithm algorithm() const { return algorithm_; }
  std::size_t mac_len() const { return algorithm_row(algorithm_).mac_len; }

  void begin() { prf_.begin(); }
  void update(std::span<const std::uint8_t> piece) { prf_.update(piece); }
  // out.size() must equal mac_len().
  common::Expected<void, CryptoError> finish(std::span<std::uint8_t> out);

 private:
  MacContext(MacAlgorithm algorithm, KeyedPrf prf) : algorithm_(algorithm), prf_(std::move(prf)) {}

  MacAlgorithm algorithm_;
  KeyedPrf prf_;
};

}  // namespace aotls::crypto
