// tests/unit/api/server_fixture.hpp - a ControlServer on a temporary socket
// path, its io_context on a background thread (so blocking clients can talk
// to it from the test thread).
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "bgpd/api/control_server.hpp"

namespace api_test {

namespace asio = boost::asio;
using nlohmann::json;

// A path unique per process and per call, short enough for sun_path.
inline std::string temp_socket_path() {
  static std::atomic<int> counter{0};
  return "/tmp/bgpd-api-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
         ".sock";
}

// Connects a blocking Unix socket; -1 on failure.
inline int connect_unix(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void send_all(int fd, const std::string& data) {
  for (std::size_t sent = 0; sent < data.size();) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

// Reads one line (without '\n'); empty on EOF or timeout.
inline std::string read_line(int fd) {
  std::string line;
  char c = 0;
  while (::recv(fd, &c, 1, 0) == 1) {
    if (c == '\n') return line;
    line += c;
  }
  return {};
}

// True when the server closed the connection within the socket timeout:
// EOF, or ECONNRESET when it closed with our unread bytes still queued.
inline bool closed_by_peer(int fd) {
  char c = 0;
  const ssize_t n = ::recv(fd, &c, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

class ServerFixture : public ::testing::Test {
 protected:
  void start_server(bgpd::api::ControlServerOptions options = {}) {
    if (options.path == bgpd::api::kDefaultSocketPath) options.path = temp_socket_path();
    path_ = options.path;
    auto opened = bgpd::api::ControlServer::open(io_.get_executor(), registry_, options, {});
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    server_ = *opened;
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->stop();
    work_.reset();
    if (thread_.joinable()) thread_.join();
    server_.reset();
    ::unlink(path_.c_str());
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::shared_ptr<bgpd::api::CommandRegistry> registry_ =
      std::make_shared<bgpd::api::CommandRegistry>();
  std::shared_ptr<bgpd::api::ControlServer> server_;
  std::thread thread_;
  std::string path_;
};

}  // namespace api_test
