// tests/unit/tls/test_pki.hpp - a throwaway CA and leaf made in memory
// (EC P-256) and TLS 1.3 contexts that trust them, for in-memory handshakes.
// Nothing touches the file system.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace aotls::tls::test {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using CtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct Pki {
  PkeyPtr ca_key;
  X509Ptr ca;
  PkeyPtr leaf_key;
  X509Ptr leaf;  // CN=peer, SAN IP:127.0.0.1, signed by ca; used by both sides
};

// Generated once per process; aborts the test binary if OpenSSL fails.
const Pki& shared_pki();

// TLS 1.3 only, mutual authentication against shared_pki()'s CA, no tickets.
CtxPtr make_test_context(bool server);

}  // namespace aotls::tls::test
