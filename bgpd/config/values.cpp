// bgpd/config/values.cpp - text forms of configuration values.
#include "bgpd/config/values.hpp"

#include <charconv>
#include <limits>

namespace bgpd::config {
namespace {

// Parses exactly `text` as an unsigned decimal no larger than `max`.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

struct DurationUnit {
  std::string_view suffix;
  std::int64_t millis;
};
// Longest suffix first so that "ms" is not read as "m" followed by junk.
constexpr std::array<DurationUnit, 5> kDurationUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};
// Ten years: far above any sensible timer, far below int64 overflow.
constexpr std::int64_t kMaxDurationMillis = 10LL * 365 * 86'400'000;

struct WellKnownCommunity {
  std::string_view name;
  wire::Community value;
};
constexpr std::array<WellKnownCommunity, 3> kWellKnownCommunities{
    {{"no-export", wire::kNoExport},
     {"no-advertise", wire::kNoAdvertise},
     {"no-export-subconfed", wire::kNoExportSubconfed}}};

// Splits "a:b:c" into exactly `n` fields.
template <std::size_t N>
std::optional<std::array<std::string_view, N>> split_colons(std::string_view text) {
  std::array<std::string_view, N> parts;
  for (std::size_t i = 0; i < N; ++i) {
    auto colon = text.find(':');
    if ((i + 1 == N) != (colon == std::string_view::npos)) return std::nullopt;
    parts[i] = text.substr(0, colon);
    if (colon != std::string_view::npos) text.remove_prefix(colon + 1);
  }
  return parts;
}

std::string two_digits(unsigned v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  while (!text.empty()) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    auto count = parse_decimal(text.substr(0, digits), static_cast<std::uint64_t>(kMaxDurationMillis));
    if (!count) return std::nullopt;
    text.remove_prefix(digits);
    const DurationUnit* unit = nullptr;
    for (const auto& u : kDurationUnits) {
      if (text.starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    text.remove_prefix(unit->suffix.size());
    const auto part = static_cast<std::int64_t>(*count);
    if (part > (kMaxDurationMillis - total) / unit->millis) return std::nullopt;
    total += part * unit->millis;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  const std::int64_t ms = d.count();
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (ms != 0 && ms % it->millis == 0) {
      return std::to_string(ms / it->millis) + std::string(it->suffix);
    }
  }
  return "0s";  // every non-zero count divides by 1 ms
}

std::optional<wire::Community> parse_community(std::string_view text) {
  for (const auto& known : kWellKnownCommunities) {
    if (known.name == text) return known.value;
  }
  auto parts = split_colons<2>(text);
  if (!parts) return std::nullopt;
  auto high = parse_decimal((*parts)[0], 0xFFFF);
  auto low = parse_decimal((*parts)[1], 0xFFFF);
  if (!high || !low) return std::nullopt;
  return static_cast<wire::Community>((*high << 16) | *low);
}

std::string format_community(wire::Community c) {
  for (const auto& known : kWellKnownCommunities) {
    if (known.value == c) return std::string(known.name);
  }
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
}

std::optional<wire::LargeCommunity> parse_large_community(std::string_view text) {
  auto parts = split_colons<3>(text);
  if (!parts) return std::nullopt;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint32_t>::max();
  auto a = parse_decimal((*parts)[0], kMax);
  auto b = parse_decimal((*parts)[1], kMax);
  auto c = parse_decimal((*parts)[2], kMax);
  if (!a || !b || !c) return std::nullopt;
  return wire::LargeCommunity{static_cast<std::uint32_t>(*a), static_cast<std::uint32_t>(*b),
                              static_cast<std::uint32_t>(*c)};
}

std::string format_large_community(const wire::LargeCommunity& c) {
  return std::to_string(c.global_admin) + ":" + std::to_string(c.local_data1) + ":" +
         std::to_string(c.local_data2);
}

std::optional<std::int64_t> parse_utc_time(std::string_view text) {
  // Fixed layout YYYY-MM-DDTHH:MM:SSZ (RFC 3339, UTC only: a key lifetime
  // compared across routers must not depend on a local time zone).
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  auto field = [&](std::size_t pos, std::size_t len, std::uint64_t max) {
    return parse_decimal(text.substr(pos, len), max);
  };
  auto year = field(0, 4, 9999);
  auto month = field(5, 2, 12);
  auto day = field(8, 2, 31);
  auto hour = field(11, 2, 23);
  auto minute = field(14, 2, 59);
  auto second = field(17, 2, 59);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(*year)},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * 86'400 +
         static_cast<std::int64_t>(*hour * 3600 + *minute * 60 + *second);
}

std::string format_utc_time(std::int64_t seconds) {
  auto days = seconds / 86'400;
  auto rest = seconds % 86'400;
  if (rest < 0) {
    rest += 86'400;
    --days;
  }
  const std::chrono::year_month_day date{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
  const auto y = static_cast<int>(date.year());
  std::string year = std::to_string(y);
  while (year.size() < 4) year.insert(year.begin(), '0');
  return year + "-" + two_digits(static_cast<unsigned>(date.month())) + "-" +
         two_digits(static_cast<unsigned>(date.day())) + "T" +
         two_digits(static_cast<unsigned>(rest / 3600)) + ":" +
         two_digits(static_cast<unsigned>(rest / 60 % 60)) + ":" +
         two_digits(static_cast<unsigned>(rest % 60)) + "Z";
}

}  // namespace bgpd::config
