// aotls/tls/handshake_info.cpp - see handshake_info.hpp.
#include "aotls/tls/handshake_info.hpp"

#include <arpa/inet.h>
#include <openssl/x509v3.h>

#include <memory>

namespace aotls::tls {
namespace {

std::string subject_of(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio) return "";
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : "";
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  char out[INET6_ADDRSTRLEN] = {};
  const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC || !inet_ntop(family, ASN1_STRING_get0_data(ip), out, sizeof out)) {
    return "<malformed>";
  }
  return out;
}

std::vector<std::string> san_of(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_IPADD) {
      out.push_back("IP:" + ip_text(name->d.iPAddress));
    } else if (name->type == GEN_DNS) {
      const auto* s = name->d.dNSName;
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                         static_cast<std::size_t>(ASN1_STRING_length(s))));
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

}  // namespace

HandshakeInfo describe(const SSL* ssl) {
  HandshakeInfo info;
  info.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) info.cipher = SSL_CIPHER_get_name(cipher);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_len);
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    info.peer_subject = subject_of(peer);
    info.peer_san = san_of(peer);
  }
  return info;
}

}  // namespace aotls::tls
