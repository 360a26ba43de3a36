// bgpd/config/files.cpp - the thin file-system shell around the pure core.
//
// The only code of bgpd_config that touches files: reading the config text
// and checking that the TLS files it names exist. Used at startup and by
// `bgpd --check`; exceptions from the standard library are caught here.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bgpd/config/config.hpp"

namespace bgpd::config {

ParseResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::Unexpected(ConfigErrors{{"", "cannot read " + path}});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return common::Unexpected(ConfigErrors{{"", "error while reading " + path}});
  return parse_config(text.str());
}

ConfigErrors check_files(const Config& config) {
  ConfigErrors errors;
  const auto& tls = config.global.tls;
  const std::array<std::pair<const char*, const std::optional<std::string>*>, 3> files{
      {{"/global/tls/ca_file", &tls.ca_file},
       {"/global/tls/cert_file", &tls.cert_file},
       {"/global/tls/key_file", &tls.key_file}}};
  for (const auto& [pointer, path] : files) {
    if (!path->has_value()) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(**path, ec)) {
      errors.push_back({pointer, "'" + **path + "' is not a readable regular file"});
    }
  }
  return errors;
}

}  // namespace bgpd::config
