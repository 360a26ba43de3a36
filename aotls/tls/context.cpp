// aotls/tls/context.cpp - see context.hpp.
#include "aotls/tls/context.hpp"

#include <openssl/err.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace aotls::tls {
namespace {

// OpenSSL's queued reasons, oldest first, then the queue is empty.
std::string openssl_reasons() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// RFC 7301 section 3.1: the client's ProtocolNameList, one entry.
std::vector<unsigned char> alpn_wire(const std::string& protocol) {
  std::vector<unsigned char> wire;
  wire.push_back(static_cast<unsigned char>(protocol.size()));
  wire.insert(wire.end(), protocol.begin(), protocol.end());
  return wire;
}

// The server's one ALPN protocol, owned by its context (freed with it):
// the select callback's argument and the mark that ALPN is required.
int alpn_index() {
  static const int index = SSL_CTX_get_ex_new_index(
      0, nullptr, nullptr, nullptr,
      [](void* /*parent*/, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
        delete static_cast<std::string*>(ptr);
      });
  return index;
}

// RFC 7301 section 3.2: a server that supports none of the client's
// protocols answers with the fatal alert no_application_protocol.
int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_len,
                const unsigned char* in, unsigned int in_len, void* arg) {
  const auto* wanted = static_cast<const std::string*>(arg);
  unsigned int i = 0;
  while (i < in_len) {
    const unsigned int len = in[i];
    if (i + 1 + len > in_len) break;
    if (len == wanted->size() && std::memcmp(in + i + 1, wanted->data(), len) == 0) {
      *out = in + i + 1;
      *out_len = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int client_hello_cb(SSL* ssl, int* alert, void* /*arg*/) {
  return check_client_hello(ssl, alert);
}

// A client whose one protocol was not selected gives up before its
// Finished: OpenSSL accepts an EncryptedExtensions without ALPN, RFC 7301
// leaves that to the application. TLS 1.3 delivers EncryptedExtensions before
// the server Certificate, so the leaf's verification is the first hook that
// sees the server's choice.
int verify_with_alpn(int preverify_ok, X509_STORE_CTX* store) {
  if (preverify_ok != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return preverify_ok;
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const unsigned char* selected = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &selected, &len);
  if (len == 0) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  return 1;
}

void load_files(SSL_CTX* ctx, const ContextOptions& options, std::vector<std::string>& errors) {
  if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    errors.push_back("ca_file '" + options.ca_file + "': " + openssl_reasons());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    errors.push_back("cert_file '" + options.cert_file + "': " + openssl_reasons());
  }
  if (auto why = check_key_file_permissions(options.key_file); !why.empty()) {
    errors.push_back("key_file '" + options.key_file + "': " + why);
    return;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    errors.push_back("key_file '" + options.key_file + "': " + openssl_reasons());
    return;
  }
  if (errors.empty() && SSL_CTX_check_private_key(ctx) != 1) {
    errors.push_back("key_file '" + options.key_file +
                     "' does not match cert_file: " + openssl_reasons());
  }
}

}  // namespace

int check_client_hello(SSL* ssl, int* alert) {
  if (SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), alpn_index()) == nullptr) {
    return SSL_CLIENT_HELLO_SUCCESS;  // not one of our server contexts
  }
  const unsigned char* body = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &body,
                                &len) == 1) {
    return SSL_CLIENT_HELLO_SUCCESS;  // select_alpn judges the list
  }
  *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
  // Queued before OpenSSL's own "callback failed", so it is the reason the
  // handshake's caller reads first.
  ERR_raise(ERR_LIB_SSL, SSL_R_NO_APPLICATION_PROTOCOL);
  return SSL_CLIENT_HELLO_ERROR;
}

std::string check_key_file_permissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string("permissions ") + mode +
           " let group or others access the private key; chmod 600 it";
  }
  return "";
}

common::Expected<SslCtxPtr, std::vector<std::string>> make_context(Role role,
                                                                   const ContextOptions& options) {
  std::vector<std::string> errors;
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(role == Role::Client ? TLS_client_method() : TLS_server_method()));
  if (!ctx) return common::Unexpected(std::vector<std::string>{openssl_reasons()});
  if (options.alpn.empty() || options.alpn.size() > 255) {
    errors.push_back("ALPN protocol must be 1..255 bytes");
  }
  // TLS 1.3 only, both bounds (profile section 1: never negotiate lower).
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION);
  // No tickets, no resumption, no 0-RTT: every connection runs a full
  // handshake whose exporter keys TCP-AO (profile section 1).
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_max_early_data(ctx.get(), 0);
  // Mutual authentication: both sides demand and verify a certificate.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     role == Role::Client ? verify_with_alpn : nullptr);
  load_files(ctx.get(), options, errors);
  if (!errors.empty()) return common::Unexpected(std::move(errors));

  if (role == Role::Client) {
    const auto wire = alpn_wire(options.alpn);
    // SSL_CTX_set_alpn_protos returns 0 on success, unlike the rest.
    if (SSL_CTX_set_alpn_protos(ctx.get(), wire.data(), static_cast<unsigned>(wire.size())) != 0) {
      return common::Unexpected(std::vector<std::string>{"ALPN: " + openssl_reasons()});
    }
  } else {
    auto* wanted = new std::string(options.alpn);
    if (SSL_CTX_set_ex_data(ctx.get(), alpn_index(), wanted) != 1) {
      delete wanted;
      return common::Unexpected(std::vector<std::string>{"ALPN: " + openssl_reasons()});
    }
    SSL_CTX_set_alpn_select_cb(ctx.get(), select_alpn, wanted);
    SSL_CTX_set_client_hello_cb(ctx.get(), client_hello_cb, nullptr);
  }
  return ctx;
}

}  // namespace aotls::tls
