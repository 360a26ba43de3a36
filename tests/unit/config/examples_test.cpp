// Every configs/*.json must be valid (the daemon's `bgpd --check` runs the
// same check_config_text), and load_file / check_files behave.
#include <filesystem>
#include <fstream>

#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

namespace fs = std::filesystem;

TEST(Examples, EveryExampleConfigIsValid) {
  const fs::path dir = fs::path(BGPD_SOURCE_DIR) / "configs";
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    auto result = load_file(entry.path().string());
    EXPECT_TRUE(accepted(result)) << entry.path();
  }
  EXPECT_GE(count, 5u);
}

TEST(Examples, RequiredExamplesExist) {
  const fs::path dir = fs::path(BGPD_SOURCE_DIR) / "configs";
  for (const char* name : {"minimal-ebgp.json", "ibgp-and-ebgp-with-policy.json",
                           "tls-ao-opportunistic.json", "md5.json", "static-keychain.json"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
}

TEST(Files, LoadFileReportsAnUnreadableFile) {
  auto result = load_file("/nonexistent/bgpd-config-test.json");
  ASSERT_FALSE(result);
  ASSERT_EQ(result.error().size(), 1u);
  EXPECT_EQ(result.error()[0].pointer, "");
  EXPECT_NE(result.error()[0].message.find("cannot read"), std::string::npos);
}

TEST(Files, CheckFilesReportsMissingTlsFiles) {
  const fs::path dir = fs::temp_directory_path() /
                       ("bgpd-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                        "-" + std::to_string(reinterpret_cast<std::uintptr_t>(&dir)));
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << "x";
  Config config;
  config.global.tls.ca_file = (dir / "ca.pem").string();
  config.global.tls.cert_file = (dir / "missing.pem").string();
  config.global.tls.key_file = dir.string();  // a directory, not a file
  const ConfigErrors errors = check_files(config);
  fs::remove_all(dir);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].pointer, "/global/tls/cert_file");
  EXPECT_EQ(errors[1].pointer, "/global/tls/key_file");
}

}  // namespace
}  // namespace bgpd::config::test
