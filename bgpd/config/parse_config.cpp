// bgpd/config/parse_config.cpp - text -> JSON -> validated Config.
#include <algorithm>
#include <map>
#include <set>

#include "bgpd/config/config.hpp"
#include "bgpd/config/parse.hpp"

namespace bgpd::config {
namespace {

using detail::Errors;
using detail::Json;

// nlohmann keeps the last of two equal keys silently; a config where a
// field is given twice is almost always an editing mistake, so the parse
// callback reports it. Frames hold only the current key or index: pointers
// are built when needed, which keeps deep hostile input linear.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(Errors& errors) : errors_(errors) {}

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start: stack_.push_back({true, {}, {}, 0}); break;
      case Json::parse_event_t::array_start: stack_.push_back({false, {}, {}, 0}); break;
      case Json::parse_event_t::key: on_key(parsed.get_ref<const std::string&>()); break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        stack_.pop_back();
        consumed();
        break;
      case Json::parse_event_t::value: consumed(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;
    std::size_t index;
  };

  void on_key(const std::string& key) {
    Frame& top = stack_.back();
    top.key = key;
    if (!top.keys.insert(key).second) {
      errors_.add(pointer(), "duplicate key (JSON keeps only the last one)");
    }
  }
  void consumed() {
    if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
  }
  std::string pointer() const {
    std::string out;
    for (const Frame& f : stack_) {
      out = f.is_object ? detail::child_pointer(out, f.key) : detail::child_pointer(out, f.index);
    }
    return out;
  }

  Errors& errors_;
  std::vector<Frame> stack_;
};

// nlohmann's what() starts with "[json.exception.parse_error.101] ".
std::string parse_error_text(const nlohmann::json::parse_error& e) {
  std::string text = e.what();
  if (auto close = text.find("] "); text.starts_with("[json.exception") && close != std::string::npos) {
    text.erase(0, close + 2);
  }
  return "invalid JSON (byte " + std::to_string(e.byte) + "): " + text;
}

// Every neighbor that uses TLS needs the local identity and the CA
// (profile section 1: mutual authentication).
void check_global_tls(const Config& config, const std::vector<std::string>& neighbor_ptrs,
                      Errors& errors) {
  for (std::size_t i = 0; i < config.neighbors.size(); ++i) {
    if (config.neighbors[i].tls.mode == TlsMode::Off) continue;
    const auto& tls = config.global.tls;
    const std::string reason = "required because " + neighbor_ptrs[i] + "/tls/mode is '" +
                               std::string(enum_name(kTlsModes, config.neighbors[i].tls.mode)) +
                               "'";
    const std::array<std::pair<std::string_view, const std::optional<std::string>*>, 3> files{
        {{"ca_file", &tls.ca_file}, {"cert_file", &tls.cert_file}, {"key_file", &tls.key_file}}};
    for (const auto& [key, value] : files) {
      if (!value->has_value()) errors.add("/global/tls/" + std::string(key), reason);
    }
    return;  // one neighbor explains it; no need to repeat per neighbor
  }
}

}  // namespace

ParseResult parse_config_document(const nlohmann::json& document) {
  Errors errors;
  detail::ObjectReader root(document, "", errors);
  Config config;
  if (const Json* global = root.require("global")) {
    config.global = detail::parse_global(*global, "/global", errors);
  }
  config.policies = detail::parse_policy_set(root.find("prefix_lists"), root.find("policies"), errors);

  std::vector<std::string> neighbor_ptrs;
  std::map<wire::IpAddress, std::string> addresses;
  if (const Json* list = root.find("neighbors")) {
    detail::for_each_element(*list, "/neighbors", errors,
                             [&](const Json& v, const std::string& ptr, std::size_t) {
                               auto n = detail::parse_neighbor(v, ptr, config.global,
                                                               config.policies, errors);
                               if (v.is_object() && v.contains("address")) {
                                 auto [it, inserted] = addresses.emplace(n.address, ptr);
                                 if (!inserted) {
                                   errors.add(ptr + "/address",
                                              "duplicate neighbor, already at " + it->second);
                                 }
                               }
                               config.neighbors.push_back(std::move(n));
                               neighbor_ptrs.push_back(ptr);
                             });
  }
  check_global_tls(config, neighbor_ptrs, errors);

  std::map<wire::Prefix, std::string> prefixes;
  if (const Json* list = root.find("networks")) {
    detail::for_each_element(*list, "/networks", errors,
                             [&](const Json& v, const std::string& ptr, std::size_t) {
                               auto net = detail::parse_network(v, ptr, errors);
                               if (v.is_object() && v.contains("prefix")) {
                                 auto [it, inserted] = prefixes.emplace(net.prefix, ptr);
                                 if (!inserted) {
                                   errors.add(ptr + "/prefix",
                                              "duplicate network, already at " + it->second);
                                 }
                               }
                               config.networks.push_back(std::move(net));
                             });
  }
  root.finish();
  if (!errors.empty()) return common::Unexpected(errors.take());

  std::sort(config.neighbors.begin(), config.neighbors.end(),
            [](const NeighborConfig& a, const NeighborConfig& b) { return a.address < b.address; });
  std::sort(config.networks.begin(), config.networks.end(),
            [](const NetworkConfig& a, const NetworkConfig& b) { return a.prefix < b.prefix; });
  return config;
}

ParseResult parse_config(std::string_view text) {
  Errors errors;
  Json document;
  try {
    document = Json::parse(text.begin(), text.end(), DuplicateKeyCheck(errors));
  } catch (const nlohmann::json::parse_error& e) {
    return common::Unexpected(ConfigErrors{{"", parse_error_text(e)}});
  }
  auto result = parse_config_document(document);
  if (errors.empty()) return result;
  // Duplicate keys come first (they are found first), then the rest.
  ConfigErrors all = errors.take();
  if (!result) all.insert(all.end(), result.error().begin(), result.error().end());
  return common::Unexpected(std::move(all));
}

ConfigErrors check_config_text(std::string_view text) {
  auto result = parse_config(text);
  if (result) return {};
  return std::move(result).error();
}

std::string ConfigError::to_string() const {
  return (pointer.empty() ? std::string("(document)") : pointer) + ": " + message;
}

const NeighborConfig* Config::find_neighbor(const wire::IpAddress& address) const {
  auto it = std::lower_bound(neighbors.begin(), neighbors.end(), address,
                             [](const NeighborConfig& n, const wire::IpAddress& a) {
                               return n.address < a;
                             });
  return it != neighbors.end() && it->address == address ? &*it : nullptr;
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    wipe();
    bytes_ = std::move(other.bytes_);
    other.wipe();
  }
  return *this;
}

std::string Secret::to_string() const { return "<secret len=" + std::to_string(size()) + ">"; }

void Secret::wipe() noexcept {
  // volatile: the stores must survive even though the bytes die next.
  volatile std::uint8_t* p = bytes_.data();
  for (std::size_t i = 0; i < bytes_.size(); ++i) p[i] = 0;
  bytes_.clear();
}

}  // namespace bgpd::config
