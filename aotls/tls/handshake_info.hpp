// aotls/tls/handshake_info.hpp - what an established TLS session shows the
// operator: negotiated version, cipher suite, ALPN, and the peer
// certificate's subject and subjectAltNames. Public data only.
#pragma once

#include <openssl/ssl.h>

#include <string>
#include <vector>

namespace aotls::tls {

struct HandshakeInfo {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string alpn;     // "botls"
  std::string peer_subject;
  std::vector<std::string> peer_san;  // "IP:192.0.2.2", "DNS:r2.lab"
};

HandshakeInfo describe(const SSL* ssl);

}  // namespace aotls::tls
