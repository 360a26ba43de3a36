// aotls/tls/tcp_ao_extension.hpp - the `tcp_ao` TLS extension body
// (draft-piraux-tcp-ao-tls section 4.1, AO-TLS profile sections 2 and 3).
//
// Owns: the Announcement (what one endpoint will SEND with: option
// coverage, MAC, KDF), its 3-byte encoding `prot | auth | kdf`, and the
// decode errors with the TLS alert each one maps to. Pure: no OpenSSL
// handle, no I/O. The SSL_CTX wiring is tcp_ao_wiring.hpp.
//
// The extension is not a negotiation (draft -01 onwards): the client puts
// its own Announcement in ClientHello, the server its own in
// EncryptedExtensions; each describes the MKT protecting the segments its
// sender emits.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "aotls/crypto/algorithms.hpp"
#include "common/expected.hpp"

namespace aotls::tls {

// ExtensionType: not assigned by IANA. Profile section 3 fixes a private-use
// default (0xFF00), configurable (`ao.tls_extension_type`); both peers must
// agree, and a peer using another value is a peer without the extension.
inline constexpr std::uint16_t kDefaultTcpAoExtensionType = 65280;

// TCPAOOptionProt of the draft: whether TCP options other than TCP-AO are
// covered by the MAC (RFC 5925 section 3.1, the MKT's "TCP option flag").
enum class OptionProtection : std::uint8_t { Disabled = 0, Enabled = 1 };

struct Announcement {
  OptionProtection prot = OptionProtection::Disabled;
  crypto::MacAlgorithm auth = crypto::MacAlgorithm::HmacSha1_96;
  crypto::KdfAlgorithm kdf = crypto::KdfAlgorithm::HmacSha1;

  friend bool operator==(const Announcement&, const Announcement&) = default;
};

// extension_data is exactly the three 1-byte enums of struct TCPAO.
inline constexpr std::size_t kTcpAoExtensionBodyLen = 3;
using EncodedAnnouncement = std::array<std::uint8_t, kTcpAoExtensionBodyLen>;

// TLS AlertDescription values used by this module (RFC 8446 section 6.2).
enum class TlsAlert : std::uint8_t {
  HandshakeFailure = 40,
  IllegalParameter = 47,
  DecodeError = 50,
};

enum class ExtensionError : std::uint8_t {
  BadLength,        // body is not 3 bytes
  UnknownProt,      // prot other than 0 or 1
  UnknownAuth,      // auth code outside the profile's table
  UnknownKdf,       // kdf code outside the profile's table
  MixedAlgorithms,  // auth and kdf from different rows (profile section 2)
};

std::string_view to_string(ExtensionError error);

// Profile section 3: a body that is not 3 bytes is decode_error (RFC 8446
// section 6.2: "a message could not be decoded"); a well-formed body with a
// value we cannot use is illegal_parameter (profile section 2).
TlsAlert alert_for(ExtensionError error);

// Refuses announcements this endpoint could not send with (a mixed pair);
// the default-constructed Announcement is valid.
common::Expected<void, ExtensionError> validate(const Announcement& announcement);

EncodedAnnouncement encode(const Announcement& announcement);

// Checks, in order: length, prot, auth, kdf, the pair.
common::Expected<Announcement, ExtensionError> decode_announcement(
    std::span<const std::uint8_t> body);

}  // namespace aotls::tls
