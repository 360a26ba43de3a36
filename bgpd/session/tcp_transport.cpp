// bgpd/session/tcp_transport.cpp - see tcp_transport.hpp.
#include "bgpd/session/tcp_transport.hpp"

#include "bgpd/session/ao_session.hpp"

#include <fmt/format.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <sstream>

#include "bgpd/session/deadline.hpp"
#include "bgpd/session/tcp_md5.hpp"

namespace bgpd::session {
namespace {

std::string to_string(const Endpoint& endpoint) {
  std::ostringstream out;
  out << endpoint;
  return out.str();
}

Endpoint local_of(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  return socket.local_endpoint(ec);
}

Endpoint remote_of(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  return socket.remote_endpoint(ec);
}

}  // namespace

std::string TransportInfo::description() const {
  return fmt::format("{} {} <-> {}", kind, to_string(local), to_string(remote));
}

TcpTransport::TcpTransport(asio::ip::tcp::socket socket, TcpProtection protection,
                           std::shared_ptr<AoSession> ao)
    : socket_(std::move(socket)),
      info_{ao ? "tcp-ao" : protection == TcpProtection::Md5 ? "tcp-md5" : "tcp", local_of(socket_),
            remote_of(socket_), std::nullopt},
      ao_(std::move(ao)) {
  // BGP messages are small and latency matters for KEEPALIVEs; the write
  // queue already coalesces, so Nagle only adds delay.
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  if (ao_) start_ao_timer(socket_.get_executor(), ao_);
}

asio::awaitable<IoResult> TcpTransport::read_some(asio::mutable_buffer buffer) {
  boost::system::error_code ec;
  const std::size_t n =
      co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return IoResult{ec, n};
}

asio::awaitable<IoResult> TcpTransport::write(asio::const_buffer buffer) {
  boost::system::error_code ec;
  const std::size_t n =
      co_await asio::async_write(socket_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return IoResult{ec, n};
}

asio::awaitable<std::error_code> TcpTransport::shutdown() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  co_return ec;
}

void TcpTransport::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<common::Expected<asio::ip::tcp::socket, std::error_code>> connect_tcp(
    ConnectOptions options) {
  using Result = common::Expected<asio::ip::tcp::socket, std::error_code>;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  boost::system::error_code ec;
  socket.open(options.remote.protocol(), ec);
  if (!ec && options.local_address) socket.bind(Endpoint(*options.local_address, 0), ec);
  if (ec) co_return Result(common::Unexpected(std::error_code(ec)));
  if (!options.md5_key.empty()) {
    // RFC 2385: the SYN itself is signed, so the key precedes connect().
    if (auto md5_ec =
            set_tcp_md5_key(socket.native_handle(), options.remote.address(), options.md5_key)) {
      co_return Result(common::Unexpected(md5_ec));
    }
  }
  if (options.before_connect) {
    if (auto hook_ec = options.before_connect(socket)) co_return Result(common::Unexpected(hook_ec));
  }
  {
    const Deadline deadline(executor, options.timeout, [&socket] {
      boost::system::error_code ignored;
      socket.close(ignored);
    });
    co_await socket.async_connect(options.remote, asio::redirect_error(asio::use_awaitable, ec));
    if (deadline.expired()) ec = make_error_code(boost::system::errc::timed_out);
  }
  if (ec) co_return Result(common::Unexpected(std::error_code(ec)));
  co_return Result(std::move(socket));
}

}  // namespace bgpd::session
