#include "aotls/tls/exporter.hpp"

#include <openssl/crypto.h>

namespace aotls::tls {

std::string_view to_string(ExporterError error) {
  switch (error) {
    case ExporterError::BadGeneration:
      return "key generation 0 does not exist (generations start at 1)";
    case ExporterError::BadDirection:
      return "only one direction's MKT is derived (the default MKT serves both)";
    case ExporterError::NotExportable:
      return "TLS exporter not available at this point of the handshake";
  }
  return "unknown exporter error";
}

common::Expected<ExporterContext, ExporterError> exporter_context(Direction direction,
                                                                  const Announcement& sender,
                                                                  KeyGeneration g) {
  if (g == 0) return common::Unexpected(ExporterError::BadGeneration);
  if (direction == Direction::Both) return common::Unexpected(ExporterError::BadDirection);
  const EncodedAnnouncement tcpao = encode(sender);
  std::array<std::uint8_t, ExporterContext::kMaxLen> bytes{tcpao[0],
                                                           tcpao[1],
                                                           tcpao[2],
                                                           keys::key_id(direction, g),
                                                           static_cast<std::uint8_t>(g >> 24),
                                                           static_cast<std::uint8_t>(g >> 16),
                                                           static_cast<std::uint8_t>(g >> 8),
                                                           static_cast<std::uint8_t>(g)};
  // g = 1 keeps the draft's 4-byte TCPAOKeyExporterContext, so the first
  // generation matches any implementation of the draft alone.
  return ExporterContext(bytes, g == 1 ? 4 : 8);
}

common::Expected<crypto::Secret, ExporterError> derive_mkt_secret(SSL* ssl, Direction direction,
                                                                  const Announcement& sender,
                                                                  KeyGeneration g) {
  const auto context = exporter_context(direction, sender, g);
  if (!context) return common::Unexpected(context.error());
  std::array<std::uint8_t, kMktSecretLen> out{};
  const auto ctx = context->bytes();
  // use_context = 1: RFC 8446 section 7.5 hashes the context in; TLS 1.3
  // treats an absent and an empty context alike, but ours is never empty.
  const int ok = SSL_export_keying_material(ssl, out.data(), out.size(), kExporterLabel.data(),
                                            kExporterLabel.size(), ctx.data(), ctx.size(), 1);
  crypto::Secret secret = ok == 1 ? crypto::Secret(out) : crypto::Secret();
  OPENSSL_cleanse(out.data(), out.size());
  if (ok != 1) return common::Unexpected(ExporterError::NotExportable);
  return secret;
}

common::Expected<GenerationSecrets, ExporterError> derive_generation(SSL* ssl,
                                                                     const Announcement& client,
                                                                     const Announcement& server,
                                                                     KeyGeneration g) {
  auto c2s = derive_mkt_secret(ssl, Direction::ClientToServer, client, g);
  if (!c2s) return common::Unexpected(c2s.error());
  auto s2c = derive_mkt_secret(ssl, Direction::ServerToClient, server, g);
  if (!s2c) return common::Unexpected(s2c.error());
  return GenerationSecrets{std::move(*c2s), std::move(*s2c)};
}

}  // namespace aotls::tls
