// aotls/keylog/writer.hpp - appends key log lines to a file.
//
// The I/O half of the module (line.hpp is the pure half). Choices, beyond
// profile section 6 ("never on by default; created 0600, appended, never
// truncated"):
// - Path: AOTLS_KEYLOGFILE wins over the configured `ao.keylog_file`; an
//   empty variable counts as unset (as an empty SSLKEYLOGFILE does in TLS
//   libraries). Neither set: no writer, nothing is logged.
// - The file is opened O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
//   O_CLOEXEC with mode 0600, never O_TRUNC. A new file is therefore at most
//   0600 (the umask can only narrow it).
// - An existing file is used only if it is a regular file owned by our
//   effective user with no group/other permission bit at all; anything else
//   (mode 0644, another owner, a symlink, a FIFO) is refused with an error.
//   Permissions are never changed: not widened, and not silently narrowed
//   either - a key file someone else could already read has leaked, and the
//   operator must see that, not have it hidden.
// - One write() per line: with O_APPEND each write lands atomically at the
//   end of a regular file, so concurrent writers (threads or processes)
//   never interleave within a line. A short write is reported, never
//   completed by a second write that another writer could split.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "aotls/keylog/line.hpp"
#include "common/expected.hpp"

namespace aotls::keylog {

inline constexpr std::string_view kKeyLogEnvVar = "AOTLS_KEYLOGFILE";

// Pure: which path to use, if any. `env_value` is the variable's value
// (nullopt when unset).
std::optional<std::string> resolve_key_log_path(std::optional<std::string_view> env_value,
                                                const std::optional<std::string>& configured);

class KeyLogWriter {
 public:
  // Opens (creating 0600 if absent) the file at `path` under the rules above.
  static common::Expected<KeyLogWriter, std::error_code> open(const std::string& path);

  // Reads AOTLS_KEYLOGFILE, falls back to `configured`; nullopt when the key
  // log is off.
  static common::Expected<std::optional<KeyLogWriter>, std::error_code> from_environment(
      const std::optional<std::string>& configured);

  ~KeyLogWriter();
  KeyLogWriter(const KeyLogWriter&) = delete;
  KeyLogWriter& operator=(const KeyLogWriter&) = delete;
  KeyLogWriter(KeyLogWriter&& other) noexcept;
  KeyLogWriter& operator=(KeyLogWriter&& other) noexcept;

  // Appends one line with a single write(2).
  std::error_code write(const KeyLogLine& line);
  // Formats and appends; a format error comes back as invalid_argument.
  std::error_code write(const KeyLogEntry& entry);

 private:
  explicit KeyLogWriter(int fd) : fd_(fd) {}
  void close() noexcept;
  int fd_ = -1;
};

}  // namespace aotls::keylog
