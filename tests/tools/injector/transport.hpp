// tests/tools/injector/transport.hpp - how the injector gets its byte stream.
//
// open_transport() is the one place that creates the injector's
// connection: plain TCP through session::connect_tcp, or BGP over TLS
// (draft-wirtgen-bgp-tls) through the daemon's own session::tls_handshake
// on that socket, so that benchmarks measure bgpd's TLS code on both ends.
// TLS over TCP-AO (draft-piraux-tcp-ao-tls) is that same TLS transport
// with an AoClient (ao_client.hpp): the default MKT goes on the bound socket
// before connect() and the handshake installs the derived keys, as in
// bgpd's own connect_neighbor(); the transport's ao() is the connection's.
//
// ObservedTransport wraps any Transport and reports each completed write.
// The injector needs that to push at line rate with a bounded queue:
// BgpConnection coalesces whatever is queued into one write but has no
// completion callback, so the injector counts written bytes here instead
// of polling.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aotls/tls/context.hpp"
#include "aotls/tls/peer_identity.hpp"
#include "bgpd/session/tcp_transport.hpp"
#include "bgpd/session/tls_transport.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"
#include "tests/tools/injector/ao_client.hpp"

namespace injector {

namespace asio = boost::asio;

// The client end of BGP over TLS: a context built once (TLS 1.3 only,
// ALPN botls, our certificate, the CA as the only trust anchor) and who the
// peer certificate must name.
struct TlsClient {
  std::shared_ptr<asio::ssl::context> context;
  aotls::tls::PeerIdentity peer;
};

// Loads the files of `files` (its alpn is ignored: always botls) and
// checks them (a key file others may read is refused). peer_name: an IP
// literal asks for that IP SAN, anything else for a DNS SAN. Errors: every
// problem, one per line, never key material.
common::Expected<TlsClient, std::string> make_tls_client(const aotls::tls::ContextOptions& files,
                                                        const std::string& peer_name);

struct TransportOptions {
  bgpd::session::Endpoint remote;
  std::optional<asio::ip::address> local_address;
  // Bounds the TCP connect and, for TLS, the handshake after it.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::optional<TlsClient> tls;  // none: plain TCP
  // TCP-AO keyed from the handshake; only with tls, whose context then went
  // through enable_tcp_ao(). Without a local_address the socket is bound to
  // the source address toward remote (the userspace backend keys by 4-tuple).
  std::optional<AoClient> ao;
};

// Connects (and runs the TLS client handshake) on the calling coroutine's
// executor. Errors: the socket's, timed_out, OpenSSL's reason for a failed
// handshake (asio's ssl category), or session::AoFailure.
asio::awaitable<common::Expected<std::unique_ptr<bgpd::session::Transport>, std::error_code>>
open_transport(TransportOptions options);  // by value: the coroutine outlives a temporary

class ObservedTransport final : public bgpd::session::Transport {
 public:
  using OnWritten = std::function<void(std::size_t bytes)>;

  ObservedTransport(std::unique_ptr<Transport> inner, OnWritten on_written)
      : inner_(std::move(inner)), on_written_(std::move(on_written)) {}

  executor_type get_executor() override { return inner_->get_executor(); }
  asio::awaitable<bgpd::session::IoResult> read_some(asio::mutable_buffer buffer) override {
    return inner_->read_some(buffer);
  }
  asio::awaitable<bgpd::session::IoResult> write(asio::const_buffer buffer) override;
  asio::awaitable<std::error_code> shutdown() override { return inner_->shutdown(); }
  void close() override { inner_->close(); }
  bgpd::session::TransportInfo info() const override { return inner_->info(); }

 private:
  std::unique_ptr<Transport> inner_;
  OnWritten on_written_;
};

}  // namespace injector
