// bgpd/config/parse.hpp - the section parsers behind parse_config().
//
// Internal to bgpd_config. Each parser reads its part of the tree through
// ObjectReader, records every problem in Errors and still returns a value
// with defaults, so that later cross-field checks can run and report more.
#pragma once

#include <string>

#include "bgpd/config/model.hpp"
#include "bgpd/config/reader.hpp"

namespace bgpd::config::detail {

GlobalConfig parse_global(const Json& value, const std::string& ptr, Errors& errors);

// Timers shared by global and neighbor: hold_time (0 or 3..65535 s, RFC 4271
// section 4.2) and keepalive (default hold_time / 3, RFC 4271 section 4.4).
// When the object sets neither, both inherited values are kept.
void read_timers(ObjectReader& r, Seconds inherited_hold, Seconds inherited_keepalive,
                 Seconds& hold, Seconds& keepalive);

// A duration within [lo, hi].
std::optional<Duration> to_duration_in(const Json& v, const std::string& ptr, Errors& errors,
                                       Duration lo, Duration hi);
inline auto duration_in(Duration lo, Duration hi) {
  return [lo, hi](const Json& v, const std::string& ptr, Errors& errors) {
    return to_duration_in(v, ptr, errors, lo, hi);
  };
}

// A configured secret given as text; refuses the redacted canonical form
// so that a pasted `show config` cannot silently install a wrong key.
std::optional<Secret> to_text_secret(const Json& v, const std::string& ptr, Errors& errors,
                                     std::size_t max_length);

// prefix_lists and policies (either may be null when absent).
policy::PolicySet parse_policy_set(const Json* prefix_lists, const Json* policies,
                                   Errors& errors);

// One neighbor; `policies` resolves import/export names.
NeighborConfig parse_neighbor(const Json& value, const std::string& ptr,
                              const GlobalConfig& global, const policy::PolicySet& policies,
                              Errors& errors);

// tls, ao, md5 and fallback of one neighbor, then the profile's mode table.
void parse_transport(ObjectReader& r, NeighborConfig& neighbor);

NetworkConfig parse_network(const Json& value, const std::string& ptr, Errors& errors);

}  // namespace bgpd::config::detail
