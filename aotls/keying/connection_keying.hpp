// aotls/keying/connection_keying.hpp - keys ONE TCP-AO connection from its
// TLS handshake (AO-TLS profile sections 3, 4 first bullet, 6).
//
// The shell around aotls/keys' KeyInstaller for one connection: it feeds the
// machine what the socket and the handshake say, and carries the machine's
// actions out on the socket synchronously, in order.
//  1. Default MKT: added before connect() (install_default_mkt) or inherited
//     by an accepted socket from its listener (default_mkt_inherited).
//  2. arm(): the SSL announces our tcp_ao parameters and is bound to this
//     object, so the exporter hook (exporter_hook.hpp) reaches us from
//     inside SSL_do_handshake at the exporter's first moment. There we
//     derive generation 1, append both key log lines, and install the keys
//     with Current_key / RNext_key in the profile's order BEFORE the
//     server's flight or the client's Finished can leave (profile section 3
//     steps 1 and 2; the server's SSL must write into a memory BIO or a BIO
//     pair, see exporter_hook.hpp). A peer without the extension
//     (opportunistic) gets nothing derived: it stays on the default MKT.
//  3. handshake_finished(): the outcome, or the error met inside the hook
//     (errors never cross OpenSSL's C frames).
//  4. tick(): the hold-down retirement of the default MKT, then generation 2
//     installed ahead (profile section 4, first bullet), then rollovers to
//     g+1 for as long as the connection lives (aotls/rekey): on the timer
//     and the byte count of KeyingOptions::rekey (traffic is reported with
//     note_traffic), on request_rollover(), or when the peer starts one.
//     The machine's Kick calls KeyingOptions::kick, outside the lock.
// status() and note_traffic() may be called from another thread (the CLI,
// the transport); everything else from the thread driving the handshake and
// the timer.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/keying/exporter_hook.hpp"
#include "aotls/keying/keying_error.hpp"
#include "aotls/keylog/writer.hpp"
#include "aotls/keys/key_events.hpp"
#include "aotls/keys/key_installer.hpp"
#include "aotls/rekey/rekey_machine.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "common/expected.hpp"

namespace aotls::keying {

using Clock = std::function<keys::TimePoint()>;
using RtoSource = std::function<keys::Duration()>;

struct KeyingOptions {
  keys::Side side = keys::Side::Client;  // Client (connect) or Server (accepted)
  backend::PeerPrefix peer;              // the peer (host prefix)
  tls::Announcement announce;            // what we send with (profile section 3)
  tls::AoRequirement requirement = tls::AoRequirement::Opportunistic;
  keylog::KeyLogWriter* keylog = nullptr;  // not owned; nullptr = key log off
  // Reads the time inside the handshake hook (the moment of the first key
  // switch); nullptr = std::chrono::steady_clock.
  Clock clock = nullptr;
  // The connection's RTO for the hold-down (max(3 x RTO, 2 s)); nullptr =
  // RFC 6298's initial 1 s.
  RtoSource rto = nullptr;
  // Rollover triggers (profile section 4; both unset: operator and peer only).
  rekey::RekeyConfig rekey{};
  // Profile section 4's kick: make the connection send a segment now (bgpd:
  // a KEEPALIVE). Changing RNextKeyID alone sends nothing.
  std::function<void()> kick = nullptr;
  // The generation the handshake derives: 1 in the profile. Tests start
  // later to reach a KeyID wrap (key_layout.hpp) in a short run; both ends
  // must agree.
  keys::Generation first_generation = keys::kFirstDerivedGeneration;
};

enum class KeyingOutcome : std::uint8_t {
  Derived,         // generation 1 installed
  DefaultMktOnly,  // opportunistic, the peer sent no tcp_ao: caller warns and counts
};

std::string_view to_string(KeyingOutcome outcome);

// What the CLI shows for one connection. Never secrets: keys appear by
// their IDs and counters only.
struct KeyingStatus {
  // "idle" | "default-mkt-only" | "switching" | "derived" | "next-installed"
  std::string state;
  keys::Generation generation = keys::kDefaultGeneration;
  std::optional<tls::Announcement> peer_announcement;
  std::optional<keys::KeyId> current_key_id;
  std::optional<keys::KeyId> rnext_key_id;
  std::vector<backend::KeyCounters> keys;
  std::uint64_t key_not_found = 0;
  std::uint64_t ao_required_missing = 0;
  std::uint64_t icmp_ignored = 0;
  // Since our last send-key switch; installing generation 1 counts as one.
  std::optional<keys::Duration> since_last_switch;
  std::optional<std::string> last_error;
  // Rollovers (derived keys only): the machine's view, the keys deleted
  // from the backend so far, and the backend's drop counters' growth while
  // rollovers were open (bad MAC summed over keys, key-not-found).
  std::optional<rekey::RekeyStatus> rekey;
  std::uint64_t keys_deleted = 0;
  std::uint64_t rollover_bad_mac = 0;
  std::uint64_t rollover_key_not_found = 0;
  // Set when the socket could not be read for this status.
  std::optional<std::string> backend_read_error;
};

// One line for logs and tests: state, generation, IDs, counters, error.
std::string to_string(const KeyingStatus& status);

// The socket's part of a status: Current_key / RNext_key, per-key and
// per-connection counters (a read failure lands in backend_read_error).
// Also the whole status of a connection with static keys.
void read_socket_status(backend::TcpAoSocket& socket, KeyingStatus& out);

// The state word of a key phase ("default-mkt-only" for DefaultOnly).
std::string_view state_name(keys::KeyPhase phase);

class ConnectionKeying final : private ExporterListener {
 public:
  // `socket` is not owned and must outlive this object.
  ConnectionKeying(backend::TcpAoSocket& socket, KeyingOptions options);
  ~ConnectionKeying();
  ConnectionKeying(const ConnectionKeying&) = delete;
  ConnectionKeying& operator=(const ConnectionKeying&) = delete;

  // Active side, before connect(): adds make_default_mkt() for the peer.
  std::error_code install_default_mkt();
  // Accepted side: the socket inherited the default MKT from its listener.
  void default_mkt_inherited();

  // Before the first handshake step, after every other per-SSL setup (it
  // calls tls::arm_tcp_ao). The SSL's CTX must carry both
  // tls::register_tcp_ao_extension and register_exporter_hook.
  common::Expected<void, KeyingError> arm(SSL* ssl);

  // After SSL_do_handshake returned 1 on the armed SSL.
  common::Expected<KeyingOutcome, KeyingError> handshake_finished(SSL* ssl);

  // Timer. Uses the SSL given to arm(), which must stay alive while ticks
  // happen (generation 2 is exported from it). Returns when to call again.
  // An error is final: every later call returns it too.
  common::Expected<keys::TimePoint, KeyingError> tick(keys::TimePoint now);

  // Starts a rollover now (the operator's command). RolloverRefused, not
  // fatal, while one is open or before generation 2 is installed.
  common::Expected<void, KeyingError> request_rollover(keys::TimePoint now);
  // A reload's rollover triggers.
  void set_rekey(rekey::RekeyConfig config);
  // Any thread: bytes the connection carried, for rekey_after_bytes.
  void note_traffic(std::uint64_t bytes) { traffic_.fetch_add(bytes); }

  // Any thread.
  KeyingStatus status(keys::TimePoint now) const;

 private:
  void on_exporter_secret(const SSL* ssl, const ExporterSecret& secret) noexcept override;

  // All private members below run with mutex_ held.
  std::optional<KeyingError> install_first_generation(const SSL* ssl, const ExporterSecret& secret);
  std::optional<KeyingError> feed(rekey::RekeyEvent event, keys::TimePoint now);
  std::optional<KeyingError> carry_out(rekey::RekeyActions actions, keys::TimePoint now);
  // Rollover bookkeeping after each event: the backend's drop counters
  // when a rollover opens, their growth when it closes.
  void note_rollover_edges(bool was_open);
  std::uint64_t drop_counters(std::uint64_t& key_not_found) const;
  void kick_if_asked();
  // DeriveSecrets: exports generation g from the armed SSL; the answer is
  // appended to `answers`.
  std::optional<KeyingError> derive_next(keys::Generation g,
                                         std::deque<rekey::RekeyEvent>& answers);
  // Key log lines for both directions; a failed write is noted, not fatal.
  void log_keys(const SSL* ssl, keys::Generation g, const tls::RoleAnnouncements& roles,
                const tls::GenerationSecrets& secrets);
  void note_switch(const keys::BackendPolled& polled);
  void fail(KeyingError error);
  keys::TimePoint clock_now() const;
  keys::Duration rto() const;
  keys::TimePoint next_tick(keys::TimePoint now) const;

  backend::TcpAoSocket& socket_;
  KeyingOptions options_;
  mutable std::mutex mutex_;
  rekey::RekeyMachine machine_;
  std::atomic<std::uint64_t> traffic_{0};
  bool kick_asked_ = false;
  std::uint64_t keys_deleted_ = 0;
  std::uint64_t bad_mac_at_open_ = 0;
  std::uint64_t key_not_found_at_open_ = 0;
  std::uint64_t rollover_bad_mac_ = 0;
  std::uint64_t rollover_key_not_found_ = 0;
  SSL* ssl_ = nullptr;
  ExporterBinding binding_;
  std::optional<tls::RoleAnnouncements> roles_;
  std::optional<tls::Announcement> peer_announcement_;
  std::optional<keys::TimePoint> last_switch_;
  keys::Generation switched_generation_ = keys::kDefaultGeneration;
  std::optional<KeyingError> failure_;
  std::optional<std::string> last_error_;
  std::atomic<bool> hook_aborted_{false};
};

}  // namespace aotls::keying
