// tests/fuzz/config/config_fuzz.cpp - arbitrary text into parse_config.
//
// Must never crash, hang or leak. Beyond "no crash", checks the properties
// the daemon relies on: a rejected text has at least one error, every error
// pointer is a valid RFC 6901 pointer (empty or starting with '/'), an
// accepted config round-trips through its revealed canonical text, and a
// reload plan between a config and itself is empty.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bgpd/config/config.hpp"
#include "bgpd/config/reload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = parse_config(text);
  if (!result) {
    if (result.error().empty()) std::abort();
    for (const auto& e : result.error()) {
      if (!e.pointer.empty() && e.pointer.front() != '/') std::abort();
    }
    return 0;
  }
  const std::string canonical = to_canonical_text(*result, Secrets::Reveal);
  auto again = parse_config(canonical);
  if (!again || to_canonical_text(*again, Secrets::Reveal) != canonical) std::abort();
  if (!plan_reload(*result, *again).empty()) std::abort();
  return 0;
}
