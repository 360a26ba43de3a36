#include "aotls/crypto/secret.hpp"

#include <openssl/crypto.h>

#include <ostream>
#include <utility>

namespace aotls::crypto {

Secret::Secret(std::span<const std::uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}

Secret::~Secret() {
  clear();
}

Secret::Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    clear();
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void Secret::clear() noexcept {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

std::string to_string(const Secret& secret) {
  return "<secret len=" + std::to_string(secret.size()) + ">";
}

std::ostream& operator<<(std::ostream& os, const Secret& secret) {
  return os << to_string(secret);
}

}  // namespace aotls::crypto
