#include "aotls/keylog/line.hpp"

#include <openssl/crypto.h>

#include <utility>

#include "common/hex.hpp"

namespace aotls::keylog {

std::string_view to_string(KeyLogError error) {
  switch (error) {
    case KeyLogError::BadGeneration:
      return "key generation 0 is not a derived generation";
    case KeyLogError::BadDirection:
      return "the default MKT (both directions) is not a derived key";
    case KeyLogError::BadSecretLength:
      return "key log secret is not 32 bytes";
  }
  return "unknown key log error";
}

KeyLogLine::~KeyLogLine() {
  wipe();
}

KeyLogLine::KeyLogLine(KeyLogLine&& other) noexcept : text_(std::move(other.text_)) {
  other.wipe();
}

KeyLogLine& KeyLogLine::operator=(KeyLogLine&& other) noexcept {
  if (this != &other) {
    wipe();
    text_ = std::move(other.text_);
    other.wipe();
  }
  return *this;
}

// A moved-from std::string may keep its buffer (short-string storage), so
// the old owner is wiped as well as the final one.
void KeyLogLine::wipe() noexcept {
  if (!text_.empty()) OPENSSL_cleanse(text_.data(), text_.size());
  text_.clear();
}

common::Expected<KeyLogLine, KeyLogError> format_key_log_line(const KeyLogEntry& entry) {
  if (entry.generation == 0) return common::Unexpected(KeyLogError::BadGeneration);
  if (entry.direction == tls::Direction::Both) return common::Unexpected(KeyLogError::BadDirection);
  if (entry.secret.size() != tls::kMktSecretLen) {
    return common::Unexpected(KeyLogError::BadSecretLength);
  }
  auto code = [](auto value) { return std::to_string(static_cast<unsigned>(value)); };
  std::string text;
  // Reserved once, larger than any line (at most 163 bytes: g has at most 10
  // digits), so no reallocation leaves a copy of the secret in freed memory.
  text.reserve(256);
  text += "TCPAO ";
  text += common::to_hex(entry.client_random);
  text += ' ';
  text += std::to_string(entry.generation);
  text += ' ';
  text += keys::to_string(entry.direction);  // "c2s" or "s2c"
  text += ' ';
  text += code(keys::key_id(entry.direction, entry.generation));
  text += ' ';
  text += code(entry.sender.prot);
  text += ' ';
  text += code(entry.sender.auth);
  text += ' ';
  text += code(entry.sender.kdf);
  text += ' ';
  std::string secret_hex = common::to_hex(entry.secret.bytes());
  text += secret_hex;
  OPENSSL_cleanse(secret_hex.data(), secret_hex.size());
  text += '\n';
  return KeyLogLine(std::move(text));
}

}  // namespace aotls::keylog
