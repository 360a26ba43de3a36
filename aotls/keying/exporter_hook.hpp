// aotls/keying/exporter_hook.hpp - the moment inside SSL_do_handshake when
// the TLS 1.3 exporter becomes usable, and the exporter computed there.
//
// Profile section 3 needs the generation-1 MKTs installed INSIDE the
// handshake step: the server's before its flight leaves, the client's
// before its Finished leaves. OpenSSL 3.0 has no callback for "exporter
// ready", but it logs the exporter master secret (key log label
// EXPORTER_SECRET) right after deriving it: the server after writing its
// Finished into the write BIO, the client after processing the server
// Finished and before writing its own (in fact before its Certificate).
// register_exporter_hook() installs SSL_CTX_set_keylog_callback for that
// line. The server's flight is already in its write BIO at that moment: it
// must be a memory BIO (or a BIO pair, as Boost.Asio's ssl::stream uses)
// drained only after SSL_do_handshake returns; with a socket BIO the flight
// would leave before its keys are installed.
//
// Why the exporter is computed here rather than by SSL_export_keying_material
// (aotls/tls/exporter.hpp): at the server's key log moment OpenSSL still
// refuses the export (ossl_statem_export_allowed() is false while the
// handshake state is "write finished"; checked on OpenSSL 3.0). The logged
// secret is exactly what the export would use, so derive_generation() below
// runs RFC 8446 section 7.5 over it with OpenSSL's own TLS13-KDF:
//   TLS-Exporter(label, context, L) =
//     HKDF-Expand-Label(Derive-Secret(exporter_master_secret, label, ""),
//                       "exporter", Hash(context), L)
// with the profile's contexts (tls::exporter_context). A unit test checks it
// byte for byte against SSL_export_keying_material after the handshake.
//
// The line holds a secret: it is decoded into a wiped crypto::Secret, handed
// to the SSL's listener and dropped; never stored or printed. A key log
// callback already on the CTX (an SSLKEYLOGFILE writer) keeps receiving
// every line; one installed AFTER this hook would replace it.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aotls/crypto/secret.hpp"
#include "aotls/keying/keying_error.hpp"
#include "aotls/keys/key_layout.hpp"
#include "aotls/tls/exporter.hpp"
#include "aotls/tls/tcp_ao_extension.hpp"
#include "common/expected.hpp"

namespace aotls::keying {

// OpenSSL's key log label (SSLKEYLOGFILE format) for the exporter master secret.
inline constexpr std::string_view kExporterSecretLabel = "EXPORTER_SECRET";

// One handshake's exporter master secret and the hash of its cipher suite.
struct ExporterSecret {
  crypto::Secret master;
  std::string digest;  // OpenSSL digest name, e.g. "SHA256", "SHA384"
};

// Told once per handshake, from inside SSL_do_handshake. Must not throw
// (it runs under OpenSSL's C frames): record failures instead.
class ExporterListener {
 public:
  virtual void on_exporter_secret(const SSL* ssl, const ExporterSecret& secret) noexcept = 0;

 protected:
  ~ExporterListener() = default;
};

// One per CTX (a second call is HookAlreadyRegistered); either role.
common::Expected<void, KeyingError> register_exporter_hook(SSL_CTX* ctx);

// Ties one SSL to a listener. Either may go first: destroying the binding
// detaches the listener (the hook then ignores the SSL), and freeing the SSL
// drops its side of the binding.
class ExporterBinding {
 public:
  // AlreadyArmed when the SSL is bound already.
  static common::Expected<ExporterBinding, KeyingError> bind(SSL* ssl, ExporterListener& listener);

  ExporterBinding() = default;
  ~ExporterBinding();
  ExporterBinding(const ExporterBinding&) = delete;
  ExporterBinding& operator=(const ExporterBinding&) = delete;
  ExporterBinding(ExporterBinding&& other) noexcept = default;
  ExporterBinding& operator=(ExporterBinding&& other) noexcept;

  struct Slot {
    ExporterListener* listener = nullptr;
  };

 private:
  explicit ExporterBinding(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
  void detach() noexcept;
  std::shared_ptr<Slot> slot_;
};

// Pure: the secret of an "EXPORTER_SECRET <client_random> <secret>" line;
// nullopt for any other line or a malformed one.
std::optional<crypto::Secret> exporter_secret_from_key_log_line(std::string_view line);

// RFC 8446 section 7.5 over `secret`.
common::Expected<crypto::Secret, KeyingError> export_keying_material(
    const ExporterSecret& secret, std::string_view label, std::span<const std::uint8_t> context,
    std::size_t length);

// Both directions of generation g, as tls::derive_generation computes them
// from an SSL (same label, contexts and length).
common::Expected<tls::GenerationSecrets, KeyingError> derive_generation(
    const ExporterSecret& secret, const tls::Announcement& client, const tls::Announcement& server,
    keys::Generation g);

}  // namespace aotls::keying
