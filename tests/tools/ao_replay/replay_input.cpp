#include "tests/tools/ao_replay/replay_input.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string_view>

#include "common/hex.hpp"

namespace ao_replay {
namespace {

using aotls::crypto::MacAlgorithm;
using nlohmann::json;

struct AlgorithmName {
  std::string_view name;
  MacAlgorithm mac;
};
// The names keys.py accepts: the RFC spellings and bgpd's config one.
constexpr std::array<AlgorithmName, 3> kAlgorithms{{
    {"hmac-sha1-96", MacAlgorithm::HmacSha1_96},
    {"hmac-sha-1-96", MacAlgorithm::HmacSha1_96},
    {"aes-128-cmac-96", MacAlgorithm::AesCmac128_96},
}};

common::Expected<json, std::string> read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::Unexpected(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::parse_error& e) {
    // e.what() quotes the text last read, which may be a secret.
    return common::Unexpected(path + ": not valid JSON (syntax error at byte " +
                              std::to_string(e.byte) + ")");
  }
}

// One JSON object and its place (file and JSON pointer). Readers return a
// placeholder after an error and remember the first one, so a caller reads
// every field and checks error() once.
class Fields {
 public:
  Fields(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail(where_ + ": not an object");
  }

  bool has(const char* key) const { return object_.is_object() && object_.contains(key); }
  std::string where(const char* key) const { return where_ + "/" + key; }
  const std::string& where() const { return where_; }
  void fail(std::string message) {
    if (!error_) error_ = std::move(message);
  }
  const std::optional<std::string>& error() const { return error_; }

  std::uint64_t unsigned_integer(const char* key, std::uint64_t max) {
    if (!has(key)) {
      fail_missing(key);
      return 0;
    }
    const json& value = object_.at(key);
    if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max) {
      fail(where(key) + ": must be an integer 0.." + std::to_string(max));
      return 0;
    }
    return value.get<std::uint64_t>();
  }

  std::string text(const char* key, std::optional<std::string> fallback = std::nullopt) {
    if (!has(key)) {
      if (!fallback) fail_missing(key);
      return fallback.value_or("");
    }
    const json& value = object_.at(key);
    if (!value.is_string()) {
      fail(where(key) + ": must be a string");
      return "";
    }
    return value.get<std::string>();
  }

  bool boolean(const char* key, bool fallback) {
    if (!has(key)) return fallback;
    const json& value = object_.at(key);
    if (!value.is_boolean()) {
      fail(where(key) + ": must be true or false");
      return fallback;
    }
    return value.get<bool>();
  }

  aotls::segment::IpAddress address(const char* key) {
    const std::string spelled = text(key);
    auto parsed = aotls::segment::IpAddress::parse(spelled);
    if (!parsed) {
      fail(where(key) + ": not an IPv4 or IPv6 address");
      return *aotls::segment::IpAddress::parse("0.0.0.0");
    }
    return *parsed;
  }

 private:
  void fail_missing(const char* key) { fail(where(key) + ": missing"); }

  const json& object_;
  std::string where_;
  std::optional<std::string> error_;
};

// The array `key` of the document (or the document itself when it is an
// array and `bare_list_ok`); empty lists are refused.
common::Expected<const json*, std::string> entries(const json& doc, const std::string& path,
                                                   const char* key, bool bare_list_ok) {
  const json* list = nullptr;
  if (bare_list_ok && doc.is_array()) list = &doc;
  if (doc.is_object() && doc.contains(key)) list = &doc.at(key);
  if (list == nullptr || !list->is_array()) {
    return common::Unexpected(path + ": expected {\"" + key + "\": [...]}");
  }
  if (list->empty()) return common::Unexpected(path + ": /" + key + ": empty list");
  return list;
}

std::optional<MacAlgorithm> algorithm_named(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto it = std::find_if(kAlgorithms.begin(), kAlgorithms.end(),
                               [&](const AlgorithmName& a) { return a.name == name; });
  if (it == kAlgorithms.end()) return std::nullopt;
  return it->mac;
}

std::vector<std::uint8_t> secret_of(Fields& f) {
  if (f.has("secret") == f.has("secret_hex")) {
    f.fail(f.where() + ": give exactly one of secret and secret_hex");
    return {};
  }
  std::vector<std::uint8_t> secret;
  if (f.has("secret")) {
    const std::string text = f.text("secret");
    secret.assign(text.begin(), text.end());
  } else {
    auto bytes = common::from_hex(f.text("secret_hex"));
    if (!bytes) f.fail(f.where("secret_hex") + ": not hex");
    secret = bytes.value_or(std::vector<std::uint8_t>{});
  }
  if (secret.empty()) f.fail(f.where() + ": empty secret");
  return secret;
}

common::Expected<aotls::keys::Mkt, std::string> parse_key(Fields f) {
  aotls::keys::Mkt mkt;
  mkt.send_id = static_cast<aotls::keys::KeyId>(f.unsigned_integer("send_id", 255));
  mkt.recv_id = static_cast<aotls::keys::KeyId>(f.unsigned_integer("recv_id", 255));
  const std::vector<std::uint8_t> secret = secret_of(f);
  const std::string name = f.text("algorithm", "hmac-sha1-96");
  const auto mac = algorithm_named(name);
  if (!mac) {
    f.fail(f.where("algorithm") + ": unknown algorithm \"" + name +
           "\" (hmac-sha1-96, hmac-sha-1-96 or aes-128-cmac-96)");
  }
  mkt.params.include_options = f.boolean("include_options", true);
  if (f.error()) return common::Unexpected(*f.error());
  mkt.params.mac = *mac;
  mkt.params.kdf = aotls::crypto::algorithm_row(*mac).kdf;
  mkt.secret = aotls::crypto::Secret(secret);
  return mkt;
}

std::uint32_t u32(Fields& f, const char* key) {
  return static_cast<std::uint32_t>(f.unsigned_integer(key, 0xffffffffu));
}

common::Expected<ReplayEndpoint, std::string> parse_endpoint(Fields f) {
  std::string local_text = f.text("local");
  std::string remote_text = f.text("remote");
  const auto local = f.address("local");
  const auto remote = f.address("remote");
  const auto local_port = static_cast<std::uint16_t>(f.unsigned_integer("local_port", 65535));
  const auto remote_port = static_cast<std::uint16_t>(f.unsigned_integer("remote_port", 65535));
  // TCP_AO_REPAIR's fields and the sequence numbers the kernel's SNE is
  // relative to (send: snd_una, receive: rcv_nxt).
  aotls::backend::userspace::ConnectionRepair repair;
  repair.local_isn = u32(f, "snt_isn");
  repair.remote_isn = u32(f, "rcv_isn");
  repair.send = {u32(f, "snd_sne"), u32(f, "snd_una")};
  repair.receive = {u32(f, "rcv_sne"), u32(f, "rcv_nxt")};
  if (local.version() != remote.version()) {
    f.fail(f.where() + ": local and remote are of different address families");
  }
  if (f.error()) return common::Unexpected(*f.error());
  return ReplayEndpoint{std::move(local_text),
                        std::move(remote_text),
                        {local, remote, local_port, remote_port},
                        repair};
}

// Reads list `key` of `path` and parses each entry with `parse`.
template <typename T, typename Parse>
common::Expected<std::vector<T>, std::string> load_list(const std::string& path, const char* key,
                                                        bool bare_list_ok, Parse parse) {
  auto doc = read_json(path);
  if (!doc) return common::Unexpected(doc.error());
  auto list = entries(*doc, path, key, bare_list_ok);
  if (!list) return common::Unexpected(list.error());
  std::vector<T> out;
  for (std::size_t i = 0; i < (*list)->size(); ++i) {
    auto parsed = parse(Fields((**list)[i], path + ": /" + key + "/" + std::to_string(i)));
    if (!parsed) return common::Unexpected(parsed.error());
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace

common::Expected<std::vector<aotls::keys::Mkt>, std::string> load_keys(const std::string& path) {
  return load_list<aotls::keys::Mkt>(path, "keys", true, parse_key);
}

common::Expected<std::vector<ReplayEndpoint>, std::string> load_endpoints(const std::string& path) {
  return load_list<ReplayEndpoint>(path, "endpoints", false, parse_endpoint);
}

}  // namespace ao_replay
