// Canonical print: golden files, round trip, redaction.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(BGPD_SOURCE_DIR) / "tests/unit/config/golden";
constexpr std::string_view kInputSuffix = ".input.json";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> golden_inputs() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > kInputSuffix.size() && name.ends_with(kInputSuffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path expected_path(const fs::path& input) {
  std::string name = input.filename().string();
  name.resize(name.size() - kInputSuffix.size());
  return input.parent_path() / (name + ".canonical.json");
}

// Each golden input prints exactly as its .canonical.json (secrets redacted).
// BGPD_UPDATE_GOLDEN=1 rewrites the expected files and fails, so that the
// new output is reviewed (git diff) before it counts.
TEST(CanonicalGolden, InputsPrintAsExpected) {
  const auto inputs = golden_inputs();
  ASSERT_GE(inputs.size(), 4u) << "golden inputs missing in " << kGoldenDir;
  const bool update = std::getenv("BGPD_UPDATE_GOLDEN") != nullptr;
  for (const auto& input : inputs) {
    SCOPED_TRACE(input.filename().string());
    auto result = parse_config(read_text(input));
    ASSERT_TRUE(accepted(result));
    const std::string actual = to_canonical_text(*result);
    if (update) {
      std::ofstream(expected_path(input), std::ios::binary) << actual;
      ADD_FAILURE() << "rewrote " << expected_path(input) << "; review it and run again";
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path(input))) << expected_path(input);
    EXPECT_EQ(actual, read_text(expected_path(input)));
  }
}

// Revealed canonical text parses back to the same canonical text.
TEST(CanonicalGolden, RevealedFormRoundTrips) {
  for (const auto& input : golden_inputs()) {
    SCOPED_TRACE(input.filename().string());
    auto first = parse_config(read_text(input));
    ASSERT_TRUE(accepted(first));
    const std::string text = to_canonical_text(*first, Secrets::Reveal);
    auto second = parse_config(text);
    ASSERT_TRUE(accepted(second));
    EXPECT_EQ(to_canonical_text(*second, Secrets::Reveal), text);
  }
}

TEST(Canonical, SecretsAreRedactedAndRedactionDoesNotParse) {
  Json doc = base_document();
  doc["/neighbors/0/md5"_json_pointer] = "hunter2";
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  const std::string redacted = to_canonical_text(*result);
  EXPECT_EQ(redacted.find("hunter2"), std::string::npos);
  EXPECT_NE(redacted.find("\"md5\": \"<secret len=7>\""), std::string::npos);
  EXPECT_TRUE(only_error(parse_config(redacted), "/neighbors/0/md5", "redacted secret"));
  EXPECT_NE(to_canonical_text(*result, Secrets::Reveal).find("\"md5\": \"hunter2\""),
            std::string::npos);
}

TEST(Canonical, KeysAreSortedAndDefaultsFilled) {
  auto result = parse(base_document());
  ASSERT_TRUE(accepted(result));
  const Json canonical = to_canonical_json(*result);
  const Json& n = canonical["neighbors"][0];
  EXPECT_EQ(n["hold_time"], "90s");
  EXPECT_EQ(n["keepalive"], "30s");
  EXPECT_EQ(n["connect_retry"], "2m");
  EXPECT_EQ(n["fallback"], "none");
  EXPECT_EQ(n["import"], nullptr);
  EXPECT_EQ(n["ao"]["rekey_interval"], "1h");
  EXPECT_EQ(canonical["global"]["listen"]["addresses"], Json({"0.0.0.0", "::"}));
  std::vector<std::string> keys;
  for (const auto& [k, v] : n.items()) keys.push_back(k);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(keys.size(), 19u);
}

}  // namespace
}  // namespace bgpd::config::test
