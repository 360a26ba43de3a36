#include "aotls/tls/tcp_ao_extension.hpp"

namespace aotls::tls {

namespace {

ExtensionError from_crypto(crypto::CryptoError error) {
  switch (error) {
    case crypto::CryptoError::UnknownMacAlgorithm:
      return ExtensionError::UnknownAuth;
    case crypto::CryptoError::UnknownKdfAlgorithm:
      return ExtensionError::UnknownKdf;
    default:
      return ExtensionError::MixedAlgorithms;
  }
}

}  // namespace

std::string_view to_string(ExtensionError error) {
  switch (error) {
    case ExtensionError::BadLength:
      return "tcp_ao extension body is not 3 bytes";
    case ExtensionError::UnknownProt:
      return "tcp_ao extension: unknown option protection value";
    case ExtensionError::UnknownAuth:
      return "tcp_ao extension: unknown authentication algorithm";
    case ExtensionError::UnknownKdf:
      return "tcp_ao extension: unknown key derivation function";
    case ExtensionError::MixedAlgorithms:
      return "tcp_ao extension: MAC and KDF do not form a supported pair";
  }
  return "tcp_ao extension: unknown error";
}

TlsAlert alert_for(ExtensionError error) {
  return error == ExtensionError::BadLength ? TlsAlert::DecodeError : TlsAlert::IllegalParameter;
}

common::Expected<void, ExtensionError> validate(const Announcement& announcement) {
  if (announcement.prot != OptionProtection::Disabled &&
      announcement.prot != OptionProtection::Enabled) {
    return common::Unexpected(ExtensionError::UnknownProt);
  }
  // Round-trip the codes through the table so a value cast from an
  // arbitrary integer is refused like one read from the wire.
  const auto auth = crypto::mac_algorithm_from_code(static_cast<std::uint8_t>(announcement.auth));
  if (!auth) return common::Unexpected(from_crypto(auth.error()));
  const auto kdf = crypto::kdf_algorithm_from_code(static_cast<std::uint8_t>(announcement.kdf));
  if (!kdf) return common::Unexpected(from_crypto(kdf.error()));
  const auto pair = crypto::check_algorithm_pair(*auth, *kdf);
  if (!pair) return common::Unexpected(from_crypto(pair.error()));
  return {};
}

EncodedAnnouncement encode(const Announcement& announcement) {
  return {static_cast<std::uint8_t>(announcement.prot),
          static_cast<std::uint8_t>(announcement.auth),
          static_cast<std::uint8_t>(announcement.kdf)};
}

common::Expected<Announcement, ExtensionError> decode_announcement(
    std::span<const std::uint8_t> body) {
  if (body.size() != kTcpAoExtensionBodyLen) return common::Unexpected(ExtensionError::BadLength);
  if (body[0] > static_cast<std::uint8_t>(OptionProtection::Enabled)) {
    return common::Unexpected(ExtensionError::UnknownProt);
  }
  const Announcement announcement{static_cast<OptionProtection>(body[0]),
                                  static_cast<crypto::MacAlgorithm>(body[1]),
                                  static_cast<crypto::KdfAlgorithm>(body[2])};
  const auto valid = validate(announcement);
  if (!valid) return common::Unexpected(valid.error());
  return announcement;
}

}  // namespace aotls::tls
