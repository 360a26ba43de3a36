// bgpd/session/bgp_connection.cpp - see bgp_connection.hpp.
#include "bgpd/session/bgp_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

namespace bgpd::session {
namespace {

// Read in chunks of this size; a whole maximum-size message fits in a few.
constexpr std::size_t kReadChunk = 16 * 1024;

// Why reading runs ahead of delivery, and delivery yields between batches:
// a full table arrives faster than the RIB takes it in. Read only between
// deliveries, the socket would sit unread for as long as a whole read chunk
// takes to process; Linux holds back ACKs that would not open the window
// (tcp_input.c, __tcp_ack_snd_check), and a sender whose ACKs are late
// fires tail-loss probes (RFC 8985 section 7) for segments that arrived.
// Batches also let the writer (KEEPALIVEs, RFC 4271 section 4.4) and the
// timers run during a long run of UPDATEs. Up to kReadAhead bytes wait
// here; beyond that, TCP's window holds the peer back.
constexpr std::size_t kReadAhead = 1024 * 1024;
// Messages delivered before delivery lets the reader, the writer and the
// timers on the strand run.
constexpr std::size_t kDeliveryBatch = 64;

asio::awaitable<void> wait_for_wakeup(asio::steady_timer& wakeup) {
  boost::system::error_code ignored;
  co_await wakeup.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

}  // namespace

std::shared_ptr<BgpConnection> BgpConnection::create(std::unique_ptr<Transport> transport,
                                                     ConnectionHandlers handlers,
                                                     common::log::Logger log, Options options) {
  return std::make_shared<BgpConnection>(std::move(transport), std::move(handlers), std::move(log),
                                         options);
}

BgpConnection::BgpConnection(std::unique_ptr<Transport> transport, ConnectionHandlers handlers,
                             common::log::Logger log, Options options)
    : transport_(std::move(transport)),
      executor_(transport_->get_executor()),
      handlers_(std::move(handlers)),
      log_(std::move(log)),
      options_(options),
      info_(transport_->info()),
      frames_(options.max_message_size),
      reader_wakeup_(executor_),
      delivery_wakeup_(executor_),
      writer_wakeup_(executor_) {
  // Wake-ups are timers that never expire and are cancelled to signal.
  for (auto* wakeup : {&reader_wakeup_, &delivery_wakeup_, &writer_wakeup_}) {
    wakeup->expires_at(asio::steady_timer::time_point::max());
  }
}

void BgpConnection::start() {
  asio::dispatch(executor_, [self = shared_from_this()] {
    self->spawn(&BgpConnection::read_loop);
    self->spawn(&BgpConnection::delivery_loop);
    self->spawn(&BgpConnection::write_loop);
  });
}

void BgpConnection::spawn(asio::awaitable<void> (BgpConnection::*loop)()) {
  // A throwing callback must not unwind into the io_context: it ends this
  // connection like any other error.
  asio::co_spawn(
      executor_, [self = shared_from_this(), loop] { return ((*self).*loop)(); },
      [self = shared_from_this()](const std::exception_ptr& failure) {
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          self->log_.error("connection handler failed: {}", e.what());
        } catch (...) {
          self->log_.error("connection handler failed");
        }
        self->finish(std::make_error_code(std::errc::state_not_recoverable));
      });
}

void BgpConnection::send(std::vector<std::uint8_t> message) {
  asio::dispatch(executor_, [self = shared_from_this(), message = std::move(message)]() mutable {
    self->enqueue(std::move(message));
  });
}

void BgpConnection::enqueue(std::vector<std::uint8_t> message) {
  if (state_ == State::Closed) return;
  queued_.insert(queued_.end(), message.begin(), message.end());
  ++queued_messages_;
  writer_wakeup_.cancel();
}

void BgpConnection::close() {
  asio::dispatch(executor_, [self = shared_from_this()] { self->finish({}); });
}

void BgpConnection::close_after_flush() {
  asio::dispatch(executor_, [self = shared_from_this()] { self->begin_drain({}); });
}

void BgpConnection::set_extended_messages(bool enabled) {
  frames_.set_max_length(enabled ? kMaxExtendedMessageSize : kMaxMessageSize);
}

ConnectionCounters BgpConnection::counters() const {
  return ConnectionCounters{bytes_in_.load(), bytes_out_.load(), messages_in_.load(),
                            messages_out_.load(), writes_.load()};
}

void BgpConnection::begin_drain(std::error_code reason) {
  if (state_ != State::Open) return;
  state_ = State::Draining;
  drain_reason_ = reason;
  flush_deadline_.emplace(executor_, options_.flush_timeout, [this] {
    log_.warning("peer did not drain and close within the flush timeout");
    finish(drain_reason_ ? drain_reason_ : std::make_error_code(std::errc::timed_out));
  });
  // The reader goes on reading, and dropping, until the peer's FIN.
  reader_wakeup_.cancel();
  writer_wakeup_.cancel();
}

void BgpConnection::finish(std::error_code reason) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  transport_->close();
  reader_wakeup_.cancel();
  delivery_wakeup_.cancel();
  writer_wakeup_.cancel();
  queued_.clear();
  if (handlers_.on_closed) handlers_.on_closed(reason);
}

asio::awaitable<void> BgpConnection::read_loop() {
  while (state_ != State::Closed) {
    if (state_ == State::Open && frames_.buffered() >= kReadAhead) {
      co_await wait_for_wakeup(reader_wakeup_);
      continue;
    }
    const auto space = frames_.prepare(kReadChunk);
    const IoResult result =
        co_await transport_->read_some(asio::buffer(space.data(), space.size()));
    if (state_ == State::Closed) co_return;
    if (result.ec) {
      // While draining, the peer's FIN is the expected end.
      if (state_ == State::Draining) {
        finish(drain_reason_);
      } else {
        read_end_ = result.ec;
        delivery_wakeup_.cancel();
      }
      co_return;
    }
    bytes_in_ += result.bytes;
    // Draining: read and drop until the peer closes, so that the close is a
    // FIN and not a reset that could destroy the NOTIFICATION in flight.
    if (state_ == State::Draining) continue;
    frames_.commit(result.bytes);
    delivery_wakeup_.cancel();
  }
}

asio::awaitable<void> BgpConnection::delivery_loop() {
  while (state_ == State::Open) {
    switch (deliver_batch()) {
      case Delivery::Stopped:
        co_return;
      case Delivery::BatchDone:
        if (frames_.buffered() < kReadAhead) reader_wakeup_.cancel();
        co_await asio::post(executor_, asio::use_awaitable);
        break;
      case Delivery::NeedBytes:
        if (read_end_) {
          finish(*read_end_);
          co_return;
        }
        reader_wakeup_.cancel();
        co_await wait_for_wakeup(delivery_wakeup_);
        break;
    }
  }
}

BgpConnection::Delivery BgpConnection::deliver_batch() {
  for (std::size_t delivered = 0; delivered < kDeliveryBatch; ++delivered) {
    auto message = frames_.next();
    if (!message) {
      log_.warning("closing connection: {}", message.error().message());
      if (handlers_.on_framing_error) {
        handlers_.on_framing_error(message.error(), frames_.pending_header());
      }
      begin_drain(message.error());
      return Delivery::Stopped;
    }
    if (message->empty()) return Delivery::NeedBytes;
    ++messages_in_;
    handlers_.on_message(*message);
    // The handler may have closed us (a decode error, a NOTIFICATION).
    if (state_ != State::Open) return Delivery::Stopped;
  }
  return Delivery::BatchDone;
}

asio::awaitable<void> BgpConnection::write_loop() {
  std::vector<std::uint8_t> in_flight;
  while (state_ != State::Closed) {
    if (queued_.empty()) {
      if (state_ == State::Draining) {
        // All sent: FIN. The reader ends the connection at the peer's FIN,
        // the flush deadline if it never comes.
        co_await transport_->shutdown();
        // A peer that closed before the drain began sends no FIN to wait for.
        if (read_end_) finish(drain_reason_);
        co_return;
      }
      co_await wait_for_wakeup(writer_wakeup_);
      continue;
    }
    in_flight.swap(queued_);
    queued_.clear();
    const std::uint64_t messages = std::exchange(queued_messages_, 0);
    const IoResult result = co_await transport_->write(asio::buffer(in_flight));
    ++writes_;
    bytes_out_ += result.bytes;
    if (result.ec) {
      finish(result.ec);
      co_return;
    }
    messages_out_ += messages;
    in_flight.clear();
  }
}

}  // namespace bgpd::session
