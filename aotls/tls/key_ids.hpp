// aotls/tls/key_ids.hpp - the KeyIDs of derived MKTs (AO-TLS profile
// section 3).
//
// draft-piraux-tcp-ao-tls lets each receiver pick its KeyID, but TLS does
// not carry the choice and Linux cannot report a received RNextKeyID, so the
// profile fixes them per key generation g (g = 1 is the first derived key):
//   client-to-server KeyID c(g) = ((2g - 2) mod 254) + 1   (1, 3, 5, ...)
//   server-to-client KeyID s(g) = ((2g - 1) mod 254) + 1   (2, 4, 6, ...)
// 0 is the default MKT's KeyID (draft section 4.2), 255 is never used. Both
// cycle with period 127 generations; the exporter context carries g itself
// from g = 2 on, so wrapped KeyIDs never reuse a secret. Pure.
#pragma once

#include <cstdint>

namespace aotls::tls {

using KeyGeneration = std::uint32_t;  // carried as 4 bytes in the exporter context

inline constexpr std::uint8_t kDefaultMktKeyId = 0;

// Direction of the segments an MKT protects.
enum class Direction : std::uint8_t { ClientToServer, ServerToClient };

namespace detail {
// ((2g - 2 + offset) mod 254) + 1 computed without unsigned wrap-around:
// -2 is 252 modulo 254. 64-bit so that 2g never overflows.
constexpr std::uint8_t cyclic_key_id(KeyGeneration g, std::uint64_t offset) {
  return static_cast<std::uint8_t>(((2 * static_cast<std::uint64_t>(g) + 252 + offset) % 254) + 1);
}
}  // namespace detail

// For g >= 1. (g = 0 names no generation; the formula's periodic value,
// c(0) = c(127), is returned rather than undefined behaviour.)
constexpr std::uint8_t client_key_id(KeyGeneration g) {
  return detail::cyclic_key_id(g, 0);
}
constexpr std::uint8_t server_key_id(KeyGeneration g) {
  return detail::cyclic_key_id(g, 1);
}

constexpr std::uint8_t key_id(Direction direction, KeyGeneration g) {
  return direction == Direction::ClientToServer ? client_key_id(g) : server_key_id(g);
}

}  // namespace aotls::tls
