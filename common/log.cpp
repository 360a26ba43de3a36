// common/log.cpp - Sink rendering and output; see log.hpp.
#include "common/log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace common::log {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"debug", "info", "warning", "error"};
constexpr std::array<std::string_view, 3> kReservedKeys = {"ts", "level", "msg"};

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string field_key(const std::string& key) {
  for (auto reserved : kReservedKeys) {
    if (key == reserved) return "ctx." + key;
  }
  return key;
}

// Text lines stay one line per entry: control characters are escaped so a
// peer-supplied string (say a NOTIFICATION's data) cannot forge log lines.
void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
}

void append_text_value(std::string& out, std::string_view value) {
  const bool quote = value.empty() || value.find_first_of(" =\"") != std::string_view::npos;
  if (quote) out += '"';
  append_escaped(out, value);
  if (quote) out += '"';
}

}  // namespace

std::string_view level_name(Level level) {
  return kLevelNames.at(static_cast<std::size_t>(level));
}

Expected<Level, std::error_code> parse_level(std::string_view name) {
  if (name == "warn") return Level::Warning;
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return Unexpected(std::make_error_code(std::errc::invalid_argument));
}

Sink::Sink(std::FILE* stream, bool owned, Format format, Level min_level)
    : stream_(stream), owned_(owned), format_(format), min_level_(static_cast<int>(min_level)) {}

Sink::~Sink() {
  if (owned_) std::fclose(stream_);
}

std::shared_ptr<Sink> Sink::to_stderr(Format format, Level min_level) {
  return std::make_shared<Sink>(stderr, false, format, min_level);
}

std::shared_ptr<Sink> Sink::to_stream(std::FILE* stream, Format format, Level min_level) {
  return std::make_shared<Sink>(stream, false, format, min_level);
}

Expected<std::shared_ptr<Sink>, std::error_code> Sink::to_file(const std::string& path,
                                                               Format format, Level min_level) {
  // open(2) rather than fopen so the mode of a new file is ours, not 0666.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Unexpected(std::error_code(errno, std::system_category()));
  std::FILE* stream = ::fdopen(fd, "a");
  if (stream == nullptr) {
    const std::error_code ec(errno, std::system_category());
    ::close(fd);
    return Unexpected(ec);
  }
  return std::make_shared<Sink>(stream, true, format, min_level);
}

std::string Sink::render(Level level, std::string_view timestamp, std::string_view message,
                         const std::vector<Field>& context) const {
  if (format_ == Format::JsonLines) {
    nlohmann::ordered_json line;
    line["ts"] = timestamp;
    line["level"] = level_name(level);
    line["msg"] = message;
    for (const auto& field : context) line[field_key(field.key)] = field.value;
    // replace: invalid UTF-8 from a peer must not throw out of a log call.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  out.reserve(64 + message.size());
  out += timestamp;
  out += ' ';
  for (char c : level_name(level)) out += static_cast<char>(c - 'a' + 'A');
  for (const auto& field : context) {
    out += ' ';
    append_escaped(out, field.key);
    out += '=';
    append_text_value(out, field.value);
  }
  out += ' ';
  append_escaped(out, message);
  return out;
}

void Sink::write(Level level, std::string_view message, const std::vector<Field>& context) {
  std::string line = render(level, utc_timestamp(), message, context);
  line += '\n';
  const std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fflush(stream_);
}

Logger Logger::with(std::string key, std::string value) const {
  Logger copy = *this;
  copy.context_.push_back(Field{std::move(key), std::move(value)});
  return copy;
}

}  // namespace common::log
