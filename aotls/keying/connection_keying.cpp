// aotls/keying/connection_keying.cpp - see connection_keying.hpp.
#include "aotls/keying/connection_keying.hpp"

#include <algorithm>
#include <deque>
#include <utility>
#include <variant>

#include "common/overloaded.hpp"

namespace aotls::keying {

namespace {

keys::MktParams params_of(const tls::Announcement& announcement) {
  return {announcement.prot == tls::OptionProtection::Enabled, announcement.auth, announcement.kdf};
}

keys::SecretsDerived secrets_event(keys::Generation g, const tls::RoleAnnouncements& roles,
                                   tls::GenerationSecrets secrets) {
  keys::SecretsDerived event;
  event.generation = g;
  event.client_to_server = {params_of(roles.client), std::move(secrets.client_to_server)};
  event.server_to_client = {params_of(roles.server), std::move(secrets.server_to_client)};
  return event;
}

std::string announcement_text(const tls::Announcement& a) {
  const tls::EncodedAnnouncement wire = tls::encode(a);
  return "prot " + std::to_string(wire[0]) + " auth " + std::to_string(wire[1]) + " kdf " +
         std::to_string(wire[2]);
}

std::string key_ids(keys::KeyId send_id, keys::KeyId recv_id) {
  return std::to_string(send_id) + "/" + std::to_string(recv_id);
}

// A delete that finds the key busy (a stale RNextKeyID moved Current_key
// back onto it) or already gone leaves nothing to repair: the next poll
// shows the key's fate and the machine retires it again (key_events.hpp).
bool benign_delete_error(std::error_code ec) {
  return ec == std::errc::device_or_resource_busy || ec == std::errc::no_such_file_or_directory;
}

std::string peer_refusal(const tls::TcpAoStatus& status) {
  if (status.peer_status == tls::PeerStatus::Invalid && status.error) {
    return std::string("peer announcement invalid: ") + std::string(tls::to_string(*status.error));
  }
  return "peer sent no tcp_ao extension and ao is required";
}

}  // namespace

std::string_view to_string(KeyingOutcome outcome) {
  return outcome == KeyingOutcome::Derived ? "derived" : "default-mkt-only";
}

std::string_view state_name(keys::KeyPhase phase) {
  // The installer's DefaultOnly is the profile's `default-mkt-only` state.
  return phase == keys::KeyPhase::DefaultOnly ? "default-mkt-only" : keys::to_string(phase);
}

std::string to_string(const KeyingStatus& status) {
  std::string out = "state=" + status.state + " g=" + std::to_string(status.generation);
  out += " peer=" + (status.peer_announcement
                         ? "{" + announcement_text(*status.peer_announcement) + "}"
                         : std::string("none"));
  auto id = [](const std::optional<keys::KeyId>& k) {
    return k ? std::to_string(*k) : std::string("-");
  };
  out += " current=" + id(status.current_key_id) + " rnext=" + id(status.rnext_key_id);
  out += " keys=[";
  for (std::size_t i = 0; i < status.keys.size(); ++i) {
    const backend::KeyCounters& key = status.keys[i];
    if (i != 0) out += " ";
    out += key_ids(key.send_id, key.recv_id) + ":good=" + std::to_string(key.good) +
           ",bad_mac=" + std::to_string(key.bad_mac);
  }
  out += "] key_not_found=" + std::to_string(status.key_not_found) +
         " ao_required_missing=" + std::to_string(status.ao_required_missing) +
         " icmp_ignored=" + std::to_string(status.icmp_ignored);
  if (status.since_last_switch) {
    out += " since_switch=" + std::to_string(status.since_last_switch->count()) + "ms";
  }
  if (status.last_error) out += " error=\"" + *status.last_error + "\"";
  if (status.backend_read_error) out += " read_error=\"" + *status.backend_read_error + "\"";
  return out;
}

ConnectionKeying::ConnectionKeying(backend::TcpAoSocket& socket, KeyingOptions options)
    : socket_(socket), options_(std::move(options)), installer_(options_.side) {}

ConnectionKeying::~ConnectionKeying() = default;

std::error_code ConnectionKeying::install_default_mkt() {
  const std::lock_guard lock(mutex_);
  if (installer_.phase() != keys::KeyPhase::Idle) return KeyingErrc::OutOfOrder;
  if (auto ec = socket_.add_key(options_.peer, keys::make_default_mkt())) {
    last_error_ = KeyingError(KeyingErrc::Backend, "adding the default MKT", ec).message;
    return ec;
  }
  // Idle accepts DefaultMktInstalled, and it asks for no action.
  (void)installer_.handle(keys::DefaultMktInstalled{});
  return {};
}

void ConnectionKeying::default_mkt_inherited() {
  const std::lock_guard lock(mutex_);
  // Idempotent: only Idle takes the event.
  if (installer_.phase() == keys::KeyPhase::Idle) {
    (void)installer_.handle(keys::DefaultMktInstalled{});
  }
}

common::Expected<void, KeyingError> ConnectionKeying::arm(SSL* ssl) {
  const std::lock_guard lock(mutex_);
  if (ssl == nullptr) return common::Unexpected(KeyingError(KeyingErrc::NotArmed, "no TLS handle"));
  if (ssl_ != nullptr) return common::Unexpected(KeyingError(KeyingErrc::AlreadyArmed, {}));
  auto bound = ExporterBinding::bind(ssl, *this);
  if (!bound) return common::Unexpected(bound.error());
  const auto armed = tls::arm_tcp_ao(ssl, options_.announce, options_.requirement);
  if (!armed) {
    const KeyingErrc code = armed.error() == tls::WiringError::AlreadyArmed
                                ? KeyingErrc::AlreadyArmed
                                : KeyingErrc::WiringRefused;
    return common::Unexpected(KeyingError(code, tls::to_string(armed.error())));
  }
  binding_ = std::move(*bound);
  ssl_ = ssl;
  return {};
}

void ConnectionKeying::on_exporter_secret(const SSL* ssl, const ExporterSecret& secret) noexcept {
  // OpenSSL's C frames are below: nothing may escape. An exception (an
  // allocation failure) is remembered and reported by handshake_finished.
  try {
    const std::lock_guard lock(mutex_);
    if (ssl != ssl_ || failure_) return;
    if (auto error = install_first_generation(ssl, secret)) fail(std::move(*error));
  } catch (...) {
    hook_aborted_.store(true);
  }
}

std::optional<KeyingError> ConnectionKeying::install_first_generation(
    const SSL* ssl, const ExporterSecret& secret) {
  const auto status = tls::tcp_ao_status(ssl);
  if (!status) return KeyingError(KeyingErrc::NotArmed, "tcp_ao state missing");
  if (status->peer_status != tls::PeerStatus::Announced) {
    // Profile section 1: opportunistic without the peer's extension stays
    // on the default MKT; required refuses (handshake_finished says so).
    if (status->refuses_handshake())
      return KeyingError(KeyingErrc::PeerRefused, peer_refusal(*status));
    return std::nullopt;
  }
  const auto roles = tls::role_announcements(ssl);
  if (!roles) return KeyingError(KeyingErrc::NotArmed, "announcements missing");
  peer_announcement_ = status->peer;
  roles_ = roles;
  auto secrets =
      derive_generation(secret, roles->client, roles->server, keys::kFirstDerivedGeneration);
  if (!secrets) return secrets.error();
  log_keys(ssl, keys::kFirstDerivedGeneration, *roles, *secrets);
  const keys::TimePoint now = clock_now();
  if (auto error =
          feed(secrets_event(keys::kFirstDerivedGeneration, *roles, std::move(*secrets)), now)) {
    return error;
  }
  // The installation of generation 1 is the connection's first key switch.
  last_switch_ = now;
  switched_generation_ = keys::kFirstDerivedGeneration;
  return std::nullopt;
}

common::Expected<KeyingOutcome, KeyingError> ConnectionKeying::handshake_finished(SSL* ssl) {
  const std::lock_guard lock(mutex_);
  if (ssl == nullptr || ssl != ssl_) {
    return common::Unexpected(KeyingError(KeyingErrc::NotArmed, {}));
  }
  if (hook_aborted_.load() && !failure_) {
    fail(KeyingError(KeyingErrc::HookNotRun, "the exporter hook was aborted by an exception"));
  }
  if (failure_) return common::Unexpected(*failure_);
  if (SSL_is_init_finished(ssl) != 1) {
    return common::Unexpected(KeyingError(KeyingErrc::OutOfOrder, "handshake not finished"));
  }
  const auto status = tls::tcp_ao_status(ssl);
  if (!status) return common::Unexpected(KeyingError(KeyingErrc::NotArmed, {}));
  // A client without peer verification finishes a handshake that the
  // profile refuses (tcp_ao_wiring.hpp): the session must not start.
  if (status->refuses_handshake()) {
    fail(KeyingError(KeyingErrc::PeerRefused, peer_refusal(*status)));
    return common::Unexpected(*failure_);
  }
  if (status->peer_status != tls::PeerStatus::Announced) return KeyingOutcome::DefaultMktOnly;
  if (installer_.generation() < keys::kFirstDerivedGeneration) {
    fail(KeyingError(KeyingErrc::HookNotRun, {}));
    return common::Unexpected(*failure_);
  }
  return KeyingOutcome::Derived;
}

common::Expected<keys::TimePoint, KeyingError> ConnectionKeying::tick(keys::TimePoint now) {
  const std::lock_guard lock(mutex_);
  if (failure_) return common::Unexpected(*failure_);
  if (auto error = feed(keys::TimePassed{now}, now)) {
    fail(std::move(*error));
    return common::Unexpected(*failure_);
  }
  return next_tick(now);
}

KeyingStatus ConnectionKeying::status(keys::TimePoint now) const {
  const std::lock_guard lock(mutex_);
  KeyingStatus out;
  out.state = state_name(installer_.phase());
  out.generation = installer_.generation();
  out.peer_announcement = peer_announcement_;
  out.last_error = last_error_;
  if (last_switch_) {
    out.since_last_switch = std::chrono::duration_cast<keys::Duration>(now - *last_switch_);
  }
  // Before the default MKT the socket has no TCP-AO state to read.
  if (installer_.phase() == keys::KeyPhase::Idle) return out;
  read_socket_status(socket_, out);
  return out;
}

void read_socket_status(backend::TcpAoSocket& socket, KeyingStatus& out) {
  if (auto connection = socket.status()) {
    out.current_key_id = connection->current_key_id;
    out.rnext_key_id = connection->rnext_key_id;
    out.key_not_found = connection->key_not_found;
    out.ao_required_missing = connection->ao_required_missing;
    out.icmp_ignored = connection->icmp_ignored;
  } else {
    out.backend_read_error = connection.error().message();
  }
  if (auto counters = socket.key_counters()) {
    out.keys = std::move(*counters);
  } else {
    out.backend_read_error = counters.error().message();
  }
}

std::optional<KeyingError> ConnectionKeying::feed(keys::KeyEvent event, keys::TimePoint now) {
  auto actions = installer_.handle(std::move(event));
  if (!actions) return KeyingError(KeyingErrc::KeyMachine, keys::to_string(actions.error()));
  return carry_out(std::move(*actions), now);
}

// keys/key_events.hpp: a batch of actions is carried out in order before
// the next event is fed; PollBackend and DeriveSecrets are answered by
// events, fed once their batch is done, each with its own batch in turn.
std::optional<KeyingError> ConnectionKeying::carry_out(keys::KeyActions actions,
                                                       keys::TimePoint now) {
  std::deque<keys::KeyEvent> answers;
  for (;;) {
    for (keys::KeyAction& action : actions) {
      std::optional<KeyingError> error = std::visit(
          common::Overloaded{
              [&](const keys::InstallKey& a) -> std::optional<KeyingError> {
                if (auto ec = backend::apply(socket_, options_.peer, a)) {
                  return KeyingError(KeyingErrc::Backend, "adding " + keys::to_string(a.mkt), ec);
                }
                return std::nullopt;
              },
              [&](const keys::DeleteKey& a) -> std::optional<KeyingError> {
                const auto ec = backend::apply(socket_, options_.peer, a);
                if (!ec || benign_delete_error(ec)) return std::nullopt;
                return KeyingError(KeyingErrc::Backend,
                                   "deleting MKT " + key_ids(a.send_id, a.recv_id), ec);
              },
              [&](const keys::SetCurrent& a) -> std::optional<KeyingError> {
                if (auto ec = backend::apply(socket_, a)) {
                  return KeyingError(KeyingErrc::Backend,
                                     "setting Current_key " + std::to_string(a.send_id), ec);
                }
                return std::nullopt;
              },
              [&](const keys::SetRNext& a) -> std::optional<KeyingError> {
                if (auto ec = backend::apply(socket_, a)) {
                  return KeyingError(KeyingErrc::Backend,
                                     "setting RNext_key " + std::to_string(a.recv_id), ec);
                }
                return std::nullopt;
              },
              [&](const keys::PollBackend&) -> std::optional<KeyingError> {
                auto polled = backend::poll(socket_, now, rto());
                if (!polled) {
                  return KeyingError(KeyingErrc::Backend, "reading keys", polled.error());
                }
                note_switch(*polled);
                answers.emplace_back(std::move(*polled));
                return std::nullopt;
              },
              [&](const keys::DeriveSecrets& a) -> std::optional<KeyingError> {
                return derive_next(a.generation, answers);
              },
          },
          action);
      if (error) return error;
    }
    if (answers.empty()) return std::nullopt;
    auto next = installer_.handle(std::move(answers.front()));
    answers.pop_front();
    if (!next) return KeyingError(KeyingErrc::KeyMachine, keys::to_string(next.error()));
    actions = std::move(*next);
  }
}

std::optional<KeyingError> ConnectionKeying::derive_next(keys::Generation g,
                                                         std::deque<keys::KeyEvent>& answers) {
  if (ssl_ == nullptr || !roles_) {
    return KeyingError(KeyingErrc::OutOfOrder, "generation " + std::to_string(g) +
                                                   " needs the TLS connection of generation 1");
  }
  auto secrets = tls::derive_generation(ssl_, roles_->client, roles_->server, g);
  if (!secrets) return KeyingError(KeyingErrc::ExporterFailed, tls::to_string(secrets.error()));
  log_keys(ssl_, g, *roles_, *secrets);
  answers.emplace_back(secrets_event(g, *roles_, std::move(*secrets)));
  return std::nullopt;
}

void ConnectionKeying::log_keys(const SSL* ssl, keys::Generation g,
                                const tls::RoleAnnouncements& roles,
                                const tls::GenerationSecrets& secrets) {
  if (options_.keylog == nullptr) return;
  keylog::ClientRandom random{};
  if (SSL_get_client_random(ssl, random.data(), random.size()) != random.size()) {
    last_error_ = "key log: no ClientHello random";
    return;
  }
  const keylog::KeyLogEntry entries[] = {
      {random, g, keys::Direction::ClientToServer, roles.client, secrets.client_to_server},
      {random, g, keys::Direction::ServerToClient, roles.server, secrets.server_to_client},
  };
  for (const keylog::KeyLogEntry& entry : entries) {
    // Profile section 6: the key log is for debugging; a failed write is
    // reported in the status, never a reason to drop the session.
    if (auto ec = options_.keylog->write(entry)) last_error_ = "key log: " + ec.message();
  }
}

void ConnectionKeying::note_switch(const keys::BackendPolled& polled) {
  if (!polled.current_key) return;
  for (const keys::KeyRecord& key : installer_.keys()) {
    if (key.use != keys::KeyUse::Send || key.send_id != *polled.current_key) continue;
    if (key.generation > switched_generation_) {
      switched_generation_ = key.generation;
      last_switch_ = polled.now;
    }
  }
}

void ConnectionKeying::fail(KeyingError error) {
  last_error_ = error.message;
  failure_ = std::move(error);
}

keys::TimePoint ConnectionKeying::clock_now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

keys::Duration ConnectionKeying::rto() const {
  return options_.rto ? options_.rto() : keys::BackendPolled{}.rto;
}

// The installer polls fast while a switch or a retirement is open and
// slowly otherwise (profile section 4); a tick is asked for at that pace.
keys::TimePoint ConnectionKeying::next_tick(keys::TimePoint now) const {
  const auto& records = installer_.keys();
  const bool open = installer_.phase() == keys::KeyPhase::Switching ||
                    std::any_of(records.begin(), records.end(), [](const keys::KeyRecord& key) {
                      return key.state != keys::KeyState::Active;
                    });
  return now + (open ? keys::kFastPollInterval : keys::kSlowPollInterval);
}

}  // namespace aotls::keying
