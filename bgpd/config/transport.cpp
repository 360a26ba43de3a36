// bgpd/config/transport.cpp - a neighbor's tls, ao, md5 and fallback.
//
// Implements the AO-TLS profile section 1 mode table as a table
// (kTransportTable): which (tls, ao) pairs are valid, which fallbacks each
// allows and which one it uses by default. Static key chains follow RFC 5925
// section 3.1 (MKT fields) and RFC 8177 (key lifetimes).
#include <algorithm>
#include <array>
#include <limits>
#include <map>

#include "bgpd/config/parse.hpp"
#include "common/hex.hpp"

namespace bgpd::config::detail {
namespace {

// RFC 2385 leaves the length open; Linux TCP_MD5SIG_MAXKEYLEN is 80.
constexpr std::size_t kMaxMd5Length = 80;
// Linux TCP_AO_MAXKEYLEN (the uAPI limit of an MKT).
constexpr std::size_t kMaxMktLength = 80;

// Secret::to_string() output, as printed by the canonical form.
bool is_redacted(std::string_view text) { return text.starts_with("<secret len="); }
constexpr std::string_view kRedactedMessage =
    "this is a redacted secret from a printed configuration, not a secret";

constexpr std::uint8_t bit(Fallback f) {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(f));
}

struct TransportRule {
  TlsMode tls;
  AoMode ao;
  bool valid;
  std::uint8_t allowed_fallbacks;  // bit(Fallback)
  Fallback default_fallback;
  std::string_view fallback_note;  // why other fallbacks are refused
};

// Profile section 1, row by row. "fallback" only means something for tls
// 'preferred'; elsewhere only 'none' is accepted.
constexpr std::array<TransportRule, 12> kTransportTable{{
    {TlsMode::Required, AoMode::Opportunistic, true, bit(Fallback::None), Fallback::None,
     "tls mode 'required' never falls back to plain BGP"},
    {TlsMode::Required, AoMode::Required, true, bit(Fallback::None), Fallback::None,
     "tls mode 'required' never falls back to plain BGP"},
    {TlsMode::Required, AoMode::Static, true, bit(Fallback::None), Fallback::None,
     "tls mode 'required' never falls back to plain BGP"},
    {TlsMode::Required, AoMode::Off, true, bit(Fallback::None), Fallback::None,
     "tls mode 'required' never falls back to plain BGP"},
    {TlsMode::Preferred, AoMode::Opportunistic, true,
     static_cast<std::uint8_t>(bit(Fallback::None) | bit(Fallback::Static) | bit(Fallback::Md5)),
     Fallback::None, ""},
    {TlsMode::Preferred, AoMode::Required, true, bit(Fallback::Static), Fallback::Static,
     "with ao mode 'required' the plain BGP fallback must keep TCP-AO: only 'static'"},
    {TlsMode::Preferred, AoMode::Static, true, bit(Fallback::Static), Fallback::Static,
     "with ao mode 'static' the plain BGP fallback runs over the same keys: only 'static'"},
    {TlsMode::Preferred, AoMode::Off, true, bit(Fallback::None), Fallback::None,
     "with ao mode 'off' the fallback is plain BGP without TCP-AO: only 'none'"},
    {TlsMode::Off, AoMode::Opportunistic, false, bit(Fallback::None), Fallback::None,
     "fallback applies only to tls mode 'preferred'"},
    {TlsMode::Off, AoMode::Required, false, bit(Fallback::None), Fallback::None,
     "fallback applies only to tls mode 'preferred'"},
    {TlsMode::Off, AoMode::Static, true, bit(Fallback::None), Fallback::None,
     "fallback applies only to tls mode 'preferred'"},
    {TlsMode::Off, AoMode::Off, true, bit(Fallback::None), Fallback::None,
     "fallback applies only to tls mode 'preferred'"},
}};

const TransportRule& transport_rule(TlsMode tls, AoMode ao) {
  return *std::find_if(kTransportTable.begin(), kTransportTable.end(),
                       [&](const TransportRule& r) { return r.tls == tls && r.ao == ao; });
}

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

bool valid_dns_name(std::string_view name) {
  return !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.';
         });
}

void parse_tls(const Json& value, const std::string& ptr, NeighborTlsConfig& tls,
               Errors& errors) {
  ObjectReader r(value, ptr, errors);
  tls.mode = r.get("mode", one_of(kTlsModes)).value_or(TlsMode::Off);
  tls.fallback_after = r.get("fallback_after", uint_in<std::uint32_t>(1, 1000)).value_or(3);
  tls.handshake_timeout =
      r.get("handshake_timeout", duration_in(std::chrono::seconds{1}, std::chrono::minutes{5}))
          .value_or(std::chrono::seconds{10});
  tls.peer_name = r.get("peer_name", to_string);
  if (tls.peer_name && !valid_dns_name(*tls.peer_name)) {
    errors.add(r.at("peer_name"), "not a DNS name (letters, digits, '-' and '.')");
  }
  r.finish();
}

Lifetime parse_lifetime(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  Lifetime life{r.get("start", to_utc_time), r.get("end", to_utc_time)};
  if (life.start && life.end && *life.end <= *life.start) {
    errors.add(r.at("end"), "must be later than start");
  }
  r.finish();
  return life;
}

std::optional<AoKey> parse_key(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  const std::size_t before = errors.size();
  AoKey key;
  auto id = r.get_required("id", uint_in<std::uint32_t>(0, std::numeric_limits<std::uint32_t>::max()));
  auto send_id = r.get_required("send_id", uint_in<std::uint8_t>(0, 255));
  auto recv_id = r.get_required("recv_id", uint_in<std::uint8_t>(0, 255));
  // The secret as text ("secret") or as bytes ("secret_hex"): exactly one.
  auto text = r.get("secret", [](const Json& v, const std::string& p, Errors& e) {
    return to_text_secret(v, p, e, kMaxMktLength);
  });
  const Json* hex = r.find("secret_hex");
  if (hex != nullptr && r.find("secret") != nullptr) {
    errors.add(r.at("secret_hex"), "give either secret or secret_hex, not both");
  } else if (hex != nullptr) {
    auto hex_text = to_string(*hex, r.at("secret_hex"), errors);
    auto bytes = hex_text ? common::from_hex(*hex_text) : std::nullopt;
    if (hex_text && is_redacted(*hex_text)) {
      errors.add(r.at("secret_hex"), std::string(kRedactedMessage));
    } else if (hex_text && (!bytes || bytes->empty() || bytes->size() > kMaxMktLength)) {
      errors.add(r.at("secret_hex"), "must be 1 to 80 bytes of hex (2 digits per byte)");
    } else if (bytes) {
      key.secret = Secret(std::move(*bytes));
    }
  } else if (text) {
    key.secret = std::move(*text);
  } else if (r.find("secret") == nullptr && r.is_object()) {
    errors.add(r.at("secret"), "required key is missing (or give secret_hex)");
  }
  key.algorithm = r.get("algorithm", one_of(kMacAlgorithms)).value_or(MacAlgorithm::HmacSha1);
  key.include_options = r.get("include_options", to_bool).value_or(true);
  if (const Json* v = r.find("send_lifetime")) {
    key.send_lifetime = parse_lifetime(*v, r.at("send_lifetime"), errors);
  }
  if (const Json* v = r.find("accept_lifetime")) {
    key.accept_lifetime = parse_lifetime(*v, r.at("accept_lifetime"), errors);
  }
  r.finish();
  if (errors.size() != before || !id || !send_id || !recv_id) return std::nullopt;
  key.id = *id;
  key.send_id = *send_id;
  key.recv_id = *recv_id;
  return key;
}

// Linux refuses two MKTs for one peer with the same SendID or the same
// RecvID (EEXIST; profile section 3 "Key layout"), so a chain that would
// need both installed at once is refused here rather than at connect time.
void check_unique_key_ids(const std::string& ptr,
                          const std::vector<std::pair<std::size_t, const AoKey*>>& keys,
                          Errors& errors) {
  struct Field {
    std::string_view name;
    std::uint32_t (*get)(const AoKey&);
  };
  static constexpr std::array<Field, 3> kFields{{
      {"id", [](const AoKey& k) { return k.id; }},
      {"send_id", [](const AoKey& k) -> std::uint32_t { return k.send_id; }},
      {"recv_id", [](const AoKey& k) -> std::uint32_t { return k.recv_id; }},
  }};
  for (const auto& field : kFields) {
    std::map<std::uint32_t, std::size_t> seen;
    for (const auto& [index, key] : keys) {
      auto [it, inserted] = seen.emplace(field.get(*key), index);
      if (!inserted) {
        errors.add(child_pointer(child_pointer(ptr, index), field.name),
                   "duplicate " + std::string(field.name) + " " +
                       std::to_string(field.get(*key)) + ", already used by " +
                       child_pointer(ptr, it->second));
      }
    }
  }
}

std::vector<AoKey> parse_keychain(const Json& value, const std::string& ptr, Errors& errors) {
  std::vector<AoKey> keys;
  std::vector<std::size_t> indexes;
  const bool is_array = for_each_element(value, ptr, errors,
                                         [&](const Json& e, const std::string& p, std::size_t i) {
                                           if (auto key = parse_key(e, p, errors)) {
                                             keys.push_back(std::move(*key));
                                             indexes.push_back(i);
                                           }
                                         });
  if (is_array && value.empty()) errors.add(ptr, "a key chain needs at least one key");
  std::vector<std::pair<std::size_t, const AoKey*>> indexed;
  for (std::size_t i = 0; i < keys.size(); ++i) indexed.emplace_back(indexes[i], &keys[i]);
  check_unique_key_ids(ptr, indexed, errors);
  std::sort(keys.begin(), keys.end(), [](const AoKey& a, const AoKey& b) { return a.id < b.id; });
  return keys;
}

void parse_announce(const Json& value, const std::string& ptr, AoAnnounce& announce,
                    Errors& errors) {
  ObjectReader r(value, ptr, errors);
  auto prot = r.get("prot", uint_in<std::uint8_t>(0, 1));
  auto auth = r.get("auth", uint_in<std::uint8_t>(0, 1));
  auto kdf = r.get("kdf", uint_in<std::uint8_t>(0, 1));
  announce = {prot.value_or(0), auth.value_or(0), kdf.value_or(0)};
  // Profile section 2: auth 0 goes with kdf 0 and auth 1 with kdf 1; a
  // mixed pair is refused by the peer with illegal_parameter.
  if (auth && kdf && *auth != *kdf) {
    errors.add(r.at("kdf"), "kdf " + std::to_string(*kdf) + " does not match auth " +
                                std::to_string(*auth) +
                                " (profile section 2 pairs auth 0 with kdf 0 and auth 1 with kdf 1)");
  }
  r.finish();
}

void parse_ao(const Json& value, const std::string& ptr, NeighborAoConfig& ao, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  ao.mode = r.get("mode", one_of(kAoModes)).value_or(AoMode::Off);
  if (const Json* v = r.find("announce")) parse_announce(*v, r.at("announce"), ao.announce, errors);
  if (r.is_null("rekey_interval")) {
    ao.rekey_interval.reset();  // explicit null: no timer-driven rekey
  } else if (auto interval = r.get("rekey_interval",
                                   duration_in(std::chrono::seconds{1}, std::chrono::days{365}))) {
    ao.rekey_interval = interval;
  }
  ao.rekey_after_bytes = r.get(
      "rekey_after_bytes", uint_in<std::uint64_t>(1, std::numeric_limits<std::int64_t>::max()));
  ao.fallback_after = r.get("fallback_after", uint_in<std::uint32_t>(1, 1000)).value_or(3);
  if (const Json* v = r.find("keychain")) ao.keychain = parse_keychain(*v, r.at("keychain"), errors);
  r.finish();
}

}  // namespace

std::optional<Secret> to_text_secret(const Json& v, const std::string& ptr, Errors& errors,
                                     std::size_t max_length) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  if (is_redacted(*text)) {
    errors.add(ptr, std::string(kRedactedMessage));
    return std::nullopt;
  }
  if (text->empty() || text->size() > max_length) {
    errors.add(ptr, "must be 1 to " + std::to_string(max_length) + " characters long");
    return std::nullopt;
  }
  return Secret(std::vector<std::uint8_t>(text->begin(), text->end()));
}

void parse_transport(ObjectReader& r, NeighborConfig& n) {
  Errors& errors = r.errors();
  if (const Json* v = r.find("tls")) parse_tls(*v, r.at("tls"), n.tls, errors);
  if (const Json* v = r.find("ao")) parse_ao(*v, r.at("ao"), n.ao, errors);
  n.md5 = r.get("md5", [](const Json& v, const std::string& p, Errors& e) {
    return to_text_secret(v, p, e, kMaxMd5Length);
  });
  const auto explicit_fallback = r.get("fallback", one_of(kFallbacks));

  const std::string ao_mode_ptr = child_pointer(r.at("ao"), "mode");
  const TransportRule& rule = transport_rule(n.tls.mode, n.ao.mode);
  if (!rule.valid) {
    errors.add(ao_mode_ptr, "ao mode " + quoted(enum_name(kAoModes, n.ao.mode)) +
                                " needs tls mode 'required' or 'preferred': its keys come "
                                "from the TLS handshake (profile section 1)");
  }
  n.fallback = explicit_fallback.value_or(rule.default_fallback);
  if (explicit_fallback && (rule.allowed_fallbacks & bit(*explicit_fallback)) == 0) {
    errors.add(r.at("fallback"), "fallback " + quoted(enum_name(kFallbacks, *explicit_fallback)) +
                                     " is not allowed with tls mode " +
                                     quoted(enum_name(kTlsModes, n.tls.mode)) + " and ao mode " +
                                     quoted(enum_name(kAoModes, n.ao.mode)) + ": " +
                                     std::string(rule.fallback_note));
  }
  const std::string keychain_ptr = child_pointer(r.at("ao"), "keychain");
  const bool uses_keychain = n.ao.mode == AoMode::Static || n.fallback == Fallback::Static;
  if (uses_keychain && n.ao.keychain.empty()) {
    // A keychain that was given but had only bad keys is reported already.
    const Json* ao = r.find("ao");
    const bool keychain_given = ao != nullptr && ao->is_object() && ao->contains("keychain") &&
                                !ao->at("keychain").is_null();
    if (!keychain_given) {
      errors.add(keychain_ptr, n.ao.mode == AoMode::Static
                                   ? "ao mode 'static' needs a key chain"
                                   : "fallback 'static' needs a key chain");
    }
  } else if (!uses_keychain && !n.ao.keychain.empty()) {
    errors.add(keychain_ptr,
               "a key chain is only used with ao mode 'static' or fallback 'static'");
  }
  // Linux refuses TCP-MD5 and TCP-AO on one socket (profile section 1). The
  // one place both are configured is the md5 fallback of 'preferred' +
  // 'opportunistic': the password then keys only the separate plain-BGP
  // connection.
  if (n.md5 && n.ao.mode != AoMode::Off && n.fallback != Fallback::Md5) {
    errors.add(ao_mode_ptr, "md5 cannot be combined with ao mode " +
                                quoted(enum_name(kAoModes, n.ao.mode)) +
                                " (Linux refuses both on one socket)");
  }
  if (n.fallback == Fallback::Md5 && !n.md5 && r.find("md5") == nullptr) {
    errors.add(r.at("md5"), "fallback 'md5' needs an md5 password");
  }
}

}  // namespace bgpd::config::detail
