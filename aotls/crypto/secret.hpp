// aotls/crypto/secret.hpp - key bytes that never leak by accident.
//
// Architecture principle 7: a secret zeroes itself, cannot be copied, and
// formats as `<secret len=N>`. The bytes are reachable only through the
// explicit bytes() accessor, meant for crypto calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

namespace aotls::crypto {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::span<const std::uint8_t> bytes);
  ~Secret();

  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  // Moving transfers the buffer; the moved-from Secret is left empty (its
  // heap block now belongs to the destination, so no copy remains behind).
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Zeroes the key bytes (OPENSSL_cleanse) and leaves the Secret empty.
  void clear() noexcept;

 private:
  std::vector<std::uint8_t> bytes_;
};

// The only textual forms of a Secret: "<secret len=N>".
std::string to_string(const Secret& secret);
std::ostream& operator<<(std::ostream& os, const Secret& secret);

}  // namespace aotls::crypto
