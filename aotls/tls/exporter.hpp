// aotls/tls/exporter.hpp - the MKT secrets derived from the TLS exporter
// (draft-piraux-tcp-ao-tls section 4.3, AO-TLS profile section 3).
//
// For the direction sent by endpoint E and key generation g:
//   g = 1:  TLS-Exporter("tcp-ao", prot|auth|kdf|key_id, 32)
//   g >= 2: TLS-Exporter("tcp-ao", prot|auth|kdf|key_id|g, 32), g 4 bytes BE
// with E's Announcement and that direction's KeyID (aotls/keys/key_layout.hpp). The g = 1
// context is the draft's TCPAOKeyExporterContext; the generation suffix is
// the profile's, so every generation's secret differs even when KeyIDs wrap.
// Client-to-server uses the CLIENT's announcement, server-to-client the
// SERVER's. The result is an MKT master key (RFC 5925 section 3.1); the
// traffic keys come from it through RFC 5926's KDF (aotls/crypto/kdf.hpp,
// label "TCP-AO" - upper case, a different constant).
//
// The context builder is pure; derive_* call SSL_export_keying_material
// (RFC 8446 section 7.5) on a handshake-capable SSL and nothing else.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "aotls/crypto/secret.hpp"
#include "aotls/keys/key_layout.hpp"
#include "aotls/tls/tcp_ao_extension.hpp"
#include "common/expected.hpp"

namespace aotls::tls {

using keys::Direction;
using KeyGeneration = keys::Generation;

// The exporter label: 6 ASCII bytes, no NUL (draft section 4.3).
inline constexpr std::string_view kExporterLabel = "tcp-ao";
inline constexpr std::size_t kMktSecretLen = 32;

enum class ExporterError : std::uint8_t {
  BadGeneration,  // g = 0
  BadDirection,   // Direction::Both names the default MKT, which is not derived
  NotExportable,  // OpenSSL refused: the handshake has not reached an export point
};

std::string_view to_string(ExporterError error);

class ExporterContext {
 public:
  static constexpr std::size_t kMaxLen = 8;
  ExporterContext(std::array<std::uint8_t, kMaxLen> bytes, std::size_t len)
      : bytes_(bytes), len_(len) {}
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), len_}; }

 private:
  std::array<std::uint8_t, kMaxLen> bytes_;
  std::size_t len_;
};

// 4 bytes for g = 1, 8 bytes for g >= 2; the KeyID is key_id(direction, g).
common::Expected<ExporterContext, ExporterError> exporter_context(Direction direction,
                                                                  const Announcement& sender,
                                                                  KeyGeneration g);

// One direction's 32-byte MKT secret. `sender` is the announcement of the
// endpoint sending in `direction`.
common::Expected<crypto::Secret, ExporterError> derive_mkt_secret(SSL* ssl, Direction direction,
                                                                  const Announcement& sender,
                                                                  KeyGeneration g);

struct GenerationSecrets {
  crypto::Secret client_to_server;  // KeyID c(g)
  crypto::Secret server_to_client;  // KeyID s(g)
};

// Both directions of generation g. Both endpoints compute the same pair;
// which is "send" and which "receive" depends on the role (profile section 3
// key layout).
common::Expected<GenerationSecrets, ExporterError> derive_generation(SSL* ssl,
                                                                     const Announcement& client,
                                                                     const Announcement& server,
                                                                     KeyGeneration g);

}  // namespace aotls::tls
