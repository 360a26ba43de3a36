#include "aotls/keylog/writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace aotls::keylog {

namespace {

std::error_code last_error() {
  return {errno, std::generic_category()};
}

// The rules of writer.hpp for a file that is already open.
std::error_code check_open_file(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return last_error();
  if (!S_ISREG(st.st_mode)) return std::make_error_code(std::errc::invalid_argument);
  if (st.st_uid != ::geteuid() || (st.st_mode & 0077) != 0) {
    return std::make_error_code(std::errc::permission_denied);
  }
  return {};
}

}  // namespace

std::optional<std::string> resolve_key_log_path(std::optional<std::string_view> env_value,
                                                const std::optional<std::string>& configured) {
  if (env_value && !env_value->empty()) return std::string(*env_value);
  if (configured && !configured->empty()) return configured;
  return std::nullopt;
}

common::Expected<KeyLogWriter, std::error_code> KeyLogWriter::open(const std::string& path) {
  // O_NONBLOCK only so that opening a FIFO cannot hang before it is refused.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
                  0600);
  if (fd < 0) {
    // O_NOFOLLOW on a symlink fails with ELOOP: report it as a refusal.
    if (errno == ELOOP)
      return common::Unexpected(std::make_error_code(std::errc::permission_denied));
    return common::Unexpected(last_error());
  }
  KeyLogWriter writer(fd);
  if (auto ec = check_open_file(fd)) return common::Unexpected(ec);
  return writer;
}

common::Expected<std::optional<KeyLogWriter>, std::error_code> KeyLogWriter::from_environment(
    const std::optional<std::string>& configured) {
  const char* env = std::getenv(std::string(kKeyLogEnvVar).c_str());
  auto path =
      resolve_key_log_path(env ? std::optional<std::string_view>(env) : std::nullopt, configured);
  if (!path) return std::optional<KeyLogWriter>();
  auto writer = open(*path);
  if (!writer) return common::Unexpected(writer.error());
  return std::optional<KeyLogWriter>(std::move(*writer));
}

KeyLogWriter::~KeyLogWriter() {
  close();
}

KeyLogWriter::KeyLogWriter(KeyLogWriter&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

KeyLogWriter& KeyLogWriter::operator=(KeyLogWriter&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void KeyLogWriter::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::error_code KeyLogWriter::write(const KeyLogLine& line) {
  if (fd_ < 0) return std::make_error_code(std::errc::bad_file_descriptor);
  std::string_view text = line.text();
  ssize_t written;
  do {
    written = ::write(fd_, text.data(), text.size());
  } while (written < 0 && errno == EINTR);
  if (written < 0) return last_error();
  if (static_cast<std::size_t>(written) != text.size()) {
    return std::make_error_code(std::errc::no_space_on_device);
  }
  return {};
}

std::error_code KeyLogWriter::write(const KeyLogEntry& entry) {
  auto line = format_key_log_line(entry);
  if (!line) return std::make_error_code(std::errc::invalid_argument);
  return write(*line);
}

}  // namespace aotls::keylog
