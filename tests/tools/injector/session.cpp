// tests/tools/injector/session.cpp - see session.hpp.
#include "tests/tools/injector/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <variant>

#include "tests/tools/injector/stream.hpp"
#include "tests/tools/injector/transport.hpp"

namespace injector {
namespace {

namespace wire = bgpd::wire;

// The push queues whole messages in chunks of about kChunk octets and stays
// at most kWindow octets ahead of the transport: enough to keep the socket
// buffer full, small enough that a KEEPALIVE queued behind it leaves within
// a fraction of any sane hold time.
constexpr std::size_t kChunk = std::size_t{64} * 1024;
constexpr std::uint64_t kWindow = 1 << 20;
// How long cease() waits for the peer to close after the NOTIFICATION; the
// connection's own flush timeout (5 s) ends it before this.
constexpr auto kCloseTimeout = std::chrono::seconds(10);

template <class Write>
std::vector<std::uint8_t> encode(Write&& write) {
  std::vector<std::uint8_t> out;
  wire::ByteWriter w(out);
  write(w);
  return out;
}

wire::Notification fsm_error(wire::FsmSubcode subcode) {
  return {wire::ErrorCode::FiniteStateMachine, static_cast<std::uint8_t>(subcode), {}};
}

std::string describe(const wire::Notification& n) {
  std::string text = fmt::format("code {} subcode {}", static_cast<int>(n.code), n.subcode);
  if (auto shutdown = wire::shutdown_communication(n); shutdown && shutdown->valid_utf8) {
    text += fmt::format(" \"{}\"", shutdown->text);
  }
  return text;
}

}  // namespace

std::optional<std::string> unmet_requirement(const wire::NegotiatedSession& session,
                                             const StreamRequirements& needs) {
  for (const auto& family : needs.families) {
    if (!std::binary_search(session.families.begin(), session.families.end(), family)) {
      return fmt::format("the peer did not negotiate {} (RFC 4760), which the stream carries",
                         family_name(family));
    }
  }
  if (needs.four_octet_as && !session.four_octet_as) {
    return std::string("the stream has 4-octet AS numbers but the peer lacks RFC 6793");
  }
  if (needs.largest_message > session.options().max_message_size()) {
    return fmt::format("the stream has {}-octet messages but the session allows {} (RFC 8654)",
                       needs.largest_message, session.options().max_message_size());
  }
  return std::nullopt;
}

std::shared_ptr<InjectorSession> InjectorSession::create(
    std::unique_ptr<bgpd::session::Transport> transport, SessionConfig config,
    StreamRequirements needs, common::log::Logger log) {
  auto session = std::make_shared<InjectorSession>(std::move(config), std::move(needs), log,
                                                   transport->get_executor());
  // The connection outlives no session state it calls into: every callback
  // goes through a weak pointer.
  std::weak_ptr<InjectorSession> weak = session;
  auto observed = std::make_unique<ObservedTransport>(std::move(transport), [weak](std::size_t n) {
    if (auto self = weak.lock()) {
      self->written_bytes_ += n;
      self->wake();
    }
  });
  bgpd::session::ConnectionHandlers handlers;
  handlers.on_message = [weak](std::span<const std::uint8_t> bytes) {
    if (auto self = weak.lock()) self->on_message(bytes);
  };
  handlers.on_framing_error = [weak](std::error_code error, std::span<const std::uint8_t> header) {
    auto self = weak.lock();
    if (!self) return;
    // RFC 4271 section 6.1: the header in error is the data for a bad length.
    const auto subcode =
        bgpd::session::header_subcode(static_cast<bgpd::session::FramingError>(error.value()));
    std::vector<std::uint8_t> data;
    if (subcode == wire::HeaderSubcode::BadMessageLength && header.size() >= wire::kHeaderSize) {
      data.assign(header.begin() + wire::kMarkerSize, header.begin() + wire::kMarkerSize + 2);
    }
    self->fail("framing error from the peer: " + error.message(),
               wire::Notification{wire::ErrorCode::MessageHeader,
                                  static_cast<std::uint8_t>(subcode), std::move(data)});
  };
  handlers.on_closed = [weak](std::error_code reason) {
    if (auto self = weak.lock()) self->on_closed(reason);
  };
  session->attach(bgpd::session::BgpConnection::create(std::move(observed), std::move(handlers),
                                                       std::move(log)));
  return session;
}

InjectorSession::InjectorSession(SessionConfig config, StreamRequirements needs,
                                 common::log::Logger log, const asio::any_io_executor& executor)
    : config_(std::move(config)),
      needs_(std::move(needs)),
      log_(std::move(log)),
      wakeup_(executor),
      keepalive_timer_(executor) {
  wire::CapabilitySet capabilities;
  capabilities.multiprotocol = config_.families;
  capabilities.extended_message = config_.extended_message;
  local_open_ =
      wire::OpenMessage::make(config_.asn, config_.hold_time, config_.router_id, capabilities);
}

void InjectorSession::attach(std::shared_ptr<bgpd::session::BgpConnection> connection) {
  connection_ = std::move(connection);
  connection_->start();
}

void InjectorSession::send(std::vector<std::uint8_t> message) {
  queued_bytes_ += message.size();
  connection_->send(std::move(message));
}

void InjectorSession::send_keepalive() {
  ++counters_.keepalives_out;
  send(encode([](wire::ByteWriter& w) { wire::encode_keepalive(w); }));
}

void InjectorSession::request_stop() {
  asio::post(wakeup_.get_executor(), [self = shared_from_this()] {
    self->stop_requested_ = true;
    self->wake();
  });
}

void InjectorSession::on_message(std::span<const std::uint8_t> bytes) {
  restart_hold_timer();
  auto message = wire::decode_message(bytes, options_);
  if (!message) {
    fail(fmt::format("malformed message from the peer: {}", message.error().reason),
         wire::to_notification(message.error()));
    return;
  }
  if (const auto* open = std::get_if<wire::OpenMessage>(&*message)) return on_open(*open);
  if (std::holds_alternative<wire::Keepalive>(*message)) return on_keepalive();
  if (const auto* n = std::get_if<wire::Notification>(&*message)) {
    // RFC 4271 section 6: after a NOTIFICATION the connection closes; none
    // is sent back.
    fail("the peer sent a NOTIFICATION: " + describe(*n), std::nullopt);
    return;
  }
  if (state_ != State::Established) return unexpected("an UPDATE or ROUTE-REFRESH");
  if (std::holds_alternative<wire::DecodedUpdate>(*message)) {
    ++counters_.updates_in;
  } else {
    ++counters_.route_refresh_in;
  }
}

void InjectorSession::on_open(const wire::OpenMessage& open) {
  if (state_ != State::OpenSent) return unexpected("an OPEN");
  if (auto valid = wire::validate_open(open, {config_.peer_as}); !valid) {
    fail(fmt::format("the peer's OPEN is refused: {}", valid.error().reason),
         wire::to_notification(valid.error()));
    return;
  }
  negotiated_ = wire::negotiate(local_open_, open);
  options_ = negotiated_->options();
  connection_->set_extended_messages(negotiated_->extended_message);
  if (auto unmet = unmet_requirement(*negotiated_, needs_)) {
    // RFC 5492 section 5: a capability we need that the peer lacks.
    fail(*unmet,
         wire::Notification{wire::ErrorCode::OpenMessage,
                            static_cast<std::uint8_t>(wire::OpenSubcode::UnsupportedCapability),
                            {}});
    return;
  }
  log_.info("OPEN from AS {} id {}; hold time {}s", open.asn(),
            wire::IpAddress::v4(open.bgp_identifier).to_string(), negotiated_->hold_time);
  send_keepalive();
  state_ = State::OpenConfirm;
  if (negotiated_->hold_time > 0) {
    hold_timer_.emplace(wakeup_.get_executor(), std::chrono::seconds(negotiated_->hold_time),
                        [this] {
                          fail("hold timer expired: nothing from the peer for " +
                                   std::to_string(negotiated_->hold_time) + "s",
                               wire::Notification{wire::ErrorCode::HoldTimerExpired, 0, {}});
                        });
  }
}

void InjectorSession::on_keepalive() {
  ++counters_.keepalives_in;
  if (state_ == State::OpenSent) return unexpected("a KEEPALIVE");
  if (state_ != State::OpenConfirm) return;
  state_ = State::Established;
  log_.info("session established");
  wake();
  if (negotiated_->keepalive_time > 0) {
    asio::co_spawn(
        wakeup_.get_executor(), [self = shared_from_this()] { return self->keepalive_loop(); },
        asio::detached);
  }
}

void InjectorSession::unexpected(std::string_view what) {
  // RFC 6608: the subcode names the state the message arrived in.
  static constexpr wire::FsmSubcode kSubcode[] = {wire::FsmSubcode::UnexpectedMessageInOpenSent,
                                                  wire::FsmSubcode::UnexpectedMessageInOpenConfirm,
                                                  wire::FsmSubcode::UnexpectedMessageInEstablished};
  const auto index = std::min(static_cast<std::size_t>(state_), std::size_t{2});
  fail(fmt::format("unexpected {} from the peer", what), fsm_error(kSubcode[index]));
}

void InjectorSession::restart_hold_timer() {
  // RFC 4271 section 4.4: any message shows the peer is alive.
  if (hold_timer_) hold_timer_->restart(std::chrono::seconds(negotiated_->hold_time));
}

void InjectorSession::fail(std::string reason, std::optional<wire::Notification> notification) {
  if (state_ == State::Closing || state_ == State::Closed) return;
  log_.warning("{}", reason);
  failure_ = std::move(reason);
  if (notification) {
    send(encode([&](wire::ByteWriter& w) { wire::encode_notification(*notification, w); }));
  }
  state_ = State::Closing;
  keepalive_timer_.cancel();
  connection_->close_after_flush();
  wake();
}

void InjectorSession::on_closed(std::error_code reason) {
  if (state_ != State::Closing && !failure_) {
    failure_ = "the connection closed: " + (reason ? reason.message() : std::string("by us"));
    log_.warning("{}", *failure_);
  }
  state_ = State::Closed;
  keepalive_timer_.cancel();
  wake();
}

asio::awaitable<void> InjectorSession::keepalive_loop() {
  const auto interval = std::chrono::seconds(negotiated_->keepalive_time);
  while (state_ == State::Established) {
    keepalive_timer_.expires_after(interval);
    boost::system::error_code ec;
    co_await keepalive_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || state_ != State::Established) co_return;
    send_keepalive();
  }
}

asio::awaitable<void> InjectorSession::sleep_until_woken(Clock::time_point deadline) {
  wakeup_.expires_at(deadline);
  boost::system::error_code ignored;
  co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

asio::awaitable<InjectorSession::Result> InjectorSession::wait_until(
    const std::function<bool()>& done, Clock::time_point deadline, std::string_view what) {
  for (;;) {
    if (done()) co_return Result{};
    if (failure_) co_return Result(common::Unexpected(*failure_));
    if (state_ == State::Closed) co_return Result(common::Unexpected("the connection closed"));
    if (stop_requested_) co_return Result(common::Unexpected("interrupted " + std::string(what)));
    if (Clock::now() >= deadline) {
      co_return Result(common::Unexpected("timed out " + std::string(what)));
    }
    co_await sleep_until_woken(deadline);
  }
}

asio::awaitable<InjectorSession::Result> InjectorSession::establish() {
  send(encode([this](wire::ByteWriter& w) { wire::encode_open(local_open_, w); }));
  auto result = co_await wait_until([this] { return state_ == State::Established; },
                                    Clock::now() + config_.open_timeout,
                                    "waiting for the peer's OPEN and KEEPALIVE");
  // RFC 4271 section 8.2.2: OpenSent/OpenConfirm end with Hold Timer Expired.
  if (!result && !failure_) {
    fail(result.error(), wire::Notification{wire::ErrorCode::HoldTimerExpired, 0, {}});
  }
  co_return result;
}

asio::awaitable<InjectorSession::Result> InjectorSession::push(std::span<const std::uint8_t> stream,
                                                               Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  for (std::size_t offset = 0; offset < stream.size();) {
    const std::size_t end = next_chunk_end(stream, offset, kChunk);
    send(std::vector<std::uint8_t>(stream.begin() + static_cast<std::ptrdiff_t>(offset),
                                   stream.begin() + static_cast<std::ptrdiff_t>(end)));
    offset = end;
    auto room = co_await wait_until([this] { return queued_bytes_ - written_bytes_ <= kWindow; },
                                    deadline, "pushing the stream");
    if (!room) co_return room;
  }
  co_return co_await wait_until([this] { return written_bytes_ >= queued_bytes_; }, deadline,
                                "pushing the stream");
}

asio::awaitable<InjectorSession::Result> InjectorSession::hold(Clock::duration duration) {
  const auto until = Clock::now() + duration;
  co_return co_await wait_until([until] { return Clock::now() >= until; }, until,
                                "holding the session open");
}

asio::awaitable<void> InjectorSession::cease(std::string_view text) {
  if (state_ != State::Closing && state_ != State::Closed) {
    log_.info("sending Cease: {}", text);
    send(encode([text](wire::ByteWriter& w) {
      wire::encode_notification(wire::make_cease(wire::CeaseSubcode::AdministrativeShutdown, text),
                                w);
    }));
    state_ = State::Closing;
    keepalive_timer_.cancel();
    connection_->close_after_flush();
  }
  const auto deadline = Clock::now() + kCloseTimeout;
  while (state_ != State::Closed && Clock::now() < deadline) co_await sleep_until_woken(deadline);
  if (state_ != State::Closed) connection_->close();
}

}  // namespace injector
