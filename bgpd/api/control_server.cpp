// bgpd/api/control_server.cpp - see control_server.hpp.
#include "bgpd/api/control_server.hpp"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "bgpd/session/deadline.hpp"

namespace bgpd::api {
namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

std::error_code from_errno() {
  return {errno, std::system_category()};
}

}  // namespace

std::error_code remove_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? std::error_code{} : from_errno();
  }
  if (!S_ISSOCK(st.st_mode)) return std::make_error_code(std::errc::file_exists);
  asio::io_context probe_context;
  stream::socket probe(probe_context);
  boost::system::error_code ec;
  probe.connect(stream::endpoint(path), ec);
  if (!ec) return std::make_error_code(std::errc::address_in_use);
  if (ec != asio::error::connection_refused) return ec;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return from_errno();
  return {};
}

ControlServer::ControlServer(const asio::any_io_executor& io_executor,
                             std::shared_ptr<const CommandRegistry> registry,
                             ControlServerOptions options, common::log::Logger log)
    : executor_(asio::make_strand(io_executor)),
      registry_(std::move(registry)),
      options_(std::move(options)),
      log_(std::move(log)),
      acceptor_(executor_) {}

ControlServer::~ControlServer() {
  if (path_owned_) ::unlink(options_.path.c_str());
}

common::Expected<std::shared_ptr<ControlServer>, std::error_code> ControlServer::open(
    const asio::any_io_executor& io_executor, std::shared_ptr<const CommandRegistry> registry,
    ControlServerOptions options, common::log::Logger log) {
  if (options.path.empty() || options.path.size() >= sizeof(sockaddr_un::sun_path)) {
    return common::Unexpected(std::make_error_code(std::errc::filename_too_long));
  }
  if (auto ec = remove_stale_socket(options.path)) return common::Unexpected(ec);
  auto server = std::make_shared<ControlServer>(io_executor, std::move(registry),
                                                std::move(options), std::move(log));
  auto& acceptor = server->acceptor_;
  const auto& path = server->options_.path;
  boost::system::error_code ec;
  acceptor.open(stream(), ec);
  if (!ec) acceptor.bind(stream::endpoint(path), ec);
  if (ec) return common::Unexpected(std::error_code(ec));
  server->path_owned_ = true;
  // chmod before listen(): until then a connect() is refused, so nobody
  // gets in through the umask-derived mode of the fresh file.
  if (::chmod(path.c_str(), server->options_.mode) != 0) return common::Unexpected(from_errno());
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return common::Unexpected(std::error_code(ec));
  return server;
}

void ControlServer::start() {
  asio::co_spawn(
      executor_, [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
}

void ControlServer::stop() {
  asio::dispatch(executor_, [self = shared_from_this()] { self->stop_on_strand(); });
}

void ControlServer::stop_on_strand() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& client : clients_) client->close(ignored);
  if (path_owned_) {
    ::unlink(options_.path.c_str());
    path_owned_ = false;
  }
}

asio::awaitable<void> ControlServer::accept_loop() {
  while (acceptor_.is_open()) {
    boost::system::error_code ec;
    auto socket = std::make_shared<Socket>(
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
    if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      log_.warning("control socket accept failed: {}", ec.message());
      continue;
    }
    if (clients_.size() >= options_.max_clients) {
      log_.warning("control socket: refusing a client beyond the limit of {}",
                   options_.max_clients);
      const std::string refusal = error_response("too many clients") + "\n";
      co_await asio::async_write(*socket, asio::buffer(refusal),
                                 asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    clients_.insert(socket);
    asio::co_spawn(executor_, serve(socket), asio::detached);
  }
}

asio::awaitable<void> ControlServer::serve(std::shared_ptr<Socket> socket) {
  // Keep the server alive while a client is served.
  const auto self = shared_from_this();
  std::string buffer;
  session::Deadline idle(executor_, options_.idle_timeout, [socket] {
    boost::system::error_code ignored;
    socket->close(ignored);
  });
  for (;;) {
    boost::system::error_code ec;
    const std::size_t n = co_await asio::async_read_until(
        *socket, asio::dynamic_buffer(buffer, options_.max_request_size), '\n',
        asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::not_found) {
      // The buffer filled without a newline: answer once, then hang up,
      // because the rest of that line cannot be told from a new request.
      const std::string refusal =
          error_response(fmt::format("request exceeds {} bytes", options_.max_request_size)) + "\n";
      co_await asio::async_write(*socket, asio::buffer(refusal),
                                 asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (ec) break;
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    if (line.ends_with('\r')) line.pop_back();  // tolerate CRLF from socat and friends
    const std::string response = co_await answer(line) + "\n";
    co_await asio::async_write(*socket, asio::buffer(response),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    idle.restart(options_.idle_timeout);
  }
  boost::system::error_code ignored;
  socket->close(ignored);
  clients_.erase(socket);
}

asio::awaitable<std::string> ControlServer::answer(std::string_view line) {
  auto request = parse_request(line);
  if (!request) co_return error_response(request.error());
  // Arguments are not logged: a future command may carry a password.
  log_.debug("control command \"{}\"", request->command);
  auto result = co_await registry_->dispatch(request->command, std::move(request->args));
  if (!result) co_return error_response(result.error());
  co_return ok_response(*result);
}

}  // namespace bgpd::api
