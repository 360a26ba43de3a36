// bgpd/config/reader.cpp - typed, error-collecting access to a JSON tree.
#include "bgpd/config/reader.hpp"

#include <algorithm>
#include <limits>

namespace bgpd::config::detail {
namespace {

constexpr std::uint32_t kAsTrans = 23456;  // RFC 6793 section 9
constexpr std::size_t kMaxNameLength = 64;

// Levenshtein distance, for "did you mean" on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Unknown keys can be megabytes long in hostile input: quote a bounded part.
std::string quoted_key(std::string_view key) {
  constexpr std::size_t kMaxShown = 64;
  if (key.size() <= kMaxShown) return "'" + std::string(key) + "'";
  return "'" + std::string(key.substr(0, kMaxShown)) + "...'";
}

}  // namespace

std::string child_pointer(const std::string& parent, std::string_view key) {
  std::string out = parent;
  out.reserve(parent.size() + key.size() + 1);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string child_pointer(const std::string& parent, std::size_t index) {
  return parent + "/" + std::to_string(index);
}

std::string_view json_type_name(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number with a fraction or exponent";
    case Json::value_t::binary:
    case Json::value_t::discarded: break;
  }
  return "an unsupported value";
}

void type_error(const Json& value, const std::string& ptr, Errors& errors,
                std::string_view expected) {
  errors.add(ptr, "expected " + std::string(expected) + ", got " +
                      std::string(json_type_name(value)));
}

std::optional<bool> to_bool(const Json& v, const std::string& ptr, Errors& errors) {
  if (!v.is_boolean()) {
    type_error(v, ptr, errors, "true or false");
    return std::nullopt;
  }
  return v.get<bool>();
}

std::optional<std::string> to_string(const Json& v, const std::string& ptr, Errors& errors) {
  if (!v.is_string()) {
    type_error(v, ptr, errors, "a string");
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<std::uint64_t> to_uint(const Json& v, const std::string& ptr, Errors& errors,
                                     std::uint64_t lo, std::uint64_t hi) {
  if (v.is_number_integer() && !v.is_number_unsigned()) {  // negative
    errors.add(ptr, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return std::nullopt;
  }
  if (!v.is_number_unsigned()) {
    type_error(v, ptr, errors, "an integer");
    return std::nullopt;
  }
  const auto value = v.get<std::uint64_t>();
  if (value < lo || value > hi) {
    errors.add(ptr, std::to_string(value) + " is out of range; must be between " +
                        std::to_string(lo) + " and " + std::to_string(hi));
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint32_t> to_asn(const Json& v, const std::string& ptr, Errors& errors) {
  auto asn = to_uint(v, ptr, errors, 1, std::numeric_limits<std::uint32_t>::max());
  if (!asn) return std::nullopt;
  if (*asn == kAsTrans) {
    // RFC 6793 section 9: AS_TRANS stands in for a 4-byte AS in 2-byte
    // fields; it is never an AS of its own.
    errors.add(ptr, "23456 is AS_TRANS (RFC 6793) and cannot be configured as an AS");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*asn);
}

std::optional<Duration> to_duration(const Json& v, const std::string& ptr, Errors& errors) {
  if (v.is_number_unsigned()) {
    // A bare integer counts as seconds (docs/configuration.md).
    constexpr std::uint64_t kMaxSeconds = 10ULL * 365 * 86'400;
    auto seconds = to_uint(v, ptr, errors, 0, kMaxSeconds);
    if (!seconds) return std::nullopt;
    return std::chrono::duration_cast<Duration>(
        std::chrono::seconds{static_cast<std::int64_t>(*seconds)});
  }
  if (!v.is_string()) {
    type_error(v, ptr, errors, "a duration (\"10s\", \"500ms\", \"2m\", \"1h\") or seconds");
    return std::nullopt;
  }
  auto d = parse_duration(v.get_ref<const std::string&>());
  if (!d) {
    errors.add(ptr, "not a duration: use <number><unit> with unit ms, s, m, h or d "
                    "(\"10s\", \"1h30m\"), at most 10 years");
  }
  return d;
}

std::optional<wire::IpAddress> to_address(const Json& v, const std::string& ptr,
                                          Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  auto address = wire::IpAddress::parse(*text);
  if (!address) errors.add(ptr, "not an IPv4 or IPv6 address");
  return address;
}

std::optional<wire::Prefix> to_prefix(const Json& v, const std::string& ptr, Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  auto prefix = wire::Prefix::parse(*text);
  if (!prefix) {
    errors.add(ptr, "not a prefix (\"192.0.2.0/24\", \"2001:db8::/32\")");
    return std::nullopt;
  }
  // Host bits set usually mean a typo in the length: refuse rather than
  // silently mask.
  auto address = wire::IpAddress::parse(std::string_view(*text).substr(0, text->find('/')));
  if (!address || *address != prefix->address) {
    errors.add(ptr, "host bits set after the prefix length; did you mean '" +
                        prefix->to_string() + "'?");
    return std::nullopt;
  }
  return prefix;
}

std::optional<wire::Community> to_community(const Json& v, const std::string& ptr,
                                            Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  auto c = parse_community(*text);
  if (!c) {
    errors.add(ptr, "not a community: use \"<0-65535>:<0-65535>\" or no-export, "
                    "no-advertise, no-export-subconfed");
  }
  return c;
}

std::optional<wire::LargeCommunity> to_large_community(const Json& v, const std::string& ptr,
                                                       Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  auto c = parse_large_community(*text);
  if (!c) errors.add(ptr, "not a large community: use \"<asn>:<data1>:<data2>\" (each 32 bits)");
  return c;
}

std::optional<std::int64_t> to_utc_time(const Json& v, const std::string& ptr,
                                        Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  auto t = parse_utc_time(*text);
  if (!t) errors.add(ptr, "not a UTC time: use \"YYYY-MM-DDTHH:MM:SSZ\"");
  return t;
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
         });
}

std::optional<std::string> to_name(const Json& v, const std::string& ptr, Errors& errors) {
  auto text = to_string(v, ptr, errors);
  if (!text) return std::nullopt;
  if (!valid_name(*text)) {
    errors.add(ptr, "names are 1 to 64 characters of A-Z a-z 0-9 _ - .");
    return std::nullopt;
  }
  return text;
}

ObjectReader::ObjectReader(const Json& value, std::string pointer, Errors& errors)
    : pointer_(std::move(pointer)), errors_(errors) {
  if (value.is_object()) {
    object_ = &value;
  } else {
    type_error(value, pointer_, errors_, "an object");
  }
}

const Json* ObjectReader::find(std::string_view key) {
  known_.emplace_back(key);
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(key);
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

bool ObjectReader::is_null(std::string_view key) {
  known_.emplace_back(key);
  if (object_ == nullptr) return false;
  auto it = object_->find(key);
  return it != object_->end() && it->is_null();
}

const Json* ObjectReader::require(std::string_view key) {
  const Json* v = find(key);
  // A non-object was reported already; "missing" on top would be noise.
  if (v == nullptr && object_ != nullptr) errors_.add(at(key), "required key is missing");
  return v;
}

void ObjectReader::finish() {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
    std::string message = "unknown key " + quoted_key(key);
    const std::string* best = nullptr;
    std::size_t best_distance = 3;  // suggest only within 2 edits
    for (const auto& candidate : known_) {
      if (key.size() > 64) break;
      const std::size_t d = edit_distance(key, candidate);
      if (d < best_distance && d < candidate.size()) {
        best_distance = d;
        best = &candidate;
      }
    }
    if (best != nullptr) message += " (did you mean '" + *best + "'?)";
    errors_.add(at(key), std::move(message));
  }
}

}  // namespace bgpd::config::detail
