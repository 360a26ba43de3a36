// tests/tools/injector/transport.cpp - see transport.hpp.
#include "tests/tools/injector/transport.hpp"

namespace injector {

using bgpd::session::Transport;

asio::awaitable<common::Expected<std::unique_ptr<Transport>, std::error_code>> open_transport(
    TransportOptions options) {
  using Result = common::Expected<std::unique_ptr<Transport>, std::error_code>;
  bgpd::session::ConnectOptions connect;
  connect.remote = options.remote;
  connect.local_address = options.local_address;
  connect.timeout = options.connect_timeout;
  auto socket = co_await bgpd::session::connect_tcp(connect);
  if (!socket) co_return Result(common::Unexpected(socket.error()));
  co_return Result(std::make_unique<bgpd::session::TcpTransport>(
      std::move(*socket), bgpd::session::TcpProtection::None));
}

asio::awaitable<bgpd::session::IoResult> ObservedTransport::write(asio::const_buffer buffer) {
  const auto result = co_await inner_->write(buffer);
  if (result.bytes > 0) on_written_(result.bytes);
  co_return result;
}

}  // namespace injector
