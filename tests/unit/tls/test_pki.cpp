#include "tests/unit/tls/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

namespace aotls::tls::test {

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "test PKI: %s failed\n", what);
  std::abort();
}

void require(bool ok, const char* what) {
  if (!ok) die(what);
}

PkeyPtr make_p256_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  require(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  require(ext != nullptr, "X509V3_EXT_conf_nid");
  require(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// issuer == nullptr: self-signed CA.
X509Ptr make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  X509Ptr cert(X509_new());
  require(cert != nullptr, "X509_new");
  X509* x = cert.get();
  require(X509_set_version(x, 2) == 1, "X509_set_version");
  require(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1, "serial");
  require(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != nullptr, "notBefore");
  require(X509_gmtime_adj(X509_getm_notAfter(x), 24L * 3600) != nullptr, "notAfter");
  require(X509_set_pubkey(x, key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(x);
  require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(cn), -1, -1, 0) == 1,
          "CN");
  X509* signer = issuer != nullptr ? issuer : x;
  require(X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1, "issuer");
  if (issuer == nullptr) {
    add_extension(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(x, signer, NID_subject_key_identifier, "hash");
  } else {
    add_extension(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(x, signer, NID_key_usage, "critical,digitalSignature");
    add_extension(x, signer, NID_ext_key_usage, "serverAuth,clientAuth");
    add_extension(x, signer, NID_subject_alt_name, "IP:127.0.0.1");
  }
  require(X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

Pki make_pki() {
  Pki pki;
  pki.ca_key = make_p256_key();
  pki.ca = make_cert(pki.ca_key.get(), "aotls test CA", nullptr, nullptr, 1);
  pki.leaf_key = make_p256_key();
  pki.leaf = make_cert(pki.leaf_key.get(), "peer", pki.ca.get(), pki.ca_key.get(), 2);
  return pki;
}

}  // namespace

const Pki& shared_pki() {
  static const Pki pki = make_pki();
  return pki;
}

CtxPtr make_test_context(bool server) {
  const Pki& pki = shared_pki();
  CtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  require(ctx != nullptr, "SSL_CTX_new");
  SSL_CTX* c = ctx.get();
  require(SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION) == 1, "min version");
  require(SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) == 1, "max version");
  require(SSL_CTX_use_certificate(c, pki.leaf.get()) == 1, "use_certificate");
  require(SSL_CTX_use_PrivateKey(c, pki.leaf_key.get()) == 1, "use_PrivateKey");
  require(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), pki.ca.get()) == 1, "add CA");
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if (server) require(SSL_CTX_set_num_tickets(c, 0) == 1, "num_tickets");
  return ctx;
}

}  // namespace aotls::tls::test
