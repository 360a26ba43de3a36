// tests/tools/injector/transport.cpp - see transport.hpp.
#include "tests/tools/injector/transport.hpp"

#include <boost/system/error_code.hpp>

namespace injector {

using bgpd::session::Transport;

common::Expected<TlsClient, std::string> make_tls_client(const aotls::tls::ContextOptions& files,
                                                        const std::string& peer_name) {
  auto contexts = bgpd::session::TlsContexts::make(files);
  if (!contexts) {
    std::string joined;
    for (const auto& line : contexts.error()) joined += (joined.empty() ? "" : "\n") + line;
    return common::Unexpected(joined);
  }
  boost::system::error_code not_ip;
  const auto ip = asio::ip::make_address(peer_name, not_ip);
  return TlsClient{contexts->client, not_ip ? aotls::tls::PeerIdentity::dns(peer_name)
                                            : aotls::tls::PeerIdentity::ip(ip.to_string())};
}

asio::awaitable<common::Expected<std::unique_ptr<Transport>, std::error_code>> open_transport(
    TransportOptions options) {
  using Result = common::Expected<std::unique_ptr<Transport>, std::error_code>;
  bgpd::session::ConnectOptions connect;
  connect.remote = options.remote;
  connect.local_address = options.local_address;
  connect.timeout = options.connect_timeout;
  std::shared_ptr<bgpd::session::AoSession> ao;
  if (options.ao && !options.tls) {
    // Profile section 1: TCP-AO's keys come from the TLS handshake.
    co_return Result(common::Unexpected(std::make_error_code(std::errc::invalid_argument)));
  }
  if (options.ao) {
    // Profile section 3: the default MKT is on the socket before connect().
    auto prepared = bgpd::session::prepare_ao_connect(*options.ao->service, options.ao->peer,
                                                      connect, ao, options.ao->log);
    if (!prepared) co_return Result(common::Unexpected(prepared.error()));
  }
  auto socket = co_await bgpd::session::connect_tcp(connect);
  if (!socket) co_return Result(common::Unexpected(socket.error()));
  if (!options.tls) {
    co_return Result(std::make_unique<bgpd::session::TcpTransport>(
        std::move(*socket), bgpd::session::TcpProtection::None));
  }
  bgpd::session::TlsHandshakeOptions handshake;
  handshake.role = bgpd::session::TlsRole::Client;
  handshake.context = options.tls->context;
  handshake.peer = options.tls->peer;
  handshake.timeout = options.connect_timeout;
  handshake.ao = std::move(ao);
  co_return co_await bgpd::session::tls_handshake(std::move(*socket), std::move(handshake));
}

asio::awaitable<bgpd::session::IoResult> ObservedTransport::write(asio::const_buffer buffer) {
  const auto result = co_await inner_->write(buffer);
  if (result.bytes > 0) on_written_(result.bytes);
  co_return result;
}

}  // namespace injector
