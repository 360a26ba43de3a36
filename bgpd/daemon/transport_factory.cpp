// bgpd/daemon/transport_factory.cpp - plain TCP and TCP-MD5 connections.
#include "bgpd/daemon/transport_factory.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "bgpd/session/tcp_transport.hpp"

namespace bgpd::daemon {

namespace asio = boost::asio;

asio::ip::address to_asio(const wire::IpAddress& address) {
  if (address.is_v4()) return asio::ip::address_v4(address.v4_host_order());
  asio::ip::address_v6::bytes_type bytes;
  std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
  return asio::ip::address_v6(bytes);
}

wire::IpAddress from_asio(const asio::ip::address& address) {
  if (address.is_v4()) return wire::IpAddress::v4(address.to_v4().to_uint());
  if (address.to_v6().is_v4_mapped()) {
    return wire::IpAddress::v4(
        asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_uint());
  }
  wire::IpAddress out;
  out.family = wire::Afi::Ipv6;
  auto bytes = address.to_v6().to_bytes();
  std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
  return out;
}

namespace {

// The coroutine owns copies of everything connect_tcp reads, so nothing it
// points into can go away while it is suspended.
asio::awaitable<void> connect_owned(session::ConnectOptions options,
                                    std::vector<std::uint8_t> md5_key, TransportHandler done) {
  options.md5_key = md5_key;
  auto socket = co_await session::connect_tcp(options);
  if (!socket) {
    done(common::Unexpected(socket.error()));
    co_return;
  }
  auto protection = md5_key.empty() ? session::TcpProtection::None : session::TcpProtection::Md5;
  done(std::unique_ptr<session::Transport>(
      std::make_unique<session::TcpTransport>(std::move(*socket), protection)));
}

}  // namespace

void TcpTransportFactory::connect(const config::NeighborConfig& neighbor,
                                  const asio::any_io_executor& strand, TransportHandler done) {
  session::ConnectOptions options;
  options.remote = session::Endpoint(to_asio(neighbor.address), neighbor.port);
  if (neighbor.local_address) options.local_address = to_asio(*neighbor.local_address);
  // A connect attempt never outlives the ConnectRetry interval (RFC 4271
  // 8.2.2: the timer expiry drops a pending connection anyway).
  options.timeout = std::min<std::chrono::milliseconds>(neighbor.connect_retry,
                                                        std::chrono::seconds(30));
  std::vector<std::uint8_t> key;
  if (neighbor.md5) key.assign(neighbor.md5->bytes().begin(), neighbor.md5->bytes().end());
  asio::co_spawn(strand, connect_owned(options, std::move(key), std::move(done)), asio::detached);
}

void TcpTransportFactory::accept(const config::NeighborConfig& /*neighbor*/,
                                 session::AcceptedConnection connection, TransportHandler done) {
  done(std::unique_ptr<session::Transport>(std::make_unique<session::TcpTransport>(
      std::move(connection.socket), connection.protection)));
}

}  // namespace bgpd::daemon
