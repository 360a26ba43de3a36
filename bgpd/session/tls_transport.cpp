// bgpd/session/tls_transport.cpp - see tls_transport.hpp.
#include "bgpd/session/tls_transport.hpp"

#include <openssl/x509.h>
#include <sys/socket.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "aotls/tls/handshake_info.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "bgpd/session/deadline.hpp"

namespace bgpd::session {
namespace {

// draft-wirtgen-bgp-tls: the ALPN protocol identifier of BGP over TLS.
constexpr const char* kBgpAlpn = "botls";

// A peer that never answers our close_notify does not keep the socket.
constexpr auto kCloseNotifyWait = std::chrono::seconds(2);

void close_socket(asio::ip::tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.close(ignored);
}

TransportInfo tls_info(TlsTransport::Stream& stream, TcpProtection under, bool ao,
                       std::chrono::steady_clock::duration handshake_time) {
  boost::system::error_code ec;
  TransportInfo info;
  info.kind = ao ? "tls+ao" : under == TcpProtection::Md5 ? "tls+md5" : "tls";
  info.local = stream.lowest_layer().local_endpoint(ec);
  info.remote = stream.lowest_layer().remote_endpoint(ec);
  const auto facts = aotls::tls::describe(stream.native_handle());
  info.tls = TlsDetails{facts.version, facts.cipher, facts.alpn, facts.peer_subject,
                        facts.peer_san,
                        std::chrono::duration_cast<std::chrono::microseconds>(handshake_time)};
  return info;
}

// X.509 verification results as error codes, so that the CLI and the log
// say why a peer was refused, not only OpenSSL's "certificate verify
// failed". aotls/tls reports "no ALPN protocol selected" through the
// application-verification result (its only use in BGP over TLS).
class VerifyCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tls-verify"; }
  std::string message(int result) const override {
    if (result == X509_V_ERR_APPLICATION_VERIFICATION) {
      return "the server selected no ALPN protocol (botls required)";
    }
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
  }
};

const std::error_category& verify_category() {
  static const VerifyCategory category;
  return category;
}

// The reason a handshake failed: the tcp_ao outcome that refused it, else
// the verification result when there is one (both reach OpenSSL as a
// verification or callback failure, which would hide the cause).
std::error_code failure_of(TlsTransport::Stream& stream, std::error_code transport) {
  if (const auto ao = aotls::tls::tcp_ao_status(stream.native_handle());
      ao && ao->refuses_handshake()) {
    return make_error_code(ao->peer_status == aotls::tls::PeerStatus::Invalid
                               ? AoFailure::PeerAnnouncementInvalid
                               : AoFailure::PeerWithoutExtension);
  }
  const long result = SSL_get_verify_result(stream.native_handle());
  if (result == X509_V_OK) return transport;
  return {static_cast<int>(result), verify_category()};
}

std::shared_ptr<asio::ssl::context> wrap(aotls::tls::SslCtxPtr ctx) {
  // asio's context takes ownership of the native handle.
  return std::make_shared<asio::ssl::context>(ctx.release());
}

}  // namespace

common::Expected<TlsContexts, std::vector<std::string>> TlsContexts::make(
    const aotls::tls::ContextOptions& options) {
  auto with_alpn = options;
  with_alpn.alpn = kBgpAlpn;
  auto client = aotls::tls::make_context(aotls::tls::Role::Client, with_alpn);
  // The server context reads the same files: its errors would repeat the
  // client's word for word.
  if (!client) return common::Unexpected(client.error());
  auto server = aotls::tls::make_context(aotls::tls::Role::Server, with_alpn);
  if (!server) return common::Unexpected(server.error());
  return TlsContexts{wrap(std::move(*client)), wrap(std::move(*server))};
}

TlsTransport::TlsTransport(std::unique_ptr<Stream> stream, TransportInfo info,
                           std::shared_ptr<AoSession> ao)
    : stream_(std::move(stream)), info_(std::move(info)), ao_(std::move(ao)) {
  if (ao_) start_ao_timer(stream_->get_executor(), ao_);
}

// ao.rekey_after_bytes counts what the session carried (profile section 4).
void TlsTransport::count_traffic(std::size_t bytes) {
  if (ao_ && ao_->derives_keys() && bytes != 0) ao_->keying().note_traffic(bytes);
}

asio::awaitable<IoResult> TlsTransport::read_some(asio::mutable_buffer buffer) {
  boost::system::error_code ec;
  const std::size_t n =
      co_await stream_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  count_traffic(n);
  co_return IoResult{ec, n};
}

asio::awaitable<IoResult> TlsTransport::write(asio::const_buffer buffer) {
  boost::system::error_code ec;
  const std::size_t n =
      co_await asio::async_write(*stream_, buffer, asio::redirect_error(asio::use_awaitable, ec));
  count_traffic(n);
  co_return IoResult{ec, n};
}

asio::awaitable<std::error_code> TlsTransport::shutdown() {
  boost::system::error_code ec;
  auto& socket = stream_->next_layer();
  const Deadline deadline(socket.get_executor(), kCloseNotifyWait,
                          [&socket] { close_socket(socket); });
  co_await stream_->async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  // Our close_notify is out; end TCP's sending direction like plain BGP does.
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  co_return ec;
}

void TlsTransport::close() { close_socket(stream_->next_layer()); }

asio::awaitable<TransportOrError> tls_handshake(asio::ip::tcp::socket socket,
                                                TlsHandshakeOptions options) {
  using Result = TransportOrError;
  const auto started = std::chrono::steady_clock::now();
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  auto stream = std::make_unique<TlsTransport::Stream>(std::move(socket), *options.context);
  if (!aotls::tls::expect_peer(stream->native_handle(), options.peer)) {
    co_return Result(common::Unexpected(
        std::make_error_code(std::errc::invalid_argument)));
  }
  // draft-piraux-tcp-ao-tls: the tcp_ao extension rides in this handshake,
  // and aotls/keying installs generation 1 inside it (profile section 3).
  const bool derives = options.ao && options.ao->derives_keys();
  if (derives && !options.ao->keying().arm(stream->native_handle())) {
    close_socket(stream->next_layer());
    co_return Result(common::Unexpected(make_error_code(AoFailure::ArmFailed)));
  }
  std::error_code error;
  {
    auto& raw = stream->next_layer();
    const Deadline deadline(raw.get_executor(), options.timeout, [&raw] { close_socket(raw); });
    boost::system::error_code ec;
    co_await stream->async_handshake(options.role == TlsRole::Client
                                         ? asio::ssl::stream_base::client
                                         : asio::ssl::stream_base::server,
                                     asio::redirect_error(asio::use_awaitable, ec));
    error = deadline.expired() ? std::make_error_code(std::errc::timed_out)
                               : ec ? failure_of(*stream, ec) : std::error_code();
  }
  if (!error && derives && !options.ao->keying().handshake_finished(stream->native_handle())) {
    error = make_error_code(AoFailure::KeyingFailed);
  }
  if (error) {
    close_socket(stream->next_layer());
    co_return Result(common::Unexpected(error));
  }
  auto info = tls_info(*stream, options.under, options.ao != nullptr,
                       std::chrono::steady_clock::now() - started);
  co_return Result(
      std::make_unique<TlsTransport>(std::move(stream), std::move(info), std::move(options.ao)));
}

asio::awaitable<common::Expected<std::uint8_t, std::error_code>> peek_first_byte(
    asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout) {
  using Result = common::Expected<std::uint8_t, std::error_code>;
  std::error_code error;
  {
    const Deadline deadline(socket.get_executor(), timeout, [&socket] { socket.cancel(); });
    boost::system::error_code ec;
    co_await socket.async_wait(asio::ip::tcp::socket::wait_read,
                               asio::redirect_error(asio::use_awaitable, ec));
    error = deadline.expired() ? std::make_error_code(std::errc::timed_out) : std::error_code(ec);
  }
  if (error) co_return Result(common::Unexpected(error));
  std::uint8_t byte = 0;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 1) co_return Result(byte);
  if (n == 0) co_return Result(common::Unexpected(make_error_code(asio::error::eof)));
  co_return Result(common::Unexpected(std::error_code(errno, std::system_category())));
}

}  // namespace bgpd::session
