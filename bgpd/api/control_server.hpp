// bgpd/api/control_server.hpp - the daemon's control socket (Unix stream).
//
// Newline-delimited JSON requests (protocol.hpp), answered in order on each
// connection; several clients at once, all served on one strand. Bounds: a
// request line of max_request_size bytes (then an error and a close),
// max_clients connections (more are told so and closed), and an idle
// timeout per connection.
//
// The socket file: a stale one left by a crashed daemon is replaced, but only
// after a connect() to it is refused (nobody listens); a live one, or a path
// that is not a socket, is an error. The file is created with `mode` (0660
// for a bgpd group, 0600 for root only) before listen(), so no client can
// reach it with wider permissions.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "bgpd/api/command_registry.hpp"
#include "bgpd/api/protocol.hpp"
#include "common/log.hpp"

namespace bgpd::api {

struct ControlServerOptions {
  std::string path{kDefaultSocketPath};
  mode_t mode = 0660;
  std::size_t max_request_size = kMaxRequestSize;
  std::size_t max_clients = 16;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
};

class ControlServer : public std::enable_shared_from_this<ControlServer> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;

  // Prepares the path, binds, sets the mode and listens. io_executor: the
  // io_context's executor; the server makes its own strand.
  static common::Expected<std::shared_ptr<ControlServer>, std::error_code> open(
      const boost::asio::any_io_executor& io_executor,
      std::shared_ptr<const CommandRegistry> registry, ControlServerOptions options,
      common::log::Logger log);

  ControlServer(const boost::asio::any_io_executor& io_executor,
                std::shared_ptr<const CommandRegistry> registry, ControlServerOptions options,
                common::log::Logger log);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void start();
  // Closes the listener and every client, removes the socket file.
  // Callable from any thread.
  void stop();

  const std::string& path() const { return options_.path; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Socket> socket);
  boost::asio::awaitable<std::string> answer(std::string_view line);
  void stop_on_strand();

  boost::asio::any_io_executor executor_;
  std::shared_ptr<const CommandRegistry> registry_;
  ControlServerOptions options_;
  common::log::Logger log_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::set<std::shared_ptr<Socket>> clients_;
  bool path_owned_ = false;
};

// Removes a stale socket file at path (nobody accepts on it); EADDRINUSE if
// a server answers, EEXIST if path is not a socket. No file: success.
std::error_code remove_stale_socket(const std::string& path);

}  // namespace bgpd::api
