// common/log.hpp - the one logging facade of the shells (session, api, daemon).
//
// Owns: log levels, a thread-safe Sink (stderr or a file; text or JSON lines)
// and a cheap, copyable Logger that carries context fields such as the peer
// address ("peer=192.0.2.2") into every line it writes.
//
// Must not be used by the sans-I/O cores (wire, fsm, rib, policy, config,
// aotls crypto/segment/keys/rekey): they return values and errors and the
// shell around them decides what to log.
//
// Secrets never reach a log (architecture principle 7). This facade offers no
// hook that reaches into key material: a secret type (aotls Secret) formats
// itself through fmt as "<secret len=N>", and nothing here bypasses that. Do
// not pass raw key bytes (MKTs, MD5 passwords, traffic keys) as arguments or
// context values; pass the Secret itself or its length.
//
// Output formats:
//   text:  2026-11-28T19:30:00.123Z INFO peer=192.0.2.2 session up
//   json:  {"ts":"2026-11-28T19:30:00.123Z","level":"info","msg":"session up","peer":"192.0.2.2"}
// Context fields whose key collides with ts/level/msg are written as
// "ctx.<key>" so that the JSON line keeps one meaning per key.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/expected.hpp"

namespace common::log {

enum class Level { Debug = 0, Info = 1, Warning = 2, Error = 3 };
enum class Format { Text, JsonLines };

std::string_view level_name(Level level);
// Parses "debug", "info", "warning" (or "warn"), "error".
Expected<Level, std::error_code> parse_level(std::string_view name);

struct Field {
  std::string key;
  std::string value;
};

// Where lines go. Thread-safe: one mutex serialises whole lines, so lines from
// different threads never interleave. The minimum level is an atomic so that
// disabled levels cost one relaxed load and no formatting.
class Sink {
 public:
  // Writes to stderr (not owned).
  static std::shared_ptr<Sink> to_stderr(Format format, Level min_level = Level::Info);
  // Appends to the file at path (created 0640 if missing).
  static Expected<std::shared_ptr<Sink>, std::error_code> to_file(const std::string& path,
                                                                  Format format,
                                                                  Level min_level = Level::Info);
  // Writes into a caller-owned stream (tests: tmpfile()).
  static std::shared_ptr<Sink> to_stream(std::FILE* stream, Format format,
                                         Level min_level = Level::Info);

  Sink(std::FILE* stream, bool owned, Format format, Level min_level);
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  bool enabled(Level level) const {
    return static_cast<int>(level) >= min_level_.load(std::memory_order_relaxed);
  }
  void set_min_level(Level level) {
    min_level_.store(static_cast<int>(level), std::memory_order_relaxed);
  }
  Format format() const { return format_; }

  // Renders one line (no trailing newline) and writes it with '\n'.
  void write(Level level, std::string_view message, const std::vector<Field>& context);

  // The rendering alone, exposed for tests and for the daemon's "show log".
  std::string render(Level level, std::string_view timestamp, std::string_view message,
                     const std::vector<Field>& context) const;

 private:
  std::mutex mutex_;
  std::FILE* stream_;
  bool owned_;
  Format format_;
  std::atomic<int> min_level_;
};

// A handle to a Sink plus context. Copies are cheap (shared sink, small
// vector); with() returns a new Logger and leaves this one unchanged.
// A default-constructed Logger discards everything.
class Logger {
 public:
  Logger() = default;
  explicit Logger(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}

  Logger with(std::string key, std::string value) const;
  const std::vector<Field>& context() const { return context_; }
  bool enabled(Level level) const { return sink_ && sink_->enabled(level); }

  template <class... Args>
  void log(Level level, fmt::format_string<Args...> format, Args&&... args) const {
    if (!enabled(level)) return;
    sink_->write(level, fmt::format(format, std::forward<Args>(args)...), context_);
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) const {
    log(Level::Debug, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    log(Level::Info, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warning(fmt::format_string<Args...> format, Args&&... args) const {
    log(Level::Warning, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) const {
    log(Level::Error, format, std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<Sink> sink_;
  std::vector<Field> context_;
};

}  // namespace common::log
