// bgpd/daemon/peer.cpp - FSM events from sockets and timers, FSM actions out.
#include "bgpd/daemon/peer.hpp"

#include <boost/asio/strand.hpp>

#include "bgpd/daemon/ao_settings.hpp"
#include "bgpd/daemon/ao_status.hpp"
#include "bgpd/daemon/messages.hpp"
#include "bgpd/daemon/transport_factory.hpp"
#include "bgpd/fsm/collision.hpp"
#include "bgpd/wire/header.hpp"
#include "bgpd/wire/route_refresh.hpp"

namespace bgpd::daemon {

namespace asio = boost::asio;

// One connection with its own FSM (RFC 4271 6.8 keeps one per connection).
struct Peer::Attempt {
  Attempt(std::uint64_t attempt_id, fsm::Config config, bool outgoing)
      : id(attempt_id), machine(config), initiated_locally(outgoing) {}
  std::uint64_t id;
  fsm::Fsm machine;
  bool initiated_locally;
  std::shared_ptr<session::BgpConnection> connection;
  std::optional<asio::any_io_executor> strand;
  std::array<std::unique_ptr<asio::steady_timer>, fsm::kTimerCount> timers;
  std::array<std::uint64_t, fsm::kTimerCount> timer_generation{};
  std::uint64_t connect_generation = 0;
  std::optional<wire::OpenMessage> remote_open;
  std::optional<wire::NegotiatedSession> negotiated;
  std::chrono::steady_clock::time_point established_at;
  // RFC 4271 section 4.4: KEEPALIVEs at most one per second, kicks included.
  std::chrono::steady_clock::time_point last_keepalive;
  std::unique_ptr<asio::steady_timer> kick_timer;
  bool kick_pending = false;
};

namespace {

constexpr fsm::Event timer_event(fsm::Timer timer) {
  switch (timer) {
    case fsm::Timer::ConnectRetry: return fsm::Event::ConnectRetryTimerExpires;
    case fsm::Timer::Hold: return fsm::Event::HoldTimerExpires;
    case fsm::Timer::Keepalive: return fsm::Event::KeepaliveTimerExpires;
    case fsm::Timer::DelayOpen: return fsm::Event::DelayOpenTimerExpires;
    case fsm::Timer::IdleHold: return fsm::Event::IdleHoldTimerExpires;
  }
  return fsm::Event::ConnectRetryTimerExpires;
}

fsm::SendNotification to_fsm(const wire::DecodeError& error) {
  return {error.code, error.subcode, error.data};
}

wire::CapabilitySet local_capabilities(const config::NeighborConfig& neighbor,
                                       std::uint32_t asn) {
  wire::CapabilitySet caps;
  for (auto family : neighbor.families) {
    caps.multiprotocol.push_back(family == config::Family::Ipv4Unicast ? wire::kIpv4Unicast
                                                                        : wire::kIpv6Unicast);
  }
  caps.four_octet_as = asn;
  caps.route_refresh = neighbor.route_refresh;
  caps.enhanced_route_refresh = neighbor.route_refresh;
  caps.extended_message = true;
  // RFC 4724: announced as "not restarting" with no forwarding state kept.
  caps.graceful_restart = wire::GracefulRestart{};
  return caps;
}

}  // namespace

Peer::Peer(asio::io_context& io, rib::PeerId id, config::NeighborConfig neighbor,
           LocalIdentity local, PeerEvents events, TransportFactory& transports,
           common::log::Logger log)
    : io_(io),
      id_(id),
      neighbor_(std::move(neighbor)),
      local_(local),
      events_(std::move(events)),
      transports_(transports),
      log_(std::move(log)),
      local_open_(wire::OpenMessage::make(
          local.asn, static_cast<std::uint16_t>(neighbor_.hold_time.count()), local.router_id,
          local_capabilities(neighbor_, local.asn))),
      state_since_(std::chrono::steady_clock::now()) {}

Peer::~Peer() {
  for (auto& attempt : attempts_) {
    if (attempt->connection) attempt->connection->close();
  }
}

fsm::Config Peer::fsm_config() const {
  fsm::Config config;
  config.connect_retry_time = static_cast<std::uint32_t>(
      std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                    neighbor_.connect_retry).count()));
  config.passive_tcp_establishment = neighbor_.passive;
  // Restart by itself after a failure, with the IdleHoldTime backoff of
  // RFC 4271 8.1.1 (DampPeerOscillations) so a flapping peer is damped.
  config.allow_automatic_start = true;
  config.damp_peer_oscillations = true;
  return config;
}

std::chrono::milliseconds Peer::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

Peer::Attempt* Peer::find(std::uint64_t attempt_id) {
  for (auto& attempt : attempts_) {
    if (attempt->id == attempt_id) return attempt.get();
  }
  return nullptr;
}

Peer::Attempt* Peer::primary() const {
  return attempts_.empty() ? nullptr : attempts_.front().get();
}

Peer::Attempt* Peer::established_attempt() const {
  for (const auto& attempt : attempts_) {
    if (attempt->machine.state() == fsm::State::Established) return attempt.get();
  }
  return nullptr;
}

bool Peer::established() const { return established_attempt() != nullptr; }

const wire::NegotiatedSession& Peer::negotiated() const {
  return *established_attempt()->negotiated;
}

std::uint32_t Peer::remote_bgp_identifier() const {
  auto* attempt = established_attempt();
  return attempt && attempt->remote_open ? attempt->remote_open->bgp_identifier : 0;
}

void Peer::begin_attempt(Attempt& attempt) {
  attempt.strand = asio::make_strand(io_);
  for (std::size_t i = 0; i < attempt.timers.size(); ++i) {
    attempt.timers[i] = std::make_unique<asio::steady_timer>(*attempt.strand);
  }
  attempt.kick_timer = std::make_unique<asio::steady_timer>(*attempt.strand);
}

void Peer::start() {
  stopped_ = false;
  if (neighbor_.shutdown) {
    log_.info("neighbor is administratively shut down; staying Idle");
    return;
  }
  if (attempts_.empty()) {
    attempts_.push_back(std::make_unique<Attempt>(next_attempt_id_++, fsm_config(), true));
    begin_attempt(*attempts_.front());
  }
  step(*primary(), neighbor_.passive ? fsm::Event::ManualStartWithPassiveTcpEstablishment
                                     : fsm::Event::ManualStart);
}

void Peer::stop(const std::string& message) {
  // RFC 9003: the shutdown communication rides on Cease / Administrative
  // Shutdown; every connection of the peer stops.
  stopped_ = true;
  auto notification = cease_notification(wire::CeaseSubcode::AdministrativeShutdown, message);
  for (std::size_t i = attempts_.size(); i-- > 0;) {
    step(*attempts_[i], fsm::Input(fsm::Event::ManualStop, notification));
  }
}

void Peer::reset(const std::string& message) {
  auto notification = cease_notification(wire::CeaseSubcode::AdministrativeReset, message);
  for (std::size_t i = attempts_.size(); i-- > 0;) {
    step(*attempts_[i], fsm::Input(fsm::Event::ManualStop, notification));
  }
  start();
}

void Peer::step(Attempt& attempt, const fsm::Input& input) {
  auto result = attempt.machine.step(input, now());
  if (result.transition) {
    const auto& t = *result.transition;
    log_.info("FSM {} -> {} ({})", fsm::to_string(t.from), fsm::to_string(t.to),
              fsm::to_string(t.reason));
    if (&attempt == primary() || t.to == fsm::State::Established) {
      state_since_ = std::chrono::steady_clock::now();
    }
  }
  const std::uint64_t id = attempt.id;
  for (const auto& action : result.actions) {
    Attempt* live = find(id);
    if (!live) return;
    perform(*live, action);
  }
  if (Attempt* live = find(id)) after_step(*live);
}

// Drops attempts that ended: a second connection that lost, or a primary
// whose place a surviving second connection took.
void Peer::after_step(Attempt& attempt) {
  if (attempt.machine.state() != fsm::State::Idle || attempts_.size() < 2) return;
  const std::uint64_t id = attempt.id;
  std::erase_if(attempts_, [id](const auto& a) { return a->id == id; });
  // The survivor may be an incoming connection's FSM, started passively:
  // from now on it is the neighbor's, and restarts the neighbor's way.
  primary()->machine.set_passive_tcp_establishment(neighbor_.passive);
}

void Peer::perform(Attempt& attempt, const fsm::Action& action) {
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, fsm::InitiateTcpConnection>) {
          initiate_connection(attempt);
        } else if constexpr (std::is_same_v<A, fsm::DropTcpConnection>) {
          ++attempt.connect_generation;  // a connect still in flight is stale
          if (attempt.connection) {
            attempt.connection->close_after_flush();
            attempt.connection.reset();
          }
          attempt.remote_open.reset();
        } else if constexpr (std::is_same_v<A, fsm::SendOpen>) {
          send_message(attempt, encode_open_message(local_open_));
        } else if constexpr (std::is_same_v<A, fsm::SendKeepalive>) {
          send_keepalive(attempt);
        } else if constexpr (std::is_same_v<A, fsm::SendNotification>) {
          send_notification(attempt, a);
        } else if constexpr (std::is_same_v<A, fsm::StartTimer>) {
          start_timer(attempt, a.which, a.seconds);
        } else if constexpr (std::is_same_v<A, fsm::StopTimer>) {
          stop_timer(attempt, a.which);
        } else if constexpr (std::is_same_v<A, fsm::ProcessUpdate>) {
          if (pending_update_ && events_.update) events_.update(*this, *pending_update_);
        } else if constexpr (std::is_same_v<A, fsm::SessionEstablished>) {
          attempt.established_at = std::chrono::steady_clock::now();
          ++established_transitions_;
          if (attempt.connection && attempt.negotiated) {
            attempt.connection->set_extended_messages(attempt.negotiated->extended_message);
          }
          // Section 6.8: once one connection is Established the other is
          // closed (CollisionDetectEstablishedState is off).
          for (std::size_t i = attempts_.size(); i-- > 0;) {
            if (attempts_[i]->id != attempt.id) {
              step(*attempts_[i], fsm::Event::OpenCollisionDump);
            }
          }
          log_.info("session established ({})",
                    attempt.connection ? attempt.connection->info().description() : "");
          if (events_.established) events_.established(*this);
        } else if constexpr (std::is_same_v<A, fsm::SessionDown>) {
          if (events_.down) events_.down(*this);
        } else {
          // ListenForConnections, StopListening, ReleaseResources: whether
          // this peer takes connections is read from its FSM state in
          // accept(), and connection resources go with DropTcpConnection.
          static_assert(std::is_same_v<A, fsm::ListenForConnections> ||
                        std::is_same_v<A, fsm::StopListening> ||
                        std::is_same_v<A, fsm::ReleaseResources>);
        }
      },
      action);
}

void Peer::initiate_connection(Attempt& attempt) {
  const std::uint64_t attempt_id = attempt.id;
  const std::uint64_t generation = ++attempt.connect_generation;
  std::weak_ptr<Peer> weak = weak_from_this();
  transports_.connect(neighbor_, *attempt.strand,
                      [weak, attempt_id, generation](TransportResult result) {
                        auto self = weak.lock();
                        if (!self) return;
                        Attempt* a = self->find(attempt_id);
                        if (!a || a->connect_generation != generation) {
                          if (result) (*result)->close();
                          return;
                        }
                        if (!result) {
                          self->log_.info("connect failed: {}", result.error().message());
                          self->step(*a, fsm::Event::TcpConnectionFails);
                          return;
                        }
                        self->attach(*a, std::move(*result));
                        self->step(*a, fsm::Event::TcpCrAcked);
                      });
}

void Peer::attach(Attempt& attempt, std::unique_ptr<session::Transport> transport) {
  const std::uint64_t attempt_id = attempt.id;
  std::weak_ptr<Peer> weak = weak_from_this();
  session::ConnectionHandlers handlers;
  handlers.on_message = [weak, attempt_id](std::span<const std::uint8_t> message) {
    if (auto self = weak.lock()) self->on_message(attempt_id, message);
  };
  handlers.on_framing_error = [weak, attempt_id](std::error_code,
                                                 std::span<const std::uint8_t> header) {
    auto self = weak.lock();
    Attempt* a = self ? self->find(attempt_id) : nullptr;
    if (!a) return;
    // RFC 4271 6.1: the header's own error decides code, subcode and data.
    auto error = header_error_of(header, a->negotiated);
    self->step(*a, fsm::Input(fsm::Event::BgpHeaderErr, to_fsm(error)));
  };
  handlers.on_closed = [weak, attempt_id](std::error_code reason) {
    auto self = weak.lock();
    Attempt* a = self ? self->find(attempt_id) : nullptr;
    if (!a || !a->connection) return;
    self->log_.info("connection closed: {}", reason ? reason.message() : "locally");
    a->connection.reset();
    self->step(*a, fsm::Event::TcpConnectionFails);
  };
  attempt.connection = session::BgpConnection::create(std::move(transport), std::move(handlers),
                                                      log_);
  if (const auto ao = attempt.connection->ao()) {
    ao->set_kick([weak, attempt_id] {
      auto self = weak.lock();
      Attempt* a = self ? self->find(attempt_id) : nullptr;
      if (a && a->connection) self->kick(*a);
    });
  }
  attempt.connection->start();
}

void Peer::send_keepalive(Attempt& attempt) {
  attempt.last_keepalive = std::chrono::steady_clock::now();
  send_message(attempt, encode_keepalive_message());
}

void Peer::kick(Attempt& attempt) {
  const auto state = attempt.machine.state();
  if (state != fsm::State::OpenConfirm && state != fsm::State::Established) return;
  // RFC 4271 section 4.4: "MUST NOT be sent more frequently than one per
  // second"; a kick that comes sooner waits for its second.
  const auto allowed = attempt.last_keepalive + std::chrono::seconds(1);
  if (std::chrono::steady_clock::now() >= allowed) {
    send_keepalive(attempt);
    return;
  }
  if (attempt.kick_pending) return;
  attempt.kick_pending = true;
  attempt.kick_timer->expires_at(allowed);
  std::weak_ptr<Peer> weak = weak_from_this();
  attempt.kick_timer->async_wait([weak, id = attempt.id](boost::system::error_code ec) {
    auto self = weak.lock();
    Attempt* a = self ? self->find(id) : nullptr;
    if (ec || !a) return;
    a->kick_pending = false;
    self->kick(*a);
  });
}

common::Expected<std::uint32_t, std::string> Peer::start_rollover() {
  Attempt* attempt = established_attempt();
  if (!attempt || !attempt->connection) return common::Unexpected("neighbor is not established");
  const auto ao = attempt->connection->ao();
  if (!ao || !ao->derives_keys()) {
    return common::Unexpected("the session has no TCP-AO keys derived from TLS");
  }
  auto& keying = ao->keying();
  const auto now = std::chrono::steady_clock::now();
  if (auto started = keying.request_rollover(now); !started) {
    return common::Unexpected(started.error().message);
  }
  log_.info("TCP-AO rollover started by the operator");
  return keying.status(now).generation;
}

bool Peer::accept(session::AcceptedConnection connection) {
  Attempt* first = primary();
  if (!first || stopped_ || established()) {
    // Stopped by the operator (RFC 4271 8.2.2: Idle refuses connections),
    // or colliding with an Established session (6.8).
    return false;
  }
  if (first->machine.state() == fsm::State::Idle) {
    // Idle after a failure, waiting out the IdleHoldTimer: the text lets
    // Idle refuse, but the peer connecting is what the hold-down waits for,
    // and refusing makes two damped speakers miss each other. Start now
    // (Event 3, AllowAutomaticStart is set) and take the connection.
    // A passive neighbor stays passive (Event 5): it never connects out.
    step(*first, neighbor_.passive ? fsm::Event::AutomaticStartWithPassiveTcpEstablishment
                                   : fsm::Event::AutomaticStart);
    if (first->machine.state() == fsm::State::Idle) return false;
  }
  Attempt* target = nullptr;
  if (first->machine.state() == fsm::State::Active) {
    target = first;  // waiting for the peer: no connect of ours in flight
  } else if (attempts_.size() == 1) {
    // Our own connect may be in flight (Connect) or done (OpenSent,
    // OpenConfirm): keep both connections and let section 6.8 pick one once
    // the OPENs are in. Dropping ours here would be symmetric: the peer
    // would drop its own too, and with a handshake (TLS) in the way both
    // ends would each keep the connection the other just dropped.
    attempts_.push_back(std::make_unique<Attempt>(next_attempt_id_++, fsm_config(), false));
    target = attempts_.back().get();
    begin_attempt(*target);
    step(*target, fsm::Event::ManualStartWithPassiveTcpEstablishment);
  } else {
    return false;
  }
  const std::uint64_t attempt_id = target->id;
  // A transport that completes late (a TLS handshake) is only attached if
  // the attempt still waits for it (the same rule as initiate_connection).
  const std::uint64_t generation = ++target->connect_generation;
  std::weak_ptr<Peer> weak = weak_from_this();
  transports_.accept(neighbor_, std::move(connection),
                     [weak, attempt_id, generation](TransportResult result) {
    auto self = weak.lock();
    Attempt* a = self ? self->find(attempt_id) : nullptr;
    if (!a || a->connect_generation != generation) {
      if (result) (*result)->close();
      return;
    }
    if (!result) {
      self->step(*a, fsm::Event::TcpConnectionFails);
      return;
    }
    self->attach(*a, std::move(*result));
    self->step(*a, fsm::Event::TcpConnectionConfirmed);
  });
  return true;
}

void Peer::start_timer(Attempt& attempt, fsm::Timer which, std::uint32_t seconds) {
  const auto index = static_cast<std::size_t>(which);
  const std::uint64_t generation = ++attempt.timer_generation[index];
  auto& timer = *attempt.timers[index];
  timer.expires_after(std::chrono::seconds(seconds));
  const std::uint64_t attempt_id = attempt.id;
  std::weak_ptr<Peer> weak = weak_from_this();
  timer.async_wait([weak, attempt_id, which, index, generation](boost::system::error_code ec) {
    auto self = weak.lock();
    Attempt* a = self ? self->find(attempt_id) : nullptr;
    if (ec || !a || a->timer_generation[index] != generation) return;
    self->step(*a, timer_event(which));
  });
}

void Peer::stop_timer(Attempt& attempt, fsm::Timer which) {
  const auto index = static_cast<std::size_t>(which);
  ++attempt.timer_generation[index];
  attempt.timers[index]->cancel();
}

void Peer::send_message(Attempt& attempt, std::vector<std::uint8_t> message) {
  if (attempt.connection) attempt.connection->send(std::move(message));
}

void Peer::send_notification(Attempt& attempt, const fsm::SendNotification& notification) {
  last_error_ = LastError{true, notification.code, notification.subcode,
                          describe_notification(notification.code, notification.subcode,
                                                notification.data),
                          std::chrono::system_clock::now()};
  log_.warning("sending NOTIFICATION {}", last_error_->text);
  send_message(attempt, encode_notification_message(notification));
}

void Peer::on_message(std::uint64_t attempt_id, std::span<const std::uint8_t> message) {
  Attempt* attempt = find(attempt_id);
  if (!attempt) return;
  // The framer checked marker and length; the codec checks the rest of the
  // header (the type: RFC 4271 6.1 Bad Message Type).
  const auto options = attempt->negotiated ? attempt->negotiated->options() : wire::SessionOptions{};
  auto frame = wire::peek_header(message, options);
  if (!frame || !*frame) {
    auto error = frame ? header_error_of(message.first(wire::kHeaderSize), attempt->negotiated)
                       : frame.error();
    step(*attempt, fsm::Input(fsm::Event::BgpHeaderErr, to_fsm(error)));
    return;
  }
  const auto body = message.subspan(wire::kHeaderSize);
  switch ((*frame)->type) {
    case wire::MessageType::Open: return on_open(*attempt, body);
    case wire::MessageType::Update: return on_update(*attempt, body);
    case wire::MessageType::Notification: return on_notification(*attempt, body);
    case wire::MessageType::Keepalive: return step(*attempt, fsm::Event::KeepAliveMsg);
    case wire::MessageType::RouteRefresh: return on_route_refresh(*attempt, body);
  }
}

void Peer::on_open(Attempt& attempt, std::span<const std::uint8_t> body) {
  auto open = wire::decode_open(body);
  if (!open) {
    step(attempt, fsm::Input(fsm::Event::BgpOpenMsgErr, to_fsm(open.error())));
    return;
  }
  auto valid = validate_peer_open(*open, neighbor_, local_);
  if (!valid) {
    step(attempt, fsm::Input(fsm::Event::BgpOpenMsgErr, to_fsm(valid.error())));
    return;
  }
  if (!resolve_collision(attempt, *open)) return;
  attempt.remote_open = *open;
  attempt.negotiated = wire::negotiate(local_open_, *open);
  log_.info("OPEN from AS {} id {} hold {}s; negotiated hold {}s", open->asn(),
            wire::IpAddress::v4(open->bgp_identifier).to_string(), open->hold_time,
            attempt.negotiated->hold_time);
  step(attempt, fsm::Input(attempt.machine.open_event(), attempt.negotiated->hold_time));
}

// RFC 4271 6.8: an OPEN on one connection while another to the same peer
// is in OpenConfirm. Returns false when this connection lost.
bool Peer::resolve_collision(Attempt& attempt, const wire::OpenMessage& open) {
  for (auto& other : attempts_) {
    if (other->id == attempt.id) continue;
    fsm::CollisionCheck check;
    check.local_bgp_id = local_.router_id;
    check.remote_bgp_id = open.bgp_identifier;
    check.local_as = local_.asn;
    check.remote_as = open.asn();
    check.existing_state = other->machine.state();
    check.existing_initiated_locally = other->initiated_locally;
    const auto verdict = fsm::resolve_collision(check);
    if (verdict == fsm::CollisionVerdict::NoCollision) continue;
    log_.info("connection collision: {}", fsm::to_string(verdict));
    if (verdict == fsm::CollisionVerdict::CloseExisting) {
      step(*other, fsm::Event::OpenCollisionDump);
      return true;
    }
    if (verdict == fsm::CollisionVerdict::CloseNew) {
      step(attempt, fsm::Event::OpenCollisionDump);
      return false;
    }
    step(attempt, fsm::Input(fsm::Event::BgpOpenMsgErr,
                             fsm::SendNotification{wire::ErrorCode::OpenMessage,
                                                   static_cast<std::uint8_t>(
                                                       wire::OpenSubcode::BadBgpIdentifier),
                                                   {}}));
    return false;
  }
  return true;
}

void Peer::on_update(Attempt& attempt, std::span<const std::uint8_t> body) {
  if (attempt.machine.state() != fsm::State::Established || !attempt.negotiated) {
    step(attempt, fsm::Event::UpdateMsg);  // the FSM answers with an FSM error
    return;
  }
  auto decoded = wire::decode_update(body, attempt.negotiated->options());
  if (!decoded) {
    log_.warning("malformed UPDATE: {}", decoded.error().reason);
    step(attempt, fsm::Input(fsm::Event::UpdateMsgErr, to_fsm(decoded.error())));
    return;
  }
  ++updates_in_;
  for (const auto& error : decoded->errors) {
    // RFC 7606 section 3: treat-as-withdraw and attribute discard are logged.
    log_.warning("UPDATE error handled by {}: {}",
                 error.action == wire::Action::TreatAsWithdraw ? "treat-as-withdraw"
                                                               : "attribute discard",
                 error.reason);
  }
  pending_update_ = &*decoded;
  step(attempt, fsm::Event::UpdateMsg);
  pending_update_ = nullptr;
}

void Peer::on_notification(Attempt& attempt, std::span<const std::uint8_t> body) {
  auto notification = decode_notification_message(body);
  last_error_ = LastError{false, notification.code, notification.subcode,
                          describe_notification(notification.code, notification.subcode,
                                                notification.data),
                          std::chrono::system_clock::now()};
  log_.warning("received NOTIFICATION {}", last_error_->text);
  // RFC 4271 8.2.2 Event 24: a version error in OpenSent/OpenConfirm.
  const bool version_error =
      notification.code == wire::ErrorCode::OpenMessage &&
      notification.subcode == static_cast<std::uint8_t>(wire::OpenSubcode::UnsupportedVersionNumber);
  step(attempt, version_error ? fsm::Event::NotifMsgVerErr : fsm::Event::NotifMsg);
}

void Peer::on_route_refresh(Attempt& attempt, std::span<const std::uint8_t> body) {
  if (attempt.machine.state() != fsm::State::Established) {
    step(attempt, fsm::Event::UpdateMsg);  // unexpected message: FSM error
    return;
  }
  auto request = wire::decode_route_refresh(body);
  if (!request) {
    // RFC 7313 section 5: ROUTE-REFRESH Message Error / Invalid Length.
    step(attempt, fsm::Input(fsm::Event::UpdateMsgErr, to_fsm(request.error())));
    return;
  }
  // RFC 7313 section 5: unknown subtypes are ignored; BoRR/EoRR from the
  // peer need nothing from us since we keep no stale marks.
  if (request->subtype == wire::RouteRefreshSubtype::Request && events_.route_refresh) {
    events_.route_refresh(*this, request->family.afi);
  }
}

void Peer::send_outbound(const rib::OutboundBatch& batch) {
  Attempt* attempt = established_attempt();
  if (!attempt || !attempt->connection) return;
  auto encoded = encode_batch(batch, attempt->negotiated->options());
  if (encoded.skipped_groups > 0) {
    log_.warning("{} route groups not sent: no next hop of their family for this session",
                 encoded.skipped_groups);
  }
  updates_out_ += encoded.messages;
  if (encoded.bytes.empty()) return;
  attempt->connection->send(std::move(encoded.bytes));
  // RFC 4271 section 10: sending an UPDATE restarts the KeepaliveTimer
  // (the FSM leaves this to the shell, which knows what it sent).
  if (attempt->machine.timer_running(fsm::Timer::Keepalive)) {
    start_timer(*attempt, fsm::Timer::Keepalive, attempt->negotiated->keepalive_time);
  }
}

void Peer::request_route_refresh() {
  Attempt* attempt = established_attempt();
  if (!attempt || !attempt->negotiated->route_refresh) return;
  for (const auto& family : attempt->negotiated->families) {
    send_message(*attempt, encode_route_refresh_message(family));
  }
}

void Peer::update_neighbor(config::NeighborConfig neighbor) {
  neighbor_ = std::move(neighbor);
  local_open_ = wire::OpenMessage::make(local_.asn,
                                        static_cast<std::uint16_t>(neighbor_.hold_time.count()),
                                        local_.router_id, local_capabilities(neighbor_, local_.asn));
  // ao.rekey_interval, ao.rekey_after_bytes and the static key chain apply
  // live (profile section 4).
  for (const auto& attempt : attempts_) {
    const auto ao = attempt->connection ? attempt->connection->ao() : nullptr;
    if (!ao) continue;
    if (ao->derives_keys()) {
      ao->keying().set_rekey(rekey_config_of(neighbor_));
    } else {
      ao->set_chain(session::chain_of(ao_peer_of(neighbor_)));
    }
  }
}

rib::PeerInfo Peer::rib_info() const {
  rib::PeerInfo info;
  info.id = id_;
  info.address = neighbor_.address;
  info.asn = neighbor_.asn;
  info.bgp_identifier = remote_bgp_identifier();
  info.next_hop_self = neighbor_.next_hop_self;
  info.soft_reconfiguration_inbound = true;
  info.families.clear();
  if (auto* attempt = established_attempt()) {
    for (const auto& family : attempt->negotiated->families) info.families.push_back(family.afi);
    if (attempt->connection) {
      auto local = from_asio(attempt->connection->info().local.address());
      (local.is_v4() ? info.local_address_v4 : info.local_address_v6) = local;
    }
  }
  if (neighbor_.local_address) {
    (neighbor_.local_address->is_v4() ? info.local_address_v4 : info.local_address_v6) =
        neighbor_.local_address;
  }
  return info;
}

nlohmann::json Peer::status() const {
  using nlohmann::json;
  Attempt* attempt = established_attempt();
  if (!attempt) attempt = primary();
  const auto state = attempt ? attempt->machine.state() : fsm::State::Idle;
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - state_since_);
  json out = {
      {"address", neighbor_.address.to_string()},
      {"asn", neighbor_.asn},
      {"description", neighbor_.description},
      {"state", std::string(fsm::to_string(state))},
      {"state_seconds", since.count()},
      {"admin_shutdown", neighbor_.shutdown},
      {"established_transitions", established_transitions_},
      {"updates_in", updates_in_},
      {"updates_out", updates_out_},
      {"connections", attempts_.size()},
  };
  std::optional<session::TlsDetails> tls_session;
  std::shared_ptr<const session::AoSession> ao_session;
  if (attempt) {
    out["connect_retry_counter"] = attempt->machine.connect_retry_counter();
    if (attempt->connection) {
      const auto counters = attempt->connection->counters();
      const auto info = attempt->connection->info();
      out["transport"] = info.description();
      if (info.tls) tls_session = info.tls;
      ao_session = attempt->connection->ao();
      out["messages_in"] = counters.messages_in;
      out["messages_out"] = counters.messages_out;
      out["bytes_in"] = counters.bytes_in;
      out["bytes_out"] = counters.bytes_out;
    }
    if (attempt->remote_open) {
      out["remote_id"] = wire::IpAddress::v4(attempt->remote_open->bgp_identifier).to_string();
    }
    if (attempt->negotiated) {
      const auto& n = *attempt->negotiated;
      json families = json::array();
      for (const auto& f : n.families) families.push_back(f.afi == wire::Afi::Ipv4 ? "ipv4-unicast" : "ipv6-unicast");
      out["negotiated"] = {{"hold_time", n.hold_time},
                           {"keepalive", n.keepalive_time},
                           {"four_octet_as", n.four_octet_as},
                           {"route_refresh", n.route_refresh},
                           {"enhanced_route_refresh", n.enhanced_route_refresh},
                           {"extended_message", n.extended_message},
                           {"families", families}};
    }
  }
  if (auto tls = transports_.status(neighbor_); !tls.is_null()) {
    if (tls_session) {
      tls["version"] = tls_session->version;
      tls["cipher"] = tls_session->cipher;
      tls["alpn"] = tls_session->alpn;
      tls["peer_subject"] = tls_session->peer_subject;
      tls["peer_san"] = tls_session->peer_san;
      tls["handshake_ms"] = static_cast<double>(tls_session->handshake_time.count()) / 1000.0;
    }
    out["tls"] = std::move(tls);
  }
  if (auto ao = transports_.ao_status(neighbor_); !ao.is_null()) {
    if (ao_session) ao["session"] = to_json(*ao_session, std::chrono::steady_clock::now());
    out["ao"] = std::move(ao);
  }
  if (last_error_) {
    out["last_error"] = {{"direction", last_error_->sent ? "sent" : "received"},
                         {"code", static_cast<int>(last_error_->code)},
                         {"subcode", last_error_->subcode},
                         {"text", last_error_->text}};
  }
  return out;
}

}  // namespace bgpd::daemon
