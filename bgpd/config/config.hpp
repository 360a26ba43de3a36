// bgpd/config/config.hpp - JSON configuration: parse, validate, print.
//
// Owns: turning configuration text into a validated Config (model.hpp),
// reporting EVERY problem at once with its RFC 6901 JSON pointer, and the
// canonical print (sorted keys, every default filled) that golden tests and
// `bgpcli show config` diff against. The reload plan lives in reload.hpp.
//
// Must not depend on: session, api, daemon, Asio, sockets, clocks, logging.
// The core does no file I/O; load_file() and check_files() (files.cpp) are
// the thin shell for the daemon's startup and `bgpd --check`.
//
// Implements the configuration side of: RFC 4271 (hold time 0 or >= 3 s,
// section 4.2), RFC 6793 (AS_TRANS is never a configured AS), RFC 8212
// (records whether a neighbor has import/export policy), RFC 5925 / RFC 8177
// (static TCP-AO key chains), RFC 2385 (TCP-MD5 password length), and the
// AO-TLS profile's transport mode table (section 1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bgpd/config/model.hpp"
#include "common/expected.hpp"

namespace bgpd::config {

struct ConfigError {
  std::string pointer;  // RFC 6901; "" is the whole document
  std::string message;
  // "/neighbors/2/ao/mode: md5 cannot be combined with ..."
  std::string to_string() const;
  bool operator==(const ConfigError&) const = default;
};

using ConfigErrors = std::vector<ConfigError>;
using ParseResult = common::Expected<Config, ConfigErrors>;

// Parses and validates; on failure returns all errors in document order.
// Malformed JSON yields one error at pointer "" carrying the byte offset.
ParseResult parse_config(std::string_view text);
ParseResult parse_config_document(const nlohmann::json& document);

// For `bgpd --check`: the errors of parse_config(), empty when valid.
ConfigErrors check_config_text(std::string_view text);

// Canonical form: every default filled, keys sorted, sets sorted. Secrets
// print as "<secret len=N>" (which parse_config refuses) unless
// reveal_secrets, which the reload diff and round-trip tests use.
enum class Secrets : std::uint8_t { Redact, Reveal };
nlohmann::json to_canonical_json(const Config& config, Secrets secrets = Secrets::Redact);
std::string to_canonical_text(const Config& config, Secrets secrets = Secrets::Redact);

// Thin shell (files.cpp). load_file reads a file and parses it (an
// unreadable file is one error at pointer ""). check_files reports the
// configured TLS files that do not exist or are not regular files; the pure
// core never looks at the file system.
ParseResult load_file(const std::string& path);
ConfigErrors check_files(const Config& config);

}  // namespace bgpd::config
