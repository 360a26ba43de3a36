// aotls/keylog/line.hpp - one key log line, formatted purely.
//
// Profile section 6: `client_random` is the 32-byte ClientHello random in
// hex; g, keyid, prot, auth, kdf in decimal (the section 3 wire codes);
// `secret` is the 32-byte MKT in hex. The KeyID is computed from the
// direction and g (profile section 3) rather than passed in, so a line can
// never name a KeyID that the profile would not give that generation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aotls/crypto/secret.hpp"
#include "aotls/tls/exporter.hpp"
#include "aotls/tls/tcp_ao_extension.hpp"
#include "common/expected.hpp"

namespace aotls::keylog {

inline constexpr std::size_t kClientRandomLen = 32;
using ClientRandom = std::array<std::uint8_t, kClientRandomLen>;

// What one line records. `sender` is the announcement of the endpoint that
// sends in `direction` (the parameters the MKT protects segments with).
struct KeyLogEntry {
  const ClientRandom& client_random;
  tls::KeyGeneration generation;
  tls::Direction direction;
  const tls::Announcement& sender;
  const crypto::Secret& secret;
};

enum class KeyLogError : std::uint8_t {
  BadGeneration,    // g = 0 names no derived generation
  BadDirection,     // Direction::Both is the default MKT, which is never logged
  BadSecretLength,  // profile section 6: the secret is the 32-byte MKT
};

std::string_view to_string(KeyLogError error);

// A formatted line, newline included. It holds secret material, so it is
// move-only, has no stream operator, and wipes its buffer when destroyed;
// text() exists for the writer's single write() and for tests.
class KeyLogLine {
 public:
  explicit KeyLogLine(std::string text) : text_(std::move(text)) {}
  ~KeyLogLine();
  KeyLogLine(const KeyLogLine&) = delete;
  KeyLogLine& operator=(const KeyLogLine&) = delete;
  KeyLogLine(KeyLogLine&& other) noexcept;
  KeyLogLine& operator=(KeyLogLine&& other) noexcept;

  std::string_view text() const { return text_; }

 private:
  void wipe() noexcept;
  std::string text_;
};

common::Expected<KeyLogLine, KeyLogError> format_key_log_line(const KeyLogEntry& entry);

}  // namespace aotls::keylog
