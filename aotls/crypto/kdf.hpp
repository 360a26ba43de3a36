// aotls/crypto/kdf.hpp - TCP-AO traffic key derivation (RFC 5926 section 3.1.1).
//
//   traffic_key = PRF(K, i || Label || Context || Output_Length)
//
// with i = 0x01 (one iteration covers both KDFs' 160/128-bit outputs),
// Label = "TCP-AO" (6 bytes, no NUL), Output_Length in bits as 2 bytes
// big-endian. KDF_HMAC_SHA1: K = master key. KDF_AES_128_CMAC: K = master key
// when it is exactly 16 bytes, else K = AES-CMAC(0^128, master key).
// The Context (RFC 5925 section 5.2) is built by aotls/segment.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "aotls/crypto/algorithms.hpp"
#include "aotls/crypto/secret.hpp"
#include "common/expected.hpp"

namespace aotls::crypto {

// RFC 5926's KDF label. Not to be confused with the TLS exporter label
// "tcp-ao" (lower case, draft-piraux-tcp-ao-tls), a different constant owned
// by aotls/tls: the two differ only in case (profile section 2).
inline constexpr std::string_view kKdfLabel = "TCP-AO";

// Derives one traffic key; its length is the KDF's output (20 or 16 bytes).
// An empty master key is BadKeyLength.
common::Expected<Secret, CryptoError> derive_traffic_key(KdfAlgorithm kdf,
                                                         std::span<const std::uint8_t> master_key,
                                                         std::span<const std::uint8_t> context);

}  // namespace aotls::crypto
