// Text forms: durations, communities, UTC times.
#include <gtest/gtest.h>

#include "bgpd/config/values.hpp"

namespace bgpd::config {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesUnitsAndGroups) {
  EXPECT_EQ(parse_duration("10s"), milliseconds{10'000});
  EXPECT_EQ(parse_duration("500ms"), milliseconds{500});
  EXPECT_EQ(parse_duration("2m"), milliseconds{120'000});
  EXPECT_EQ(parse_duration("1h"), milliseconds{3'600'000});
  EXPECT_EQ(parse_duration("1d"), milliseconds{86'400'000});
  EXPECT_EQ(parse_duration("1h30m"), milliseconds{5'400'000});
  EXPECT_EQ(parse_duration("0s"), milliseconds{0});
}

TEST(Duration, RefusesMalformedAndHuge) {
  for (const char* bad : {"", "10", "s", "10 s", "-1s", "1.5s", "10x", "1m5", "3650d1s",
                          "99999999999999999999s"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_duration("3650d").has_value());
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds{90'000}), "90s");
  EXPECT_EQ(format_duration(milliseconds{120'000}), "2m");
  EXPECT_EQ(format_duration(milliseconds{3'600'000}), "1h");
  EXPECT_EQ(format_duration(milliseconds{1'500}), "1500ms");
  EXPECT_EQ(format_duration(milliseconds{0}), "0s");
  EXPECT_EQ(format_duration(milliseconds{86'400'000 * 2}), "2d");
}

TEST(Community, ParsesAndFormats) {
  EXPECT_EQ(parse_community("65000:100"), (65000u << 16) | 100u);
  EXPECT_EQ(parse_community("0:0"), 0u);
  EXPECT_EQ(parse_community("no-export"), wire::kNoExport);
  EXPECT_EQ(format_community(wire::kNoExportSubconfed), "no-export-subconfed");
  EXPECT_EQ(format_community((65000u << 16) | 100u), "65000:100");
  for (const char* bad : {"65536:1", "1:65536", "1", "1:2:3", ":1", "1:", "a:b", "-1:1"}) {
    EXPECT_FALSE(parse_community(bad).has_value()) << bad;
  }
}

TEST(LargeCommunity, ParsesAndFormats) {
  auto c = parse_large_community("65000:1:2");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(*c, (wire::LargeCommunity{65000, 1, 2}));
  EXPECT_EQ(format_large_community({4294967295u, 0, 7}), "4294967295:0:7");
  for (const char* bad : {"1:2", "1:2:3:4", "4294967296:1:1", "1::2", "x:1:2"}) {
    EXPECT_FALSE(parse_large_community(bad).has_value()) << bad;
  }
}

TEST(UtcTime, ParsesAndFormatsRfc3339Utc) {
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_utc_time("2026-01-01T00:00:00Z"), 1767225600);
  EXPECT_EQ(parse_utc_time("2024-02-29T12:34:56Z"), 1709210096);
  EXPECT_EQ(format_utc_time(1709210096), "2024-02-29T12:34:56Z");
  EXPECT_EQ(format_utc_time(-1), "1969-12-31T23:59:59Z");
  for (const char* bad : {"2023-02-29T00:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00",
                          "2026-01-01T24:00:00Z", "2026-13-01T00:00:00Z", "2026-1-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_utc_time(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace bgpd::config
