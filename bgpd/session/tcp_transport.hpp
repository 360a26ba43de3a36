// bgpd/session/tcp_transport.hpp - plain TCP (optionally MD5-signed) transport
// and the active connect.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"

namespace bgpd::session {

// TCP with or without RFC 2385 signatures; the kind the CLI shows.
enum class TcpProtection { None, Md5 };

class TcpTransport final : public Transport {
 public:
  // `ao`: static TCP-AO keys on the socket (kind "tcp-ao"), kept for the
  // connection's life.
  TcpTransport(asio::ip::tcp::socket socket, TcpProtection protection,
               std::shared_ptr<AoSession> ao = nullptr);

  executor_type get_executor() override { return socket_.get_executor(); }
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(asio::const_buffer buffer) override;
  asio::awaitable<std::error_code> shutdown() override;
  void close() override;
  TransportInfo info() const override { return info_; }
  std::shared_ptr<AoSession> ao() const override { return ao_; }

  // Later transports (TLS) wrap the same socket: they take it from here.
  asio::ip::tcp::socket& socket() { return socket_; }

 private:
  asio::ip::tcp::socket socket_;
  TransportInfo info_;
  std::shared_ptr<AoSession> ao_;
};

struct ConnectOptions {
  Endpoint remote;
  // Source address to bind before connecting (BGP "update-source"); the
  // kernel picks the port.
  std::optional<asio::ip::address> local_address;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // RFC 2385 key; empty means unsigned. Only read during connect_tcp.
  std::span<const std::uint8_t> md5_key;
  // Runs on the opened (and bound) socket just before connect(): TCP-AO
  // keys go on here, so the SYN is already signed. An error aborts.
  std::function<std::error_code(asio::ip::tcp::socket&)> before_connect;
};

// Opens, binds, keys and connects a socket on the calling coroutine's
// executor (the connection's strand). Errors: timed_out when the watchdog
// fired (a peer with another MD5 key looks exactly like this), the socket
// errno otherwise.
asio::awaitable<common::Expected<asio::ip::tcp::socket, std::error_code>> connect_tcp(
    ConnectOptions options);  // by value: the coroutine outlives a temporary

}  // namespace bgpd::session
