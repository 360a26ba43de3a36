// tests/unit/keying/test_support.hpp - what the keying tests share: a
// TcpAoSocket over the keys tests' fake (Linux's key rules, real MACs) that
// records every call into an event log, and a pair of TLS endpoints joined
// by memory BIOs, each keyed by its own ConnectionKeying.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/keying/connection_keying.hpp"
#include "tests/unit/keys/fake_backend.hpp"
#include "tests/unit/tls/memory_handshake.hpp"
#include "tests/unit/tls/test_pki.hpp"

namespace aotls::keying::testing {

using Bytes = std::vector<std::uint8_t>;
using EventLog = std::vector<std::string>;

// Secrets are compared as bytes with EXPECT_TRUE, never EXPECT_EQ, so that a
// failure does not print key material.
Bytes bytes_of(const crypto::Secret& secret);

backend::PeerPrefix loopback_peer();

inline constexpr tls::Announcement kClientAnn{};  // prot 0, HMAC-SHA-1-96, KDF_HMAC_SHA1
inline constexpr tls::Announcement kServerAnn{tls::OptionProtection::Enabled,
                                              crypto::MacAlgorithm::AesCmac128_96,
                                              crypto::KdfAlgorithm::AesCmac128};

// Records "<name>: add 1/1", "<name>: delete 0/0", "<name>: current 1",
// "<name>: rnext 2" before making the call on the fake.
class RecordingSocket final : public backend::TcpAoSocket {
 public:
  RecordingSocket(std::string name, EventLog* log) : name_(std::move(name)), log_(log) {}

  backend::SocketRole role() const override { return backend::SocketRole::Connection; }
  std::error_code add_key(const backend::PeerPrefix& peer, const keys::Mkt& mkt) override;
  std::error_code delete_key(const backend::PeerPrefix& peer, keys::KeyId send_id,
                             keys::KeyId recv_id,
                             const backend::KeyReplacement& replacement) override;
  std::error_code set_current(keys::KeyId send_id) override;
  std::error_code set_rnext(keys::KeyId recv_id) override;
  common::Expected<backend::ConnectionStatus, std::error_code> status() override;
  common::Expected<std::vector<backend::KeyCounters>, std::error_code> key_counters() override;

  keys::testing::FakeAoSocket& fake() { return fake_; }
  const std::vector<backend::PeerPrefix>& peers_seen() const { return peers_; }
  // add_key of keys of generation >= `from` answers `error` from now on.
  void refuse_add_key(std::error_code error, keys::Generation from) {
    refuse_ = error;
    refuse_from_ = from;
  }

 private:
  void record(const std::string& event);

  std::string name_;
  EventLog* log_;
  keys::testing::FakeAoSocket fake_;
  std::vector<backend::PeerPrefix> peers_;
  std::optional<std::error_code> refuse_;
  keys::Generation refuse_from_ = 0;
};

// The secret of the installed key whose SendID is `send_id`; empty if none.
Bytes secret_by_send_id(const keys::testing::FakeAoSocket& socket, keys::KeyId send_id);
std::vector<keys::KeyId> installed_send_ids(const keys::testing::FakeAoSocket& socket);

// A CTX with the tcp_ao extension and the exporter hook registered.
tls::test::CtxPtr keyed_context(bool server);

// With a log: every SSL of the pair records into it "<side>: exporter" when
// OpenSSL logs the exporter secret (a key log callback registered before the
// hook, so it runs first) and "<side>: write <message>" for each handshake
// message it writes (SSL_set_msg_callback).
void record_handshake(SSL* ssl, EventLog* log);

// One segment from `from`'s fake to the other's, under the sender's
// Current_key and RNext_key; the receiver's verdict.
keys::testing::Verdict deliver(keys::testing::FakeAoSocket& sender,
                               keys::testing::FakeAoSocket& receiver, keys::Side from,
                               std::uint64_t number);

struct EndpointSetup {
  bool armed = true;  // false: the SSL neither sends nor answers tcp_ao
  tls::Announcement announce;
  tls::AoRequirement requirement = tls::AoRequirement::Opportunistic;
  keylog::KeyLogWriter* keylog = nullptr;
  rekey::RekeyConfig rekey{};
  std::function<void()> kick = nullptr;
  keys::Generation first_generation = keys::kFirstDerivedGeneration;
};

// Client and server over memory BIOs, each with a RecordingSocket holding
// the default MKT (the client's added by install_default_mkt, the server's
// "inherited") and a ConnectionKeying armed on its SSL before any step.
class KeyedPair {
 public:
  KeyedPair(EndpointSetup client, EndpointSetup server, EventLog* log = nullptr);

  tls::test::MemoryHandshake& hs() { return hs_; }
  SSL* ssl(tls::test::Side side) { return hs_.ssl(side); }
  RecordingSocket& socket(tls::test::Side side) {
    return side == tls::test::Side::Client ? client_socket_ : server_socket_;
  }
  ConnectionKeying& keying(tls::test::Side side) {
    return side == tls::test::Side::Client ? client_keying_ : server_keying_;
  }
  // The clock both ConnectionKeying objects read inside the hook.
  keys::TimePoint& now() { return now_; }

 private:
  KeyingOptions options(keys::Side side, const EndpointSetup& setup);

  tls::test::CtxPtr client_ctx_;
  tls::test::CtxPtr server_ctx_;
  tls::test::MemoryHandshake hs_;
  keys::TimePoint now_{std::chrono::hours(1)};
  RecordingSocket client_socket_;
  RecordingSocket server_socket_;
  ConnectionKeying client_keying_;
  ConnectionKeying server_keying_;
};

// Both armed, opportunistic, announcing kClientAnn / kServerAnn.
EndpointSetup client_setup(keylog::KeyLogWriter* keylog = nullptr);
EndpointSetup server_setup(keylog::KeyLogWriter* keylog = nullptr);

}  // namespace aotls::keying::testing
