// bgpd/session/transport.hpp - the byte-stream interface BGP sessions run on.
//
// Module bgpd/session owns the I/O shell of a BGP connection: sockets
// (active connect, listener), TCP-MD5 keys on them (RFC 2385), the Transport
// abstraction, watchdog timers, and the message framer with its write queue
// and counters. Later transports (TLS, TLS over TCP-AO) implement Transport so
// that the peer/session manager never changes when one is added.
//
// Must not depend on: the FSM or RIB (the session manager glues them to this
// module), the config model, the api or daemon modules. It may use the wire
// vocabulary (NOTIFICATION codes) and common_log.
//
// Threading: one strand per connection. A Transport's executor is that
// strand; every operation on it and every callback of the code built on it
// runs there. Errors travel as std::error_code; no exception leaves a handler.
//
// RFCs: RFC 4271 section 4.1 (message header framing) and 6.1 (its errors),
// RFC 8654 (extended message length), RFC 2385 (TCP MD5 signature option).
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace bgpd::session {

namespace asio = boost::asio;
using Endpoint = asio::ip::tcp::endpoint;

// Outcome of one read or write: an error (or none) and the bytes moved.
struct IoResult {
  std::error_code ec;
  std::size_t bytes = 0;
};

// A TLS session as the CLI shows it (draft-wirtgen-bgp-tls); public data.
struct TlsDetails {
  std::string version;
  std::string cipher;
  std::string alpn;
  std::string peer_subject;
  std::vector<std::string> peer_san;
  std::chrono::microseconds handshake_time{0};
};

class AoSession;

// What the CLI shows about a connection. kind is one of "tcp", "tcp-md5",
// "tls", "tls+md5", "tls+ao".
struct TransportInfo {
  std::string kind;
  Endpoint local;
  Endpoint remote;
  std::optional<TlsDetails> tls;

  // "tcp-md5 192.0.2.1:179 <-> 192.0.2.2:40123"
  std::string description() const;
};

class Transport {
 public:
  using executor_type = asio::any_io_executor;

  virtual ~Transport() = default;

  // The connection's strand.
  virtual executor_type get_executor() = 0;
  // Reads at least one byte unless an error (including EOF) is returned.
  virtual asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) = 0;
  // Writes the whole buffer or returns the error that stopped it.
  virtual asio::awaitable<IoResult> write(asio::const_buffer buffer) = 0;
  // Graceful end of the sending direction (TCP FIN; TLS close_notify later).
  virtual asio::awaitable<std::error_code> shutdown() = 0;
  // Immediate close; pending reads and writes complete with operation_aborted.
  // Idempotent.
  virtual void close() = 0;
  // Endpoints are captured when the connection is set up, so info() stays
  // valid after close().
  virtual TransportInfo info() const = 0;
  // The connection's TCP-AO (ao_session.hpp); null when it has none.
  virtual std::shared_ptr<AoSession> ao() const { return nullptr; }
};

}  // namespace bgpd::session
