// aotls/tls/peer_identity.hpp - who the peer certificate must name.
//
// Profile section 1: the peer certificate must carry the configured peer's
// IP address as an iPAddress subjectAltName, or, when a DNS name is
// configured, that name as a dNSName (RFC 6125 rules: no partial wildcards).
// The check is armed on the SSL before the handshake, so OpenSSL's chain
// verification fails the handshake (alert bad_certificate) on a mismatch.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace aotls::tls {

struct PeerIdentity {
  enum class Kind { IpAddress, DnsName };
  Kind kind = Kind::IpAddress;
  std::string value;  // "192.0.2.2", "2001:db8::2" or "r2.example.net"

  static PeerIdentity ip(std::string address) { return {Kind::IpAddress, std::move(address)}; }
  static PeerIdentity dns(std::string name) { return {Kind::DnsName, std::move(name)}; }
};

// Arms the check on `ssl`; false when the value cannot be used (an IP
// literal that does not parse).
bool expect_peer(SSL* ssl, const PeerIdentity& identity);

}  // namespace aotls::tls
