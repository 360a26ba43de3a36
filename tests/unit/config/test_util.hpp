// tests/unit/config/test_util.hpp - helpers for the config tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bgpd/config/config.hpp"

namespace bgpd::config::test {

using Json = nlohmann::json;
using nlohmann::literals::operator""_json_pointer;

// A valid document with one eBGP neighbor at /neighbors/0; tests change it
// with JSON pointers and parse the dump.
inline Json base_document() {
  return Json::parse(R"({
    "global": { "asn": 65001, "router_id": "192.0.2.1" },
    "neighbors": [ { "address": "192.0.2.2", "asn": 65002 } ]
  })");
}

inline ParseResult parse(const Json& document) { return parse_config(document.dump()); }

inline std::string dump_errors(const ConfigErrors& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + e.to_string() + "\n";
  return out;
}

// Success when parsing fails with an error at exactly `pointer` whose
// message contains `text`.
inline ::testing::AssertionResult has_error(const ParseResult& result, std::string_view pointer,
                                            std::string_view text = "") {
  if (result) return ::testing::AssertionFailure() << "the document was accepted";
  for (const auto& e : result.error()) {
    if (e.pointer == pointer && e.message.find(text) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "no error at '" << pointer << "' containing '" << text
                                       << "'; errors:\n"
                                       << dump_errors(result.error());
}

// Exactly one error, at `pointer`, containing `text`.
inline ::testing::AssertionResult only_error(const ParseResult& result, std::string_view pointer,
                                             std::string_view text = "") {
  auto found = has_error(result, pointer, text);
  if (!found) return found;
  if (result.error().size() != 1) {
    return ::testing::AssertionFailure() << "expected one error, got:\n"
                                         << dump_errors(result.error());
  }
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult accepted(const ParseResult& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "rejected:\n" << dump_errors(result.error());
}

}  // namespace bgpd::config::test
