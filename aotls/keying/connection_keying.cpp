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

bool idle(const rekey::RekeyMachine& machine) {
  return machine.phase() == rekey::RekeyPhase::Installing &&
         machine.install_phase() == keys::KeyPhase::Idle;
}

// The installer's words while it runs; after it, the rekey machine's
// (Ready keeps the installer's last word: g current, g+1 installed).
std::string state_of(const rekey::RekeyMachine& machine) {
  switch (machine.phase()) {
    case rekey::RekeyPhase::Installing:
      return std::string(state_name(machine.install_phase()));
    case rekey::RekeyPhase::Ready:
      return std::string(state_name(keys::KeyPhase::NextInstalled));
    case rekey::RekeyPhase::Rolling:
    case rekey::RekeyPhase::Deriving:
      break;
  }
  return std::string(rekey::to_string(machine.phase()));
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
  if (status.rekey) {
    out += " rekey=\"" + rekey::to_string(*status.rekey) + "\" deleted=" +
           std::to_string(status.keys_deleted);
  }
  if (status.last_error) out += " error=\"" + *status.last_error + "\"";
  if (status.backend_read_error) out += " read_error=\"" + *status.backend_read_error + "\"";
  return out;
}

ConnectionKeying::ConnectionKeying(backend::TcpAoSocket& socket, KeyingOptions options)
    : socket_(socket),
      options_(std::move(options)),
      machine_(options_.side, options_.rekey, options_.first_generation) {}

ConnectionKeying::~ConnectionKeying() = default;

std::error_code ConnectionKeying::install_default_mkt() {
  const std::lock_guard lock(mutex_);
  if (!idle(machine_)) return KeyingErrc::OutOfOrder;
  if (auto ec = socket_.add_key(options_.peer, keys::make_default_mkt())) {
    last_error_ = KeyingError(KeyingErrc::Backend, "adding the default MKT", ec).message;
    return ec;
  }
  // Idle accepts DefaultMktInstalled, and it asks for no action.
  (void)machine_.handle(keys::DefaultMktInstalled{});
  return {};
}

void ConnectionKeying::default_mkt_inherited() {
  const std::lock_guard lock(mutex_);
  // Idempotent: only Idle takes the event.
  if (idle(machine_)) (void)machine_.handle(keys::DefaultMktInstalled{});
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
  const keys::Generation first = options_.first_generation;
  auto secrets = derive_generation(secret, roles->client, roles->server, first);
  if (!secrets) return secrets.error();
  log_keys(ssl, first, *roles, *secrets);
  const keys::TimePoint now = clock_now();
  if (auto error = feed(secrets_event(first, *roles, std::move(*secrets)), now)) return error;
  // The installation of generation 1 is the connection's first key switch.
  last_switch_ = now;
  switched_generation_ = first;
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
  if (!roles_) {
    fail(KeyingError(KeyingErrc::HookNotRun, {}));
    return common::Unexpected(*failure_);
  }
  return KeyingOutcome::Derived;
}

common::Expected<keys::TimePoint, KeyingError> ConnectionKeying::tick(keys::TimePoint now) {
  auto next = [&]() -> common::Expected<keys::TimePoint, KeyingError> {
    const std::lock_guard lock(mutex_);
    if (failure_) return common::Unexpected(*failure_);
    std::optional<KeyingError> error;
    if (const std::uint64_t bytes = traffic_.exchange(0); bytes != 0) {
      error = feed(rekey::BytesTransferred{bytes}, now);
    }
    if (!error) error = feed(keys::TimePassed{now}, now);
    if (error) {
      fail(std::move(*error));
      return common::Unexpected(*failure_);
    }
    return next_tick(now);
  }();
  kick_if_asked();
  return next;
}

common::Expected<void, KeyingError> ConnectionKeying::request_rollover(keys::TimePoint now) {
  auto started = [&]() -> common::Expected<void, KeyingError> {
    const std::lock_guard lock(mutex_);
    if (failure_) return common::Unexpected(*failure_);
    // The machine takes the time from events: let it see now first.
    std::optional<KeyingError> error = feed(keys::TimePassed{now}, now);
    if (!error) {
      const bool was_open = machine_.status().rollover_in_progress;
      auto actions = machine_.handle(rekey::RolloverCommand{});
      if (!actions) {
        const auto refusal = actions.error();
        if (refusal == rekey::RekeyError::NotReady ||
            refusal == rekey::RekeyError::RolloverInProgress) {
          return common::Unexpected(
              KeyingError(KeyingErrc::RolloverRefused, rekey::to_string(refusal)));
        }
        error = KeyingError(KeyingErrc::KeyMachine, rekey::to_string(refusal));
      } else {
        error = carry_out(std::move(*actions), now);
        note_rollover_edges(was_open);
      }
    }
    if (error) {
      fail(std::move(*error));
      return common::Unexpected(*failure_);
    }
    return {};
  }();
  kick_if_asked();
  return started;
}

void ConnectionKeying::set_rekey(rekey::RekeyConfig config) {
  const std::lock_guard lock(mutex_);
  options_.rekey = config;
  machine_.set_config(config);
}

KeyingStatus ConnectionKeying::status(keys::TimePoint now) const {
  const std::lock_guard lock(mutex_);
  KeyingStatus out;
  out.state = state_of(machine_);
  out.rekey = machine_.status();
  out.generation = out.rekey->generation;
  out.keys_deleted = keys_deleted_;
  out.rollover_bad_mac = rollover_bad_mac_;
  out.rollover_key_not_found = rollover_key_not_found_;
  out.peer_announcement = peer_announcement_;
  out.last_error = last_error_;
  if (last_switch_) {
    out.since_last_switch = std::chrono::duration_cast<keys::Duration>(now - *last_switch_);
  }
  // Before the default MKT the socket has no TCP-AO state to read.
  if (idle(machine_)) return out;
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

std::optional<KeyingError> ConnectionKeying::feed(rekey::RekeyEvent event, keys::TimePoint now) {
  const bool was_open = machine_.status().rollover_in_progress;
  auto actions = machine_.handle(std::move(event));
  if (!actions) return KeyingError(KeyingErrc::KeyMachine, rekey::to_string(actions.error()));
  auto error = carry_out(std::move(*actions), now);
  note_rollover_edges(was_open);
  return error;
}

// Drops during rollovers come from the backend's own counters (issue: never
// from the machine's bookkeeping): bad MACs over every key and key-not-found.
std::uint64_t ConnectionKeying::drop_counters(std::uint64_t& key_not_found) const {
  std::uint64_t bad_mac = 0;
  if (auto counters = socket_.key_counters()) {
    for (const backend::KeyCounters& key : *counters) bad_mac += key.bad_mac;
  }
  if (auto connection = socket_.status()) key_not_found = connection->key_not_found;
  return bad_mac;
}

void ConnectionKeying::note_rollover_edges(bool was_open) {
  const bool open = machine_.status().rollover_in_progress;
  if (open == was_open) return;
  std::uint64_t key_not_found = key_not_found_at_open_;
  const std::uint64_t bad_mac = drop_counters(key_not_found);
  if (open) {
    bad_mac_at_open_ = bad_mac;
    key_not_found_at_open_ = key_not_found;
    return;
  }
  // Deleted keys take their counters with them: growth only, never negative.
  rollover_bad_mac_ += bad_mac > bad_mac_at_open_ ? bad_mac - bad_mac_at_open_ : 0;
  rollover_key_not_found_ +=
      key_not_found > key_not_found_at_open_ ? key_not_found - key_not_found_at_open_ : 0;
}

void ConnectionKeying::kick_if_asked() {
  bool asked = false;
  {
    const std::lock_guard lock(mutex_);
    asked = std::exchange(kick_asked_, false);
  }
  if (asked && options_.kick) options_.kick();
}

// keys/key_events.hpp: a batch of actions is carried out in order before
// the next event is fed; PollBackend and DeriveSecrets are answered by
// events, fed once their batch is done, each with its own batch in turn.
std::optional<KeyingError> ConnectionKeying::carry_out(rekey::RekeyActions actions,
                                                       keys::TimePoint now) {
  std::deque<rekey::RekeyEvent> answers;
  for (;;) {
    for (rekey::RekeyAction& action : actions) {
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
                if (!ec) ++keys_deleted_;
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
              [&](const rekey::Kick&) -> std::optional<KeyingError> {
                kick_asked_ = true;
                return std::nullopt;
              },
          },
          action);
      if (error) return error;
    }
    if (answers.empty()) return std::nullopt;
    auto next = machine_.handle(std::move(answers.front()));
    answers.pop_front();
    if (!next) return KeyingError(KeyingErrc::KeyMachine, rekey::to_string(next.error()));
    actions = std::move(*next);
  }
}

std::optional<KeyingError> ConnectionKeying::derive_next(keys::Generation g,
                                                         std::deque<rekey::RekeyEvent>& answers) {
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
  for (const keys::KeyRecord& key : machine_.keys()) {
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

// The machines poll fast while a switch, a rollover or a retirement is open
// and slowly otherwise (profile section 4); a tick is asked for at that pace.
keys::TimePoint ConnectionKeying::next_tick(keys::TimePoint now) const {
  const auto& records = machine_.keys();
  const bool open = (machine_.phase() == rekey::RekeyPhase::Installing &&
                     machine_.install_phase() == keys::KeyPhase::Switching) ||
                    machine_.status().rollover_in_progress ||
                    std::any_of(records.begin(), records.end(), [](const keys::KeyRecord& key) {
                      return key.state != keys::KeyState::Active;
                    });
  const keys::TimePoint poll = now + (open ? keys::kFastPollInterval : keys::kSlowPollInterval);
  // A timer rollover (profile section 4) starts when its interval ends, not
  // up to a slow poll later; never sooner than a fast poll from now.
  const auto due = machine_.timer_due();
  return due ? std::min(poll, std::max(*due, now + keys::kFastPollInterval)) : poll;
}

}  // namespace aotls::keying
