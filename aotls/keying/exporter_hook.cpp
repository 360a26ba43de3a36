// aotls/keying/exporter_hook.cpp - see exporter_hook.hpp.
#include "aotls/keying/exporter_hook.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <array>
#include <utility>
#include <vector>

namespace aotls::keying {

namespace {

// RFC 8446 section 7.1: every HKDF-Expand-Label label is prefixed "tls13 ".
constexpr std::string_view kTls13LabelPrefix = "tls13 ";
// RFC 8446 section 7.5: the second expansion's label.
constexpr std::string_view kExporterExpandLabel = "exporter";
constexpr std::size_t kClientRandomHexLen = 64;

// ---- per-SSL binding (ex_data holds a shared_ptr to the slot) ----

using SlotPtr = std::shared_ptr<ExporterBinding::Slot>;

void free_slot(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/,
               void* /*argp*/) {
  delete static_cast<SlotPtr*>(ptr);
}

int slot_index() {
  // Once per process; -1 when OpenSSL cannot allocate the index.
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_slot);
  return index;
}

ExporterListener* listener_of(const SSL* ssl) {
  const int index = slot_index();
  if (index < 0) return nullptr;
  const auto* slot = static_cast<const SlotPtr*>(SSL_get_ex_data(ssl, index));
  return slot == nullptr ? nullptr : (*slot)->listener;
}

// ---- per-CTX: a key log callback that was there before ours ----

struct Chained {
  SSL_CTX_keylog_cb_func previous = nullptr;
};

void free_chained(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/,
                  void* /*argp*/) {
  delete static_cast<Chained*>(ptr);
}

int chained_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_chained);
  return index;
}

// The handshake hash of the negotiated suite; "" when OpenSSL cannot tell.
std::string handshake_digest(const SSL* ssl) {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher == nullptr) cipher = SSL_get_pending_cipher(ssl);
  if (cipher == nullptr) return {};
  const EVP_MD* md = SSL_CIPHER_get_handshake_digest(cipher);
  if (md == nullptr) return {};
  const char* name = EVP_MD_get0_name(md);
  return name == nullptr ? std::string() : std::string(name);
}

void tell_listener(const SSL* ssl, const char* line) {
  ExporterListener* listener = listener_of(ssl);
  if (listener == nullptr || line == nullptr) return;
  auto master = exporter_secret_from_key_log_line(line);
  if (!master) return;
  const ExporterSecret secret{std::move(*master), handshake_digest(ssl)};
  listener->on_exporter_secret(ssl, secret);
}

void keylog_cb(const SSL* ssl, const char* line) noexcept {
  const int index = chained_index();
  if (index >= 0) {
    const auto* chained =
        static_cast<const Chained*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), index));
    if (chained != nullptr && chained->previous != nullptr) chained->previous(ssl, line);
  }
  // Nothing may escape into OpenSSL's C frames. A listener that was not told
  // (allocation failure, malformed line) reports HookNotRun when the
  // handshake finishes.
  try {
    tell_listener(ssl, line);
  } catch (...) {  // NOLINT(bugprone-empty-catch): reported as HookNotRun, see above
  }
}

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool all_hex(std::string_view text) {
  for (char c : text) {
    if (nibble(c) < 0) return false;
  }
  return true;
}

struct EvpMdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct EvpKdfFree {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
};
struct EvpKdfCtxFree {
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

KeyingError exporter_error(std::string_view what) {
  return KeyingError(KeyingErrc::ExporterFailed, what);
}

// Hash(data) under the suite's digest (RFC 8446 section 7.5's Hash()).
common::Expected<std::vector<std::uint8_t>, KeyingError> hash_of(
    EVP_MD* md, std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 ||
      len != out.size()) {
    return common::Unexpected(exporter_error("digest"));
  }
  return out;
}

// HKDF-Expand-Label (RFC 8446 section 7.1) through OpenSSL's TLS13-KDF, the
// implementation its own handshake uses.
common::Expected<crypto::Secret, KeyingError> expand_label(const std::string& digest,
                                                           std::span<const std::uint8_t> secret,
                                                           std::string_view label,
                                                           std::span<const std::uint8_t> data,
                                                           std::size_t length) {
  std::unique_ptr<EVP_KDF, EvpKdfFree> kdf(EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr));
  if (!kdf) return common::Unexpected(exporter_error("TLS13-KDF unavailable"));
  std::unique_ptr<EVP_KDF_CTX, EvpKdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return common::Unexpected(exporter_error("TLS13-KDF context"));
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  std::string digest_name = digest;
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these buffers.
  auto* key = const_cast<std::uint8_t*>(secret.data());
  auto* prefix = const_cast<char*>(kTls13LabelPrefix.data());
  auto* label_bytes = const_cast<char*>(label.data());
  auto* data_bytes = const_cast<std::uint8_t*>(data.data());
  const std::array<OSSL_PARAM, 7> params{
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key, secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, prefix, kTls13LabelPrefix.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, label_bytes, label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, data_bytes, data.size()),
      OSSL_PARAM_construct_end()};
  std::vector<std::uint8_t> out(length);
  const bool ok = EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) == 1;
  crypto::Secret result = ok ? crypto::Secret(out) : crypto::Secret();
  OPENSSL_cleanse(out.data(), out.size());
  if (!ok) return common::Unexpected(exporter_error("HKDF-Expand-Label"));
  return result;
}

}  // namespace

common::Expected<void, KeyingError> register_exporter_hook(SSL_CTX* ctx) {
  const SSL_CTX_keylog_cb_func previous = SSL_CTX_get_keylog_callback(ctx);
  if (previous == &keylog_cb) {
    return common::Unexpected(KeyingError(KeyingErrc::HookAlreadyRegistered, {}));
  }
  if (previous != nullptr) {
    const int index = chained_index();
    if (index < 0) return common::Unexpected(KeyingError(KeyingErrc::HookUnavailable, {}));
    auto* chained = new Chained{previous};
    if (SSL_CTX_set_ex_data(ctx, index, chained) != 1) {
      delete chained;
      return common::Unexpected(KeyingError(KeyingErrc::HookUnavailable, {}));
    }
  }
  SSL_CTX_set_keylog_callback(ctx, &keylog_cb);
  return {};
}

common::Expected<ExporterBinding, KeyingError> ExporterBinding::bind(SSL* ssl,
                                                                     ExporterListener& listener) {
  const int index = slot_index();
  if (index < 0) return common::Unexpected(KeyingError(KeyingErrc::HookUnavailable, {}));
  if (SSL_get_ex_data(ssl, index) != nullptr) {
    return common::Unexpected(KeyingError(KeyingErrc::AlreadyArmed, "exporter listener bound"));
  }
  auto slot = std::make_shared<Slot>(Slot{&listener});
  auto* held = new SlotPtr(slot);
  if (SSL_set_ex_data(ssl, index, held) != 1) {
    delete held;
    return common::Unexpected(KeyingError(KeyingErrc::HookUnavailable, {}));
  }
  return ExporterBinding(std::move(slot));
}

ExporterBinding::~ExporterBinding() {
  detach();
}

ExporterBinding& ExporterBinding::operator=(ExporterBinding&& other) noexcept {
  if (this != &other) {
    detach();
    slot_ = std::move(other.slot_);
  }
  return *this;
}

void ExporterBinding::detach() noexcept {
  if (slot_) slot_->listener = nullptr;
  slot_.reset();
}

std::optional<crypto::Secret> exporter_secret_from_key_log_line(std::string_view line) {
  // SSLKEYLOGFILE format: "<label> <client_random hex> <secret hex>".
  if (!line.starts_with(kExporterSecretLabel)) return std::nullopt;
  std::string_view rest = line.substr(kExporterSecretLabel.size());
  if (rest.size() < 1 + kClientRandomHexLen + 1 || rest[0] != ' ' ||
      rest[1 + kClientRandomHexLen] != ' ') {
    return std::nullopt;
  }
  if (!all_hex(rest.substr(1, kClientRandomHexLen))) return std::nullopt;
  const std::string_view hex = rest.substr(kClientRandomHexLen + 2);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> bytes{};
  if (hex.empty() || hex.size() % 2 != 0 || hex.size() / 2 > bytes.size() || !all_hex(hex)) {
    return std::nullopt;
  }
  const std::size_t len = hex.size() / 2;
  for (std::size_t i = 0; i < len; ++i) {
    bytes[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  }
  crypto::Secret secret(std::span<const std::uint8_t>(bytes.data(), len));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return secret;
}

common::Expected<crypto::Secret, KeyingError> export_keying_material(
    const ExporterSecret& secret, std::string_view label, std::span<const std::uint8_t> context,
    std::size_t length) {
  if (secret.master.empty()) return common::Unexpected(exporter_error("no exporter secret"));
  std::unique_ptr<EVP_MD, EvpMdFree> md(EVP_MD_fetch(nullptr, secret.digest.c_str(), nullptr));
  if (!md) return common::Unexpected(exporter_error("unknown handshake digest"));
  const auto empty_hash = hash_of(md.get(), {});
  if (!empty_hash) return common::Unexpected(empty_hash.error());
  const auto context_hash = hash_of(md.get(), context);
  if (!context_hash) return common::Unexpected(context_hash.error());
  // Derive-Secret(Secret, label, "") = HKDF-Expand-Label(Secret, label,
  // Hash(""), Hash.length) (RFC 8446 sections 7.1 and 7.5).
  auto derived =
      expand_label(secret.digest, secret.master.bytes(), label, *empty_hash, empty_hash->size());
  if (!derived) return common::Unexpected(derived.error());
  return expand_label(secret.digest, derived->bytes(), kExporterExpandLabel, *context_hash, length);
}

common::Expected<tls::GenerationSecrets, KeyingError> derive_generation(
    const ExporterSecret& secret, const tls::Announcement& client, const tls::Announcement& server,
    keys::Generation g) {
  auto one = [&](keys::Direction direction,
                 const tls::Announcement& sender) -> common::Expected<crypto::Secret, KeyingError> {
    const auto context = tls::exporter_context(direction, sender, g);
    if (!context) return common::Unexpected(exporter_error(tls::to_string(context.error())));
    return export_keying_material(secret, tls::kExporterLabel, context->bytes(),
                                  tls::kMktSecretLen);
  };
  auto c2s = one(keys::Direction::ClientToServer, client);
  if (!c2s) return common::Unexpected(c2s.error());
  auto s2c = one(keys::Direction::ServerToClient, server);
  if (!s2c) return common::Unexpected(s2c.error());
  return tls::GenerationSecrets{std::move(*c2s), std::move(*s2c)};
}

}  // namespace aotls::keying
