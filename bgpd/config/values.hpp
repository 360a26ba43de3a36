// bgpd/config/values.hpp - text forms of configuration values.
//
// Owns: the one place where a value's JSON spelling is defined, both ways
// (parse and canonical print): enum names, durations, communities, UTC
// timestamps. Internal to bgpd_config; pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bgpd/config/model.hpp"

namespace bgpd::config {

template <class E>
struct EnumName {
  std::string_view name;
  E value;
};

template <class E, std::size_t N>
using EnumTable = std::array<EnumName<E>, N>;

template <class E, std::size_t N>
std::optional<E> enum_from_name(const EnumTable<E, N>& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view enum_name(const EnumTable<E, N>& table, E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

// "a, b or c": the accepted names, for error messages.
template <class E, std::size_t N>
std::string enum_choices(const EnumTable<E, N>& table) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += (i + 1 == N) ? " or " : ", ";
    out += "'" + std::string(table[i].name) + "'";
  }
  return out;
}

inline constexpr EnumTable<LogLevel, 4> kLogLevels{{{"debug", LogLevel::Debug},
                                                    {"info", LogLevel::Info},
                                                    {"warning", LogLevel::Warning},
                                                    {"error", LogLevel::Error}}};
inline constexpr EnumTable<LogFormat, 2> kLogFormats{
    {{"text", LogFormat::Text}, {"json", LogFormat::Json}}};
inline constexpr EnumTable<AoBackend, 3> kAoBackends{{{"auto", AoBackend::Auto},
                                                      {"kernel", AoBackend::Kernel},
                                                      {"userspace", AoBackend::Userspace}}};
inline constexpr EnumTable<TlsMode, 3> kTlsModes{{{"required", TlsMode::Required},
                                                  {"preferred", TlsMode::Preferred},
                                                  {"off", TlsMode::Off}}};
inline constexpr EnumTable<AoMode, 4> kAoModes{{{"opportunistic", AoMode::Opportunistic},
                                                {"required", AoMode::Required},
                                                {"static", AoMode::Static},
                                                {"off", AoMode::Off}}};
inline constexpr EnumTable<Fallback, 3> kFallbacks{
    {{"static", Fallback::Static}, {"md5", Fallback::Md5}, {"none", Fallback::None}}};
inline constexpr EnumTable<MacAlgorithm, 2> kMacAlgorithms{
    {{"hmac-sha1-96", MacAlgorithm::HmacSha1}, {"aes-128-cmac-96", MacAlgorithm::AesCmac}}};
inline constexpr EnumTable<Family, 2> kFamilies{
    {{"ipv4-unicast", Family::Ipv4Unicast}, {"ipv6-unicast", Family::Ipv6Unicast}}};
inline constexpr EnumTable<wire::Afi, 2> kAfis{{{"ipv4", wire::Afi::Ipv4}, {"ipv6", wire::Afi::Ipv6}}};
inline constexpr EnumTable<wire::Origin, 3> kOrigins{{{"igp", wire::Origin::Igp},
                                                      {"egp", wire::Origin::Egp},
                                                      {"incomplete", wire::Origin::Incomplete}}};
inline constexpr EnumTable<bool, 2> kPrefixListActions{{{"permit", true}, {"deny", false}}};
inline constexpr EnumTable<policy::TermResult, 3> kTermActions{
    {{"accept", policy::TermResult::Accept},
     {"reject", policy::TermResult::Reject},
     {"next", policy::TermResult::Continue}}};
inline constexpr EnumTable<policy::TermResult, 2> kDefaultActions{
    {{"accept", policy::TermResult::Accept}, {"reject", policy::TermResult::Reject}}};

// Durations: one or more <digits><unit> groups, unit ms|s|m|h|d ("500ms",
// "1h30m"). Integers in JSON are seconds (handled by the reader). The print
// picks the largest unit that divides exactly ("2m", "90s", "500ms").
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);

// RFC 1997 "65000:100" (each half 0..65535) or a well-known name
// ("no-export", "no-advertise", "no-export-subconfed"); printed back as the
// name when it has one.
std::optional<wire::Community> parse_community(std::string_view text);
std::string format_community(wire::Community c);

// RFC 8092 "65000:1:2", each part 0..4294967295.
std::optional<wire::LargeCommunity> parse_large_community(std::string_view text);
std::string format_large_community(const wire::LargeCommunity& c);

// RFC 3339 UTC "2026-01-31T12:00:00Z" <-> seconds since the epoch.
std::optional<std::int64_t> parse_utc_time(std::string_view text);
std::string format_utc_time(std::int64_t seconds);

}  // namespace bgpd::config
