// bgpd/config/reader.hpp - typed, error-collecting access to a JSON tree.
//
// Owns: the mechanics behind "report every error at once": each converter
// checks one value, records an error at its JSON pointer and returns
// nullopt, so the parser goes on and finds the next problem. ObjectReader
// tracks which keys were read and reports the rest as unknown, with the
// closest known key as a suggestion. Internal to bgpd_config; pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "bgpd/config/config.hpp"
#include "bgpd/config/values.hpp"

namespace bgpd::config::detail {

using Json = nlohmann::json;

// RFC 6901 section 3: "~" -> "~0", "/" -> "~1".
std::string child_pointer(const std::string& parent, std::string_view key);
std::string child_pointer(const std::string& parent, std::size_t index);

class Errors {
 public:
  void add(std::string pointer, std::string message) {
    list_.push_back({std::move(pointer), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  ConfigErrors take() { return std::move(list_); }

 private:
  ConfigErrors list_;
};

// "a string", "an array", ... for type errors (never the value itself: it
// may be a secret or arbitrarily deep).
std::string_view json_type_name(const Json& value);
void type_error(const Json& value, const std::string& ptr, Errors& errors,
                std::string_view expected);

// Converters: (value, pointer, errors) -> optional<T>.
std::optional<bool> to_bool(const Json& v, const std::string& ptr, Errors& errors);
std::optional<std::string> to_string(const Json& v, const std::string& ptr, Errors& errors);
std::optional<std::uint64_t> to_uint(const Json& v, const std::string& ptr, Errors& errors,
                                     std::uint64_t lo, std::uint64_t hi);
std::optional<std::uint32_t> to_asn(const Json& v, const std::string& ptr, Errors& errors);
std::optional<Duration> to_duration(const Json& v, const std::string& ptr, Errors& errors);
std::optional<wire::IpAddress> to_address(const Json& v, const std::string& ptr, Errors& errors);
std::optional<wire::Prefix> to_prefix(const Json& v, const std::string& ptr, Errors& errors);
std::optional<wire::Community> to_community(const Json& v, const std::string& ptr,
                                            Errors& errors);
std::optional<wire::LargeCommunity> to_large_community(const Json& v, const std::string& ptr,
                                                       Errors& errors);
std::optional<std::int64_t> to_utc_time(const Json& v, const std::string& ptr, Errors& errors);
// A name of a prefix list, policy or term: 1..64 of [A-Za-z0-9_.-].
std::optional<std::string> to_name(const Json& v, const std::string& ptr, Errors& errors);
bool valid_name(std::string_view name);

// An unsigned integer of type T within [lo, hi].
template <class T>
auto uint_in(std::uint64_t lo, std::uint64_t hi) {
  return [lo, hi](const Json& v, const std::string& ptr, Errors& errors) -> std::optional<T> {
    auto value = to_uint(v, ptr, errors, lo, hi);
    if (!value) return std::nullopt;
    return static_cast<T>(*value);
  };
}

template <class E, std::size_t N>
auto one_of(const EnumTable<E, N>& table) {
  return [&table](const Json& v, const std::string& ptr, Errors& errors) -> std::optional<E> {
    auto text = to_string(v, ptr, errors);
    if (!text) return std::nullopt;
    auto value = enum_from_name(table, *text);
    if (!value) errors.add(ptr, "'" + *text + "' is not one of " + enum_choices(table));
    return value;
  };
}

// Calls f(element, pointer, index) for each element; an error if not an array.
template <class F>
bool for_each_element(const Json& v, const std::string& ptr, Errors& errors, F&& f) {
  if (!v.is_array()) {
    type_error(v, ptr, errors, "an array");
    return false;
  }
  for (std::size_t i = 0; i < v.size(); ++i) f(v[i], child_pointer(ptr, i), i);
  return true;
}

// An array converted element by element; bad elements are reported and
// left out, a non-array is reported and gives nullopt.
template <class F>
auto list_of(F convert) {
  return [convert](const Json& v, const std::string& ptr, Errors& errors) {
    using T = typename std::invoke_result_t<F, const Json&, const std::string&,
                                            Errors&>::value_type;
    std::optional<std::vector<T>> out;
    std::vector<T> items;
    if (for_each_element(v, ptr, errors, [&](const Json& e, const std::string& p, std::size_t) {
          if (auto item = convert(e, p, errors)) items.push_back(std::move(*item));
        })) {
      out = std::move(items);
    }
    return out;
  };
}

// Like list_of, and an element equal to an earlier one is an error
// ("duplicate of /path/0") and left out. T must be ordered.
template <class F>
auto unique_list_of(F convert) {
  return [convert](const Json& v, const std::string& ptr, Errors& errors) {
    using T = typename std::invoke_result_t<F, const Json&, const std::string&,
                                            Errors&>::value_type;
    std::optional<std::vector<T>> out;
    std::vector<T> items;
    std::map<T, std::string> seen;
    if (for_each_element(v, ptr, errors, [&](const Json& e, const std::string& p, std::size_t) {
          auto item = convert(e, p, errors);
          if (!item) return;
          auto [it, inserted] = seen.emplace(*item, p);
          if (inserted) {
            items.push_back(std::move(*item));
          } else {
            errors.add(p, "duplicate of " + it->second);
          }
        })) {
      out = std::move(items);
    }
    return out;
  };
}

// Reads one JSON object. Every key looked up (found or not) becomes a known
// key; finish() reports the others. A JSON null reads as absent: the
// profile's sketch writes unset optional fields as null.
class ObjectReader {
 public:
  ObjectReader(const Json& value, std::string pointer, Errors& errors);
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool is_object() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string at(std::string_view key) const { return child_pointer(pointer_, key); }
  Errors& errors() { return errors_; }

  // The value, or nullptr when absent or null.
  const Json* find(std::string_view key);
  // Present with an explicit null.
  bool is_null(std::string_view key);
  // Like find(), but reports a missing key.
  const Json* require(std::string_view key);

  template <class F>
  auto get(std::string_view key, F&& convert) {
    using R = std::invoke_result_t<F, const Json&, const std::string&, Errors&>;
    const Json* v = find(key);
    if (v == nullptr) return R{};
    return convert(*v, at(key), errors_);
  }
  template <class F>
  auto get_required(std::string_view key, F&& convert) {
    using R = std::invoke_result_t<F, const Json&, const std::string&, Errors&>;
    const Json* v = require(key);
    if (v == nullptr) return R{};
    return convert(*v, at(key), errors_);
  }

  // Reports unknown keys (with a "did you mean" when one is close).
  void finish();

 private:
  const Json* object_ = nullptr;
  std::string pointer_;
  Errors& errors_;
  std::vector<std::string> known_;
};

}  // namespace bgpd::config::detail
