// aotls/tls/tcp_ao_wiring.hpp - the `tcp_ao` extension on OpenSSL handles
// (AO-TLS profile sections 1 and 3, draft-piraux-tcp-ao-tls section 4.1).
//
// register_tcp_ao_extension() installs, on an SSL_CTX of either role, the
// custom extension in ClientHello and EncryptedExtensions
// (SSL_CTX_add_custom_ext) plus two CTX hooks that see a MISSING extension:
//  - server: a ClientHello callback (SSL_CTX_set_client_hello_cb);
//  - client: a certificate-verify callback (SSL_CTX_set_cert_verify_callback)
//    that runs OpenSSL's own X509_verify_cert first. In TLS 1.3 the server
//    Certificate follows EncryptedExtensions, so this is the first point
//    where a client knows the server sent no tcp_ao; it can fail the
//    handshake only with peer verification on (SSL_VERIFY_PEER, which the
//    profile's mutual authentication always sets).
// A CTX user must not install its own callbacks of those two kinds.
//
// arm_tcp_ao() then gives one SSL its local Announcement and requirement
// (ex_data, freed with the SSL). An SSL that is not armed neither sends nor
// answers the extension. The server answers in EncryptedExtensions only when
// the client sent it (OpenSSL sends no unsolicited server extension).
//
// Outcomes (profile section 1 table): a peer announcement that does not
// decode fails the handshake with decode_error or illegal_parameter; a peer
// without the extension (or with another ExtensionType) fails it with
// handshake_failure under Required, and is recorded as PeerStatus::Absent
// (the `default-mkt-only` state) under Opportunistic.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "aotls/tls/tcp_ao_extension.hpp"
#include "common/expected.hpp"

namespace aotls::tls {

// The two `ao` modes of profile section 1 that derive keys from TLS.
enum class AoRequirement : std::uint8_t { Opportunistic, Required };

enum class WiringError : std::uint8_t {
  ExtensionTypeRefused,  // OpenSSL implements the type itself, or another extension has it
  AlreadyRegistered,     // this context already has a tcp_ao type
  InvalidAnnouncement,   // the local announcement is not a row of profile section 2
  AlreadyArmed,
  ExDataUnavailable,  // OpenSSL could not allocate a CTX or SSL ex_data slot
};

std::string_view to_string(WiringError error);

// OpenSSL refuses a type it handles itself (e.g. 65281 renegotiation_info)
// with return 0 and no error queued; that surfaces as ExtensionTypeRefused.
// One tcp_ao type per context (a second call is AlreadyRegistered).
common::Expected<void, WiringError> register_tcp_ao_extension(
    SSL_CTX* ctx, std::uint16_t extension_type = kDefaultTcpAoExtensionType);

// Call after every other per-SSL setup and before the first handshake step.
common::Expected<void, WiringError> arm_tcp_ao(SSL* ssl, const Announcement& local,
                                               AoRequirement requirement);

enum class PeerStatus : std::uint8_t {
  Pending,    // the peer's extension has not been looked for yet
  Announced,  // the peer's announcement decoded and is usable
  Absent,     // the peer sent no tcp_ao (or another ExtensionType)
  Invalid,    // the peer's body did not decode; the handshake was refused
};

struct TcpAoStatus {
  AoRequirement requirement = AoRequirement::Opportunistic;
  Announcement local;
  PeerStatus peer_status = PeerStatus::Pending;
  std::optional<Announcement> peer;     // when Announced
  std::optional<ExtensionError> error;  // when Invalid

  // True when this outcome fails the handshake. A client whose peer
  // verification is off completes the handshake anyway: its caller must
  // refuse the session when this is true.
  bool refuses_handshake() const {
    return peer_status == PeerStatus::Invalid ||
           (peer_status == PeerStatus::Absent && requirement == AoRequirement::Required);
  }
};

// nullopt when `ssl` is not armed. Pending turns into Absent once the
// handshake has finished without a peer announcement.
std::optional<TcpAoStatus> tcp_ao_status(const SSL* ssl);

// Both announcements by role, for the exporter (client's for
// client-to-server, server's for server-to-client); nullopt unless armed and
// the peer announced.
struct RoleAnnouncements {
  Announcement client;
  Announcement server;
};
std::optional<RoleAnnouncements> role_announcements(const SSL* ssl);

}  // namespace aotls::tls
