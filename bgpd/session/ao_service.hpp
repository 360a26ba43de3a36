// bgpd/session/ao_service.hpp - a process's TCP-AO keyed from TLS: one
// backend for every peer whose `ao` mode is opportunistic or required
// (profile section 5), the default MKT on listening sockets, and an
// AoSession per connection. bgpd runs one; so does the test injector.
//
// Owns: the backend choice (`auto`: kernel when its probe succeeds, else
// userspace), the userspace backend's NFQUEUE shell and peer rules, the key
// log writer (profile section 6), and the listening sockets' TCP-AO state.
// Startup errors are one line each (CAP_NET_ADMIN, `kernel` without kernel
// support, a key log file refused).
//
// Order (profile section 3, "default MKT installed per peer address before
// connect()/listen()"): a neighbor's default MKT goes on every listening
// socket of its family, and only then do the userspace rules send its
// segments through the queues; connections get theirs before connect().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/backend/nfqueue/userspace_backend.hpp"
#include "aotls/rekey/rekey_events.hpp"
#include "aotls/rekey/static_chain.hpp"
#include "aotls/keylog/writer.hpp"
#include "aotls/tls/tcp_ao_wiring.hpp"
#include "bgpd/session/ao_session.hpp"
#include "bgpd/session/tcp_transport.hpp"
#include "bgpd/session/transport.hpp"
#include "common/expected.hpp"
#include "common/log.hpp"

namespace bgpd::session {

struct AoServiceOptions {
  aotls::backend::BackendChoice backend = aotls::backend::BackendChoice::Auto;
  std::uint16_t nfqueue_base = 4200;        // userspace: queues base and base + 1
  std::optional<std::string> keylog_file;   // AOTLS_KEYLOGFILE wins (profile section 6)
  std::uint16_t listen_port = 179;          // our listeners' port, for the userspace rules
  // The generation every handshake derives first: 1 (profile section 3);
  // tests set BGPD_TEST_AO_FIRST_GENERATION to reach a KeyID wrap sooner.
  aotls::keys::Generation first_generation = aotls::keys::kFirstDerivedGeneration;
};

// A configured MKT (ao "static"), with what its lifetimes say now.
struct StaticKey {
  aotls::keys::KeyId send_id = 0;
  aotls::keys::KeyId recv_id = 0;
  aotls::keys::MktParams params;
  std::shared_ptr<const aotls::crypto::Secret> secret;  // shared, wiped with the last copy
  bool sendable = false;    // inside its send lifetime
  bool acceptable = false;  // inside its accept lifetime
  std::int64_t send_start = 0;    // for the choice of the newest key
  std::int64_t accept_start = 0;
  // The lifetimes themselves, for the rollover on a live connection.
  aotls::rekey::KeyLifetime send_lifetime;
  aotls::rekey::KeyLifetime accept_lifetime;
};

// One peer protected by TCP-AO: keys derived from the TLS handshake, or
// `static_keys` when it has any.
struct AoPeer {
  asio::ip::address address;
  std::uint16_t port = 179;                // the peer's port
  aotls::tls::Announcement announce;       // what we send with (profile section 3)
  aotls::tls::AoRequirement requirement = aotls::tls::AoRequirement::Opportunistic;
  std::vector<StaticKey> static_keys;
  aotls::rekey::RekeyConfig rekey{};  // derived keys: rollover triggers (profile section 4)

  bool is_static() const { return !static_keys.empty(); }
};

// A peer's static keys as a live session's chain rolls them (static_chain.hpp).
std::vector<aotls::rekey::ChainKey> chain_of(const AoPeer& peer);

class AoService : public std::enable_shared_from_this<AoService> {
 public:
  static common::Expected<std::shared_ptr<AoService>, std::string> start(
      const AoServiceOptions& options, common::log::Logger log);
  ~AoService();
  AoService(const AoService&) = delete;
  AoService& operator=(const AoService&) = delete;

  std::string_view backend_name() const;

  // A listening socket: every peer of its family gets its default MKT.
  void add_listener(int fd, const Endpoint& local);
  // Default MKT on the listeners and the userspace rules for the peer.
  common::Expected<void, std::string> add_peer(const AoPeer& peer);
  void remove_peer(const AoPeer& peer);
  // A reload's static keys for a known peer: on the listeners, new keys go
  // in and removed ones go out (live sessions roll through their chains).
  common::Expected<void, std::string> update_peer(const AoPeer& peer);

  // Active side, on a bound socket before connect(): the default MKT, or
  // a static peer's keys with the newest sendable key current and the
  // newest acceptable key's RecvID as RNextKeyID (profile section 4).
  common::Expected<std::shared_ptr<AoSession>, std::string> connecting(asio::ip::tcp::socket& socket,
                                                                      const AoPeer& peer);
  // Passive side, on an accepted socket (it inherited the default MKT).
  common::Expected<std::shared_ptr<AoSession>, std::string> accepted(asio::ip::tcp::socket& socket,
                                                                    const AoPeer& peer);

  // For the CLI: the kernel probe's one line, whether the key log is on,
  // and the userspace backend's queues and drops (nullopt for kernel).
  const std::string& kernel_probe() const;
  bool key_log_on() const;
  std::optional<aotls::backend::nfqueue::BackendDiagnostics> diagnostics() const;

  // Public for make_shared; use start().
  struct Parts;
  AoService(std::unique_ptr<Parts> parts, common::log::Logger log);

 private:
  common::Expected<std::shared_ptr<AoSession>, std::string> session(asio::ip::tcp::socket& socket,
                                                                   const AoPeer& peer,
                                                                   bool accepted);

  std::unique_ptr<Parts> parts_;
  common::log::Logger log_;
};

// The source address the kernel would use toward `remote` (a connected UDP
// socket's local address; nothing is sent): the userspace backend keys a
// connection by its 4-tuple before connect(), so it must be bound first.
common::Expected<asio::ip::address, std::error_code> source_address_for(
    const asio::ip::address& remote);

// Prepares an active connection's TCP-AO: binds it to a concrete source
// address when none is set (the userspace backend keys by 4-tuple) and
// hooks the default MKT in before connect(); `ao` receives the session.
// `service` and `ao` must outlive the connect.
common::Expected<void, std::error_code> prepare_ao_connect(AoService& service, const AoPeer& peer,
                                                           ConnectOptions& options,
                                                           std::shared_ptr<AoSession>& ao,
                                                           const common::log::Logger& log);

}  // namespace bgpd::session
