// bgpd/session/bgp_connection.hpp - whole BGP messages over a Transport.
//
// A reader coroutine reads the stream into a frame buffer (framing.hpp), a
// delivery coroutine cuts it into messages and hands each one to
// on_message, and a writer coroutine drains a queue in which messages sent
// between two writes are coalesced into one write, in order. All three run
// on the transport's strand. Reading runs ahead of delivery (up to a bound)
// and delivery yields between batches, so the socket is read while a long
// run of UPDATEs is processed; see bgp_connection.cpp for why. The connection knows nothing of the
// FSM: the session manager turns these callbacks into FSM events.
//
// Header errors (RFC 4271 section 6.1): on_framing_error gets the error and
// the offending header; the handler may send() a NOTIFICATION, which is
// flushed before the connection closes, since after a framing error the
// stream cannot be resynchronised and nothing more is read.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "bgpd/session/deadline.hpp"
#include "bgpd/session/framing.hpp"
#include "bgpd/session/transport.hpp"
#include "common/log.hpp"

namespace bgpd::session {

struct ConnectionCounters {
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t messages_in = 0;
  std::uint64_t messages_out = 0;
  std::uint64_t writes = 0;  // transport writes; < messages_out when coalesced
};

struct ConnectionHandlers {
  // A whole message, header included; the span is valid during the call.
  std::function<void(std::span<const std::uint8_t> message)> on_message;
  // The stream broke framing; see the file comment.
  std::function<void(std::error_code error, std::span<const std::uint8_t> header)> on_framing_error;
  // Called exactly once when the connection is gone. reason: empty after
  // close() or a completed close_after_flush(); the framing error after the
  // drain that follows one; timed_out when a drain outlived flush_timeout
  // (the framing error, if that started the drain); eof when the peer
  // closed first; the socket error otherwise.
  std::function<void(std::error_code reason)> on_closed;
};

class BgpConnection : public std::enable_shared_from_this<BgpConnection> {
 public:
  struct Options {
    std::size_t max_message_size = kMaxMessageSize;
    // Bounds close_after_flush() when the peer stops reading or never closes.
    std::chrono::milliseconds flush_timeout{std::chrono::seconds(5)};
  };

  static std::shared_ptr<BgpConnection> create(std::unique_ptr<Transport> transport,
                                               ConnectionHandlers handlers, common::log::Logger log,
                                               Options options);
  static std::shared_ptr<BgpConnection> create(std::unique_ptr<Transport> transport,
                                               ConnectionHandlers handlers,
                                               common::log::Logger log) {
    return create(std::move(transport), std::move(handlers), std::move(log), Options{});
  }

  BgpConnection(std::unique_ptr<Transport> transport, ConnectionHandlers handlers,
                common::log::Logger log, Options options);

  // Starts the reader and writer coroutines.
  void start();
  // Queues one encoded message. Callable from any thread: the message is
  // dispatched to the strand, so calls from the strand keep their order.
  void send(std::vector<std::uint8_t> message);
  // Closes now; queued messages are dropped.
  void close();
  // Stops delivering, sends what is queued, half-closes (FIN) and ends when
  // the peer closes too or flush_timeout passes (NOTIFICATION, then close,
  // RFC 4271 section 6.1).
  void close_after_flush();
  // RFC 8654: raise the receive limit to 65535 once the capability is
  // negotiated. Call on the strand.
  void set_extended_messages(bool enabled);

  ConnectionCounters counters() const;  // any thread
  TransportInfo info() const { return info_; }
  // The transport's TCP-AO (null for none), for the CLI; on the strand.
  std::shared_ptr<AoSession> ao() const { return transport_->ao(); }
  asio::any_io_executor get_executor() const { return executor_; }

 private:
  enum class State { Open, Draining, Closed };

  enum class Delivery { NeedBytes, BatchDone, Stopped };

  asio::awaitable<void> read_loop();
  asio::awaitable<void> delivery_loop();
  asio::awaitable<void> write_loop();
  Delivery deliver_batch();
  void enqueue(std::vector<std::uint8_t> message);
  void begin_drain(std::error_code reason);
  void finish(std::error_code reason);
  void spawn(asio::awaitable<void> (BgpConnection::*loop)());

  std::unique_ptr<Transport> transport_;
  asio::any_io_executor executor_;
  ConnectionHandlers handlers_;
  common::log::Logger log_;
  Options options_;
  TransportInfo info_;
  FrameBuffer frames_;
  State state_ = State::Open;
  std::error_code drain_reason_;
  // How the stream ended (eof or an error) once the reader saw it; the
  // delivery loop ends the connection with it after the buffered messages.
  std::optional<std::error_code> read_end_;
  asio::steady_timer reader_wakeup_;
  asio::steady_timer delivery_wakeup_;
  std::optional<Deadline> flush_deadline_;

  std::vector<std::uint8_t> queued_;
  std::uint64_t queued_messages_ = 0;
  asio::steady_timer writer_wakeup_;

  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
  std::atomic<std::uint64_t> messages_in_{0};
  std::atomic<std::uint64_t> messages_out_{0};
  std::atomic<std::uint64_t> writes_{0};
};

}  // namespace bgpd::session
