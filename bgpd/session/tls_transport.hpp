// bgpd/session/tls_transport.hpp - BGP over TLS (draft-wirtgen-bgp-tls).
//
// A TlsTransport is a Transport whose bytes travel inside TLS 1.3 on an
// already connected TCP socket (plain or TCP-MD5). tls_handshake() runs the
// client or server handshake under a deadline and hands out the transport
// only once it completed, so no BGP byte is ever written before the local
// handshake is done and OPEN is application data (profile section 1).
// Contexts come from aotls/tls (TLS 1.3 only, ALPN, mutual auth, no
// tickets); the peer identity is armed per connection.
//
// Errors: timed_out for the handshake deadline; OpenSSL's reason (asio's
// ssl category) for alerts and verification failures; the socket error
// otherwise; AoFailure when TCP-AO keying failed (ao_session.hpp). Callers
// map all of them to TcpConnectionFails (RFC 4271 event 18).
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "aotls/tls/context.hpp"
#include "aotls/tls/peer_identity.hpp"
#include "bgpd/session/ao_session.hpp"
#include "bgpd/session/tcp_transport.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"

namespace bgpd::session {

// Both ends' contexts, built once at startup (or reload) from the global
// tls settings and shared by every TLS connection.
struct TlsContexts {
  std::shared_ptr<asio::ssl::context> client;
  std::shared_ptr<asio::ssl::context> server;

  // ALPN "botls" (draft-wirtgen-bgp-tls); every problem listed.
  static common::Expected<TlsContexts, std::vector<std::string>> make(
      const aotls::tls::ContextOptions& options);
};

class TlsTransport final : public Transport {
 public:
  using Stream = asio::ssl::stream<asio::ip::tcp::socket>;

  // `ao`: the connection's TCP-AO, keyed during the handshake; the
  // transport drives its timer (profile section 4) until it is destroyed.
  TlsTransport(std::unique_ptr<Stream> stream, TransportInfo info,
               std::shared_ptr<AoSession> ao = nullptr);

  executor_type get_executor() override { return stream_->get_executor(); }
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(asio::const_buffer buffer) override;
  // close_notify (RFC 8446 section 6.1), bounded: a peer that never answers
  // with its own close_notify does not hold the connection open.
  asio::awaitable<std::error_code> shutdown() override;
  void close() override;
  TransportInfo info() const override { return info_; }
  std::shared_ptr<AoSession> ao() const override { return ao_; }

 private:
  void count_traffic(std::size_t bytes);

  std::unique_ptr<Stream> stream_;
  TransportInfo info_;
  // After stream_: destroyed first, so its keying never outlives the SSL.
  std::shared_ptr<AoSession> ao_;
};

enum class TlsRole { Client, Server };

struct TlsHandshakeOptions {
  TlsRole role = TlsRole::Client;
  std::shared_ptr<asio::ssl::context> context;
  aotls::tls::PeerIdentity peer;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // What the TCP connection underneath is, for TransportInfo::kind
  // ("tls" or "tls+md5").
  TcpProtection under = TcpProtection::None;
  // TCP-AO keyed from this handshake (profile section 3); null for none.
  std::shared_ptr<AoSession> ao;
};

using TransportOrError = common::Expected<std::unique_ptr<Transport>, std::error_code>;

// Runs the handshake on the socket's executor (the connection's strand).
asio::awaitable<TransportOrError> tls_handshake(asio::ip::tcp::socket socket,
                                                TlsHandshakeOptions options);

// Passive side of tls "preferred" (profile section 1): the first byte the
// peer sent, without consuming it; 0x16 starts a TLS record, 0xFF a BGP
// marker. timed_out after `timeout`, eof when the peer closed first.
asio::awaitable<common::Expected<std::uint8_t, std::error_code>> peek_first_byte(
    asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout);

}  // namespace bgpd::session
