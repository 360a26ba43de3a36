// bgpd/cli/client.cpp - see client.hpp. Plain POSIX: a CLI needs no event loop.
#include "bgpd/cli/client.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace bgpd::cli {
namespace {

using Result = common::Expected<api::Response, ClientError>;

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result fail(ClientError::Kind kind, const std::string& path, std::string_view what) {
  return common::Unexpected(ClientError{kind, fmt::format("{}: {}", path, what)});
}

std::string errno_text() {
  return std::error_code(errno, std::system_category()).message();
}

}  // namespace

Result exchange(const std::string& socket_path, const api::Request& request,
                std::chrono::seconds timeout) {
  using Kind = ClientError::Kind;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path)) {
    return fail(Kind::Connect, socket_path, "path too long for a Unix socket");
  }
  std::memcpy(address.sun_path, socket_path.data(), socket_path.size());
  const Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return fail(Kind::Connect, socket_path, errno_text());
  const timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return fail(Kind::Connect, socket_path,
                fmt::format("cannot connect: {} (is bgpd running, and may you use its socket?)",
                            errno_text()));
  }
  const std::string line = api::encode_request(request) + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Kind::Exchange, socket_path, fmt::format("sending failed: {}", errno_text()));
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  std::array<char, 16384> chunk{};
  while (answer.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(fd.get(), chunk.data(), chunk.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return fail(Kind::Exchange, socket_path, fmt::format("no answer: {}", errno_text()));
    }
    if (n == 0) return fail(Kind::Exchange, socket_path, "the daemon closed the connection");
    answer.append(chunk.data(), static_cast<std::size_t>(n));
  }
  answer.resize(answer.find('\n'));
  auto response = api::parse_response(answer);
  if (!response) return fail(Kind::Exchange, socket_path, "malformed answer: " + response.error());
  return std::move(*response);
}

}  // namespace bgpd::cli
