#include "aotls/tls/tcp_ao_wiring.hpp"

#include <openssl/x509_vfy.h>

#include <cstddef>

#include "aotls/tls/context.hpp"

namespace aotls::tls {

namespace {

// Contexts of draft-piraux-tcp-ao-tls section 6 (IANA: "CH, EE").
constexpr unsigned int kExtensionContexts =
    SSL_EXT_CLIENT_HELLO | SSL_EXT_TLS1_3_ENCRYPTED_EXTENSIONS;

struct SslState {
  TcpAoStatus status;
  EncodedAnnouncement encoded{};  // what add_cb hands OpenSSL; lives as long as the SSL
};

void free_state(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/,
                void* /*argp*/) {
  delete static_cast<SslState*>(ptr);
}

int state_index() {
  // Once per process; -1 when OpenSSL cannot allocate the index.
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_state);
  return index;
}

// The ExtensionType a server CTX looks for in the ClientHello, owned by the
// CTX (freed with it) and handed to client_hello_cb as its argument.
void free_type(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/,
               void* /*argp*/) {
  delete static_cast<std::uint16_t*>(ptr);
}

int ctx_type_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_type);
  return index;
}

SslState* state_of(const SSL* ssl) {
  const int index = state_index();
  if (index < 0) return nullptr;
  return static_cast<SslState*>(SSL_get_ex_data(ssl, index));
}

// A missing extension: recorded, and a refusal under Required.
bool note_absent(SslState& state) {
  if (state.status.peer_status == PeerStatus::Pending) {
    state.status.peer_status = PeerStatus::Absent;
  }
  return !state.status.refuses_handshake();
}

int add_cb(SSL* ssl, unsigned int /*ext_type*/, unsigned int /*context*/, const unsigned char** out,
           std::size_t* outlen, X509* /*x*/, std::size_t /*chainidx*/, int* /*al*/,
           void* /*add_arg*/) {
  SslState* state = state_of(ssl);
  if (state == nullptr) return 0;  // not armed: leave the extension out
  *out = state->encoded.data();
  *outlen = state->encoded.size();
  return 1;
}

int parse_cb(SSL* ssl, unsigned int /*ext_type*/, unsigned int /*context*/, const unsigned char* in,
             std::size_t inlen, X509* /*x*/, std::size_t /*chainidx*/, int* al,
             void* /*parse_arg*/) {
  SslState* state = state_of(ssl);
  if (state == nullptr) return 1;  // not armed: the server ignores it and sends none
  const auto decoded = decode_announcement({in, inlen});
  if (!decoded) {
    state->status.peer_status = PeerStatus::Invalid;
    state->status.error = decoded.error();
    *al = static_cast<int>(alert_for(decoded.error()));
    return 0;
  }
  state->status.peer_status = PeerStatus::Announced;
  state->status.peer = *decoded;
  return 1;
}

// Server: runs before the ClientHello's extensions are parsed, once per
// ClientHello.
int client_hello_cb(SSL* ssl, int* al, void* arg) {
  // This callback replaces make_context's: run its checks first.
  if (const int result = check_client_hello(ssl, al); result != SSL_CLIENT_HELLO_SUCCESS) {
    return result;
  }
  SslState* state = state_of(ssl);
  if (state == nullptr) return SSL_CLIENT_HELLO_SUCCESS;
  // A second ClientHello (after HelloRetryRequest) is judged on its own.
  state->status.peer_status = PeerStatus::Pending;
  state->status.peer.reset();
  const unsigned char* body = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, *static_cast<const std::uint16_t*>(arg), &body, &len) == 1) {
    return SSL_CLIENT_HELLO_SUCCESS;  // parse_cb decodes it
  }
  if (note_absent(*state)) return SSL_CLIENT_HELLO_SUCCESS;
  *al = SSL_AD_HANDSHAKE_FAILURE;  // profile section 1: required, no extension
  return SSL_CLIENT_HELLO_ERROR;
}

// Both roles verify the peer chain here; only a client checks the extension,
// EncryptedExtensions having been processed before the server Certificate.
int cert_verify_cb(X509_STORE_CTX* store, void* /*arg*/) {
  const int verified = X509_verify_cert(store);
  if (verified <= 0) return verified;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  if (ssl == nullptr || SSL_is_server(ssl)) return verified;
  SslState* state = state_of(ssl);
  if (state == nullptr || note_absent(*state)) return verified;
  // OpenSSL maps this verify error to the handshake_failure alert.
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

}  // namespace

std::string_view to_string(WiringError error) {
  switch (error) {
    case WiringError::ExtensionTypeRefused:
      return "OpenSSL refused the tcp_ao ExtensionType (it implements it, or it is taken)";
    case WiringError::AlreadyRegistered:
      return "a tcp_ao extension is already registered on this TLS context";
    case WiringError::InvalidAnnouncement:
      return "the local tcp_ao announcement is not a supported algorithm pair";
    case WiringError::AlreadyArmed:
      return "tcp_ao is already armed on this connection";
    case WiringError::ExDataUnavailable:
      return "OpenSSL could not store the tcp_ao state";
  }
  return "unknown tcp_ao wiring error";
}

common::Expected<void, WiringError> register_tcp_ao_extension(SSL_CTX* ctx,
                                                              std::uint16_t extension_type) {
  const int index = ctx_type_index();
  if (index < 0) return common::Unexpected(WiringError::ExDataUnavailable);
  // One tcp_ao type per context: the hooks below are per context.
  if (SSL_CTX_get_ex_data(ctx, index) != nullptr) {
    return common::Unexpected(WiringError::AlreadyRegistered);
  }
  if (SSL_CTX_add_custom_ext(ctx, extension_type, kExtensionContexts, &add_cb, nullptr, nullptr,
                             &parse_cb, nullptr) != 1) {
    return common::Unexpected(WiringError::ExtensionTypeRefused);
  }
  auto* type = new std::uint16_t(extension_type);
  if (SSL_CTX_set_ex_data(ctx, index, type) != 1) {
    delete type;
    return common::Unexpected(WiringError::ExDataUnavailable);
  }
  SSL_CTX_set_client_hello_cb(ctx, &client_hello_cb, type);
  SSL_CTX_set_cert_verify_callback(ctx, &cert_verify_cb, nullptr);
  return {};
}

common::Expected<void, WiringError> arm_tcp_ao(SSL* ssl, const Announcement& local,
                                               AoRequirement requirement) {
  if (!validate(local)) return common::Unexpected(WiringError::InvalidAnnouncement);
  const int index = state_index();
  if (index < 0) return common::Unexpected(WiringError::ExDataUnavailable);
  if (state_of(ssl) != nullptr) return common::Unexpected(WiringError::AlreadyArmed);
  auto* state =
      new SslState{TcpAoStatus{requirement, local, PeerStatus::Pending, {}, {}}, encode(local)};
  if (SSL_set_ex_data(ssl, index, state) != 1) {
    delete state;
    return common::Unexpected(WiringError::ExDataUnavailable);
  }
  return {};
}

std::optional<TcpAoStatus> tcp_ao_status(const SSL* ssl) {
  const SslState* state = state_of(ssl);
  if (state == nullptr) return std::nullopt;
  TcpAoStatus status = state->status;
  if (status.peer_status == PeerStatus::Pending && SSL_is_init_finished(ssl) == 1) {
    status.peer_status = PeerStatus::Absent;
  }
  return status;
}

std::optional<RoleAnnouncements> role_announcements(const SSL* ssl) {
  const SslState* state = state_of(ssl);
  if (state == nullptr || !state->status.peer) return std::nullopt;
  const Announcement& local = state->status.local;
  const Announcement& peer = *state->status.peer;
  if (SSL_is_server(ssl) == 1) return RoleAnnouncements{peer, local};
  return RoleAnnouncements{local, peer};
}

}  // namespace aotls::tls
