// BgpConnection over a loopback TCP pair: framing of split and merged
// messages, header errors, write queue order and coalescing, counters.
#include <gtest/gtest.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <optional>
#include <stdexcept>

#include "bgpd/session/bgp_connection.hpp"
#include "loopback.hpp"
#include "messages.hpp"

namespace session_test {
namespace {

using bgpd::session::BgpConnection;
using bgpd::session::FramingError;
using Bytes = std::vector<std::uint8_t>;

// Reads exactly n bytes (or up to EOF) from a plain socket.
asio::awaitable<Bytes> read_bytes(asio::ip::tcp::socket& socket, std::size_t n) {
  Bytes out(n);
  boost::system::error_code ec;
  const std::size_t got = co_await asio::async_read(socket, asio::buffer(out),
                                                    asio::redirect_error(asio::use_awaitable, ec));
  out.resize(got);
  co_return out;
}

asio::awaitable<boost::system::error_code> read_error(asio::ip::tcp::socket& socket) {
  std::array<std::uint8_t, 64> scratch{};
  boost::system::error_code ec;
  co_await socket.async_read_some(asio::buffer(scratch),
                                  asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

class Connection : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestListener>(io_, asio::ip::make_address("127.0.0.1"));
    ASSERT_FALSE(server_->open_error);
    bgpd::session::ConnectOptions options;
    options.remote = server_->endpoint();
    auto socket = run_coroutine(io_, bgpd::session::connect_tcp(options));
    ASSERT_TRUE(socket.has_value() && socket->has_value());
    client_.emplace(std::move(**socket));
    ASSERT_TRUE(run_until(io_, [&] { return !server_->accepted.empty(); }));
  }

  void start(BgpConnection::Options options = {}) {
    auto& accepted = server_->accepted.front();
    bgpd::session::ConnectionHandlers handlers;
    handlers.on_message = [this](std::span<const std::uint8_t> m) {
      received_.emplace_back(m.begin(), m.end());
      if (throw_on_message_) throw std::runtime_error("handler bug");
      if (on_message_) on_message_();
    };
    handlers.on_framing_error = [this](std::error_code ec, std::span<const std::uint8_t> header) {
      framing_error_ = ec;
      bad_header_.assign(header.begin(), header.end());
      connection_->send(notification_);
    };
    handlers.on_closed = [this](std::error_code reason) {
      ++closed_count_;
      close_reason_ = reason;
      received_at_close_ = received_.size();
    };
    connection_ = BgpConnection::create(std::make_unique<bgpd::session::TcpTransport>(
                                            std::move(accepted.socket), accepted.protection),
                                        std::move(handlers), {}, options);
    connection_->start();
  }

  void client_write(const Bytes& bytes) { asio::write(*client_, asio::buffer(bytes)); }
  void settle() {
    run_until(
        io_, [] { return false; }, 50ms);
  }

  asio::io_context io_;
  std::unique_ptr<TestListener> server_;
  std::optional<asio::ip::tcp::socket> client_;
  std::shared_ptr<BgpConnection> connection_;
  std::vector<Bytes> received_;
  std::error_code framing_error_;
  Bytes bad_header_;
  std::error_code close_reason_;
  int closed_count_ = 0;
  std::size_t received_at_close_ = 0;
  bool throw_on_message_ = false;
  std::function<void()> on_message_;
  // Stands in for the codec's NOTIFICATION (Message Header Error).
  const Bytes notification_ = message(3, 21, 0x01);
};

TEST_F(Connection, SplitAndMergedMessagesAreDeliveredWhole) {
  start();
  const Bytes open = message(1, 29, 0x01);
  const Bytes update = message(2, 4096, 0x02);
  const Bytes keepalive = message(4, 19);
  const Bytes stream = concat({open, update, keepalive});
  // A header cut in the middle, then the rest of one message merged with
  // the start of the next, then the remainder.
  client_write(Bytes(stream.begin(), stream.begin() + 10));
  settle();
  EXPECT_TRUE(received_.empty());
  client_write(Bytes(stream.begin() + 10, stream.begin() + 29 + 2000));
  ASSERT_TRUE(run_until(io_, [&] { return received_.size() == 1; }));
  client_write(Bytes(stream.begin() + 29 + 2000, stream.end()));
  ASSERT_TRUE(run_until(io_, [&] { return received_.size() == 3; }));
  EXPECT_EQ(received_[0], open);
  EXPECT_EQ(received_[1], update);
  EXPECT_EQ(received_[2], keepalive);
  const auto counters = connection_->counters();
  EXPECT_EQ(counters.messages_in, 3u);
  EXPECT_EQ(counters.bytes_in, stream.size());
  EXPECT_EQ(closed_count_, 0);
}

TEST_F(Connection, BadMarkerReportsFlushesNotificationAndCloses) {
  start();
  Bytes bad = message(4, 19);
  bad[0] = 0x00;
  client_write(concat({message(4, 19), bad, message(4, 19)}));
  ASSERT_TRUE(run_until(io_, [&] { return framing_error_ != std::error_code{}; }));
  EXPECT_EQ(received_.size(), 1u);  // nothing after the bad header
  EXPECT_EQ(framing_error_, FramingError::ConnectionNotSynchronized);
  EXPECT_EQ(bad_header_, bad);
  // The peer gets the NOTIFICATION queued by the handler, then EOF.
  auto got = run_coroutine(io_, read_bytes(*client_, notification_.size()));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, notification_);
  auto end = run_coroutine(io_, read_error(*client_));
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, asio::error::eof);
  // Bytes the peer sends meanwhile are dropped, not delivered.
  client_write(message(4, 19));
  settle();
  EXPECT_EQ(received_.size(), 1u);
  client_->close();
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_EQ(close_reason_, FramingError::ConnectionNotSynchronized);
}

TEST_F(Connection, FlushTimeoutEndsADrainThePeerNeverCloses) {
  BgpConnection::Options options;
  options.flush_timeout = 200ms;
  start(options);
  client_write(message(4, 7));
  ASSERT_TRUE(run_until(
      io_, [&] { return closed_count_ == 1; }, 3s));
  EXPECT_EQ(close_reason_, FramingError::BadMessageLength);
}

TEST_F(Connection, BadLengthReportsBadMessageLength) {
  start();
  const Bytes too_long = message(2, 4097);
  client_write(Bytes(too_long.begin(), too_long.begin() + 19));
  ASSERT_TRUE(run_until(io_, [&] { return framing_error_ != std::error_code{}; }));
  EXPECT_EQ(framing_error_, FramingError::BadMessageLength);
  // The NOTIFICATION data is the length field: the header carries it.
  ASSERT_EQ(bad_header_.size(), 19u);
  EXPECT_EQ((bad_header_[16] << 8) | bad_header_[17], 4097);
  EXPECT_TRUE(received_.empty());
}

TEST_F(Connection, ExtendedMessagesAcceptLongerMessages) {
  start();
  asio::dispatch(connection_->get_executor(), [&] { connection_->set_extended_messages(true); });
  const Bytes big = message(2, 20000, 0x44);
  client_write(big);
  ASSERT_TRUE(run_until(io_, [&] { return received_.size() == 1; }));
  EXPECT_EQ(received_[0], big);
  EXPECT_EQ(closed_count_, 0);
}

TEST_F(Connection, WritesKeepOrderAndCoalesce) {
  start();
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < 100; ++i) {
    sent.push_back(message(2, 19 + (i * 37) % 900, static_cast<std::uint8_t>(i)));
  }
  const Bytes expected = concat(sent);
  // All sends happen in one strand turn: the writer wakes once.
  asio::dispatch(connection_->get_executor(), [&] {
    for (const auto& m : sent) connection_->send(m);
  });
  auto got = run_coroutine(io_, read_bytes(*client_, expected.size()));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, expected);
  ASSERT_TRUE(run_until(io_, [&] { return connection_->counters().messages_out == 100; }));
  const auto counters = connection_->counters();
  EXPECT_EQ(counters.bytes_out, expected.size());
  EXPECT_EQ(counters.writes, 1u);
}

TEST_F(Connection, SendsFromAnotherThreadArriveInOrder) {
  start();
  std::vector<Bytes> sent;
  for (std::size_t i = 0; i < 20; ++i)
    sent.push_back(message(4, 19 + i, static_cast<std::uint8_t>(i)));
  std::thread producer([&] {
    for (const auto& m : sent) connection_->send(m);
  });
  const Bytes expected = concat(sent);
  auto got = run_coroutine(io_, read_bytes(*client_, expected.size()));
  producer.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, expected);
}

TEST_F(Connection, PeerCloseIsReportedOnce) {
  start();
  client_->close();
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_EQ(close_reason_, eof_code());
  connection_->close();
  settle();
  EXPECT_EQ(closed_count_, 1);
}

TEST_F(Connection, MessagesSentBeforeThePeerClosedAreDeliveredBeforeTheClose) {
  const Bytes keepalive = message(4, 19);
  Bytes stream;
  for (int i = 0; i < 3000; ++i) stream.insert(stream.end(), keepalive.begin(), keepalive.end());
  client_write(stream);
  client_->close();
  start();
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_EQ(close_reason_, eof_code());
  EXPECT_EQ(received_at_close_, 3000u);
}

TEST_F(Connection, TheWriterRunsWhileALongRunOfMessagesIsDelivered) {
  // KEEPALIVEs all there before the start, so that one read takes a chunk
  // of 16 KiB (862 of them): a reply queued at the first one leaves before
  // the 600th is delivered, not after the whole chunk.
  const Bytes keepalive = message(4, 19);
  Bytes stream;
  for (int i = 0; i < 2000; ++i) stream.insert(stream.end(), keepalive.begin(), keepalive.end());
  client_write(stream);
  std::optional<std::uint64_t> written_at_600;
  on_message_ = [&] {
    if (received_.size() == 1) connection_->send(keepalive);
    if (received_.size() == 600) written_at_600 = connection_->counters().messages_out;
  };
  start();
  ASSERT_TRUE(run_until(io_, [&] { return written_at_600.has_value(); }));
  EXPECT_EQ(*written_at_600, 1u);
}

TEST_F(Connection, CloseAfterFlushDeliversQueuedMessagesFirst) {
  start();
  const Bytes last = message(3, 23, 0x06);
  connection_->send(last);
  connection_->close_after_flush();
  auto got = run_coroutine(io_, read_bytes(*client_, last.size()));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, last);
  auto end = run_coroutine(io_, read_error(*client_));
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, asio::error::eof);
  EXPECT_EQ(closed_count_, 0);  // half-closed until the peer closes too
  client_->close();
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_FALSE(close_reason_);
}

TEST_F(Connection, LocalCloseDropsQueueAndStopsDelivery) {
  start();
  connection_->close();
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_FALSE(close_reason_);
  connection_->send(message(4, 19));
  settle();
  EXPECT_EQ(connection_->counters().messages_out, 0u);
  EXPECT_EQ(connection_->info().kind, "tcp");
}

TEST_F(Connection, ThrowingHandlerClosesTheConnectionNotTheProcess) {
  throw_on_message_ = true;
  start();
  client_write(message(4, 19));
  ASSERT_TRUE(run_until(io_, [&] { return closed_count_ == 1; }));
  EXPECT_EQ(close_reason_, std::errc::state_not_recoverable);
}

}  // namespace
}  // namespace session_test
