// aotls/tls/context.hpp - TLS 1.3 contexts for long-lived, mutually
// authenticated TLS-over-TCP sessions (BGP over TLS, DoT, HTTPS).
//
// Module aotls/tls owns the OpenSSL side of the AO-TLS profile: SSL_CTX
// wiring (this file), the peer identity check (peer_identity.hpp), what a
// finished handshake reports (handshake_info.hpp), the tcp_ao extension
// (tcp_ao_extension.hpp, tcp_ao_wiring.hpp) and the exporter derivation
// (exporter.hpp; KeyIDs are aotls/keys'). It works on OpenSSL handles
// only: no sockets, no Asio, no BGP. Callers (bgpd/session, the aotls
// library's stream) wrap the SSL_CTX in their own I/O.
//
// Profile section 1 / draft-wirtgen-bgp-tls: TLS 1.3 only (never lower);
// ALPN as configured, the client offering exactly one protocol and a server
// that cannot select it failing with no_application_protocol (RFC 7301
// section 3.2); mutual authentication against one CA; no 0-RTT, no session
// tickets or PSK resumption (a resumed session would key TCP-AO from a PSK),
// no renegotiation (TLS 1.3 has none; KeyUpdate stays allowed).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "common/expected.hpp"

namespace aotls::tls {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

enum class Role { Client, Server };

struct ContextOptions {
  std::string ca_file;    // PEM; the only trust anchor
  std::string cert_file;  // PEM chain, leaf first
  std::string key_file;   // PEM private key; refused when group/other may read it
  std::string alpn;       // the one ALPN protocol, e.g. "botls"
};

// Builds a context for `role`. Errors are human-readable lines naming the
// file and OpenSSL's reason (never key material); all problems are listed.
common::Expected<SslCtxPtr, std::vector<std::string>> make_context(Role role,
                                                                   const ContextOptions& options);

// A server context's ClientHello check (installed by make_context as the
// client_hello callback): a ClientHello without ALPN never reaches the ALPN
// select callback, so it is refused here with no_application_protocol
// (RFC 7301 section 3.2, profile section 1). Code that installs its own
// client_hello callback on such a context (the tcp_ao wiring) calls this
// first. SSL_CLIENT_HELLO_SUCCESS for contexts not made by make_context.
int check_client_hello(SSL* ssl, int* alert);

// "" when `path` is a private key file only its owner can read or write;
// else why it is refused (mode bits, or that it cannot be inspected).
std::string check_key_file_permissions(const std::string& path);

}  // namespace aotls::tls
