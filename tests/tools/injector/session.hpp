// tests/tools/injector/session.hpp - the injector's side of one BGP session.
//
// Owns: a minimal active BGP speaker for load tests. It sends its OPEN,
// validates and negotiates the peer's (RFC 4271 sections 4.2, 6.2; RFC 5492),
// reaches Established through OpenConfirm, keeps the session alive (its own
// KEEPALIVEs every negotiated KeepaliveTime, the peer's checked against the
// Hold Time, RFC 4271 section 4.4 and 10), pushes a pre-encoded UPDATE
// stream (stream.hpp) as fast as the transport takes it, and ends with a
// Cease NOTIFICATION (RFC 4486 Administrative Shutdown, RFC 9003 text).
// It is not a general BGP speaker: no RIB, no ROUTE-REFRESH answers (the
// stream is sent once), no collision handling (it never listens).
//
// Built on bgpd/session (Transport, BgpConnection) and the wire codec; the
// transport comes from transport.hpp's open_transport(), the only place
// that knows which kind it is. Runs on one thread: the connection's
// handlers and the coroutines below share the io_context's only thread.
#pragma once

// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bgpd/session/bgp_connection.hpp"
#include "bgpd/session/deadline.hpp"
#include "bgpd/wire/message.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace injector {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct SessionConfig {
  std::uint32_t asn = 0;
  std::uint32_t router_id = 0;
  std::uint16_t hold_time = 90;
  std::optional<std::uint32_t> peer_as;      // nullopt: any peer AS
  std::vector<bgpd::wire::Family> families;  // announced as Multiprotocol capabilities
  bool extended_message = false;             // announce RFC 8654
  Clock::duration open_timeout = std::chrono::seconds(30);  // OPEN + KEEPALIVE exchange
};

// What a stream needs from the negotiated session: its families, the AS
// number size it was encoded with, and its largest message.
struct StreamRequirements {
  std::vector<bgpd::wire::Family> families;
  bool four_octet_as = true;
  std::size_t largest_message = 0;
};

// nullopt when the session can carry the stream, else why it cannot.
std::optional<std::string> unmet_requirement(const bgpd::wire::NegotiatedSession& session,
                                             const StreamRequirements& needs);

struct SessionCounters {
  std::uint64_t updates_in = 0;
  std::uint64_t keepalives_in = 0;
  std::uint64_t keepalives_out = 0;
  std::uint64_t route_refresh_in = 0;  // counted, not answered
};

class InjectorSession : public std::enable_shared_from_this<InjectorSession> {
 public:
  using Result = common::Expected<void, std::string>;

  static std::shared_ptr<InjectorSession> create(
      std::unique_ptr<bgpd::session::Transport> transport, SessionConfig config,
      StreamRequirements needs, common::log::Logger log);

  InjectorSession(SessionConfig config, StreamRequirements needs, common::log::Logger log,
                  const asio::any_io_executor& executor);

  // OpenSent -> OpenConfirm -> Established, bounded by open_timeout.
  asio::awaitable<Result> establish();
  // Queues `stream` in chunks of whole messages, never more than a bounded
  // window ahead of the transport, and returns once every byte is written.
  asio::awaitable<Result> push(std::span<const std::uint8_t> stream, Clock::duration timeout);
  // Keeps the session up for `duration`; an error if it goes down first.
  asio::awaitable<Result> hold(Clock::duration duration);
  // Cease / Administrative Shutdown with `text`, then a flushed close.
  asio::awaitable<void> cease(std::string_view text);
  // From a signal handler (posted to the strand): every wait ends with
  // "interrupted".
  void request_stop();

  const std::optional<bgpd::wire::NegotiatedSession>& negotiated() const { return negotiated_; }
  const SessionCounters& counters() const { return counters_; }
  bgpd::session::TransportInfo info() const { return connection_->info(); }

 private:
  enum class State { OpenSent, OpenConfirm, Established, Closing, Closed };

  void attach(std::shared_ptr<bgpd::session::BgpConnection> connection);
  void on_message(std::span<const std::uint8_t> bytes);
  void on_open(const bgpd::wire::OpenMessage& open);
  void on_keepalive();
  void on_closed(std::error_code reason);
  void unexpected(std::string_view what);
  void fail(std::string reason, std::optional<bgpd::wire::Notification> notification);
  void send(std::vector<std::uint8_t> message);
  void send_keepalive();
  void restart_hold_timer();
  asio::awaitable<void> keepalive_loop();
  // Waits until done(), a failure, a stop request or `deadline`; then
  // reports which as a Result (done() wins).
  asio::awaitable<Result> wait_until(const std::function<bool()>& done, Clock::time_point deadline,
                                     std::string_view what);
  // Until wake() or `deadline`, whichever comes first.
  asio::awaitable<void> sleep_until_woken(Clock::time_point deadline);
  void wake() { wakeup_.cancel(); }

  SessionConfig config_;
  StreamRequirements needs_;
  common::log::Logger log_;
  std::shared_ptr<bgpd::session::BgpConnection> connection_;
  bgpd::wire::OpenMessage local_open_;
  bgpd::wire::SessionOptions options_;
  std::optional<bgpd::wire::NegotiatedSession> negotiated_;
  State state_ = State::OpenSent;
  std::optional<std::string> failure_;
  bool stop_requested_ = false;
  std::optional<bgpd::session::Deadline> hold_timer_;
  asio::steady_timer wakeup_;
  asio::steady_timer keepalive_timer_;
  std::uint64_t queued_bytes_ = 0;   // handed to the connection
  std::uint64_t written_bytes_ = 0;  // written by the transport
  SessionCounters counters_;
};

}  // namespace injector
