// aotls/tls/peer_identity.cpp - see peer_identity.hpp.
#include "aotls/tls/peer_identity.hpp"

#include <openssl/x509v3.h>

namespace aotls::tls {

bool expect_peer(SSL* ssl, const PeerIdentity& identity) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (identity.kind == PeerIdentity::Kind::IpAddress) {
    // iPAddress SAN only: OpenSSL never falls back to the subject CN for IPs.
    return X509_VERIFY_PARAM_set1_ip_asc(param, identity.value.c_str()) == 1;
  }
  // RFC 6125 section 6.4.3: a wildcard only as the whole left-most label.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                             X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  return X509_VERIFY_PARAM_set1_host(param, identity.value.c_str(), identity.value.size()) == 1;
}

}  // namespace aotls::tls
