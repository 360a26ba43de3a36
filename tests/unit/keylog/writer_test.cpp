// The key log writer: path precedence (AOTLS_KEYLOGFILE wins), mode 0600 on
// create, append without truncation, refusal of files others can read, and
// whole lines under concurrent writers (profile section 6, writer.hpp).
#include "aotls/keylog/writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace aotls::keylog {
namespace {

namespace fs = std::filesystem;

class KeyLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "keylog_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ::unsetenv("AOTLS_KEYLOGFILE");
  }
  void TearDown() override {
    ::unsetenv("AOTLS_KEYLOGFILE");
    fs::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void write_file(const std::string& file, const std::string& text, mode_t mode) {
    std::ofstream(file, std::ios::binary) << text;
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
  }
  static mode_t mode_of(const std::string& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  // A valid line whose secret bytes all equal `fill`.
  static KeyLogLine make_line(std::uint8_t fill, tls::KeyGeneration g = 1) {
    ClientRandom random{};
    random.fill(0x11);
    std::vector<std::uint8_t> bytes(32, fill);
    crypto::Secret secret(bytes);
    tls::Announcement sender;
    auto line = format_key_log_line({random, g, tls::Direction::ClientToServer, sender, secret});
    EXPECT_TRUE(line.has_value());
    return std::move(*line);
  }

  fs::path dir_;
};

TEST_F(KeyLogWriterTest, PathResolutionEnvironmentWins) {
  const std::optional<std::string> configured = "/conf/keys.log";
  EXPECT_EQ(resolve_key_log_path("/env/keys.log", configured), "/env/keys.log");
  EXPECT_EQ(resolve_key_log_path(std::nullopt, configured), "/conf/keys.log");
  EXPECT_EQ(resolve_key_log_path("", configured), "/conf/keys.log");
  EXPECT_EQ(resolve_key_log_path("/env/keys.log", std::nullopt), "/env/keys.log");
  EXPECT_EQ(resolve_key_log_path(std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(resolve_key_log_path("", std::string()), std::nullopt);
}

TEST_F(KeyLogWriterTest, OffByDefault) {
  auto writer = KeyLogWriter::from_environment(std::nullopt);
  ASSERT_TRUE(writer.has_value());
  EXPECT_FALSE(writer->has_value());
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(KeyLogWriterTest, EnvironmentVariableBeatsConfiguredPath) {
  const std::string env_path = path("env.log");
  const std::string conf_path = path("conf.log");
  ASSERT_EQ(::setenv("AOTLS_KEYLOGFILE", env_path.c_str(), 1), 0);
  auto writer = KeyLogWriter::from_environment(conf_path);
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE(writer->has_value());
  KeyLogLine line = make_line(0x42);
  EXPECT_FALSE((*writer)->write(line));
  EXPECT_EQ(read(env_path), line.text());
  EXPECT_FALSE(fs::exists(conf_path));
}

TEST_F(KeyLogWriterTest, ConfiguredPathUsedWithoutEnvironment) {
  const std::string conf_path = path("conf.log");
  auto writer = KeyLogWriter::from_environment(conf_path);
  ASSERT_TRUE(writer.has_value());
  ASSERT_TRUE(writer->has_value());
  KeyLogLine line = make_line(0x43);
  EXPECT_FALSE((*writer)->write(line));
  EXPECT_EQ(read(conf_path), line.text());
}

TEST_F(KeyLogWriterTest, CreatesFileWithMode0600EvenUnderPermissiveUmask) {
  const std::string file = path("new.log");
  const mode_t old_umask = ::umask(0);
  auto writer = KeyLogWriter::open(file);
  ::umask(old_umask);
  ASSERT_TRUE(writer.has_value()) << writer.error().message();
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST_F(KeyLogWriterTest, AppendsAndNeverTruncates) {
  const std::string file = path("existing.log");
  write_file(file, "earlier content\n", 0600);
  KeyLogLine first = make_line(0x01);
  KeyLogLine second = make_line(0x02, 2);
  {
    auto writer = KeyLogWriter::open(file);
    ASSERT_TRUE(writer.has_value()) << writer.error().message();
    EXPECT_FALSE(writer->write(first));
  }
  {
    auto writer = KeyLogWriter::open(file);
    ASSERT_TRUE(writer.has_value()) << writer.error().message();
    EXPECT_FALSE(writer->write(second));
  }
  EXPECT_EQ(read(file),
            "earlier content\n" + std::string(first.text()) + std::string(second.text()));
  EXPECT_EQ(mode_of(file), 0600u);
}

TEST_F(KeyLogWriterTest, WritesFormattedEntries) {
  const std::string file = path("entry.log");
  auto writer = KeyLogWriter::open(file);
  ASSERT_TRUE(writer.has_value());
  ClientRandom random{};
  random.fill(0x11);
  std::vector<std::uint8_t> bytes(32, 0x42);
  crypto::Secret secret(bytes);
  tls::Announcement sender;
  EXPECT_FALSE(writer->write({random, 1, tls::Direction::ClientToServer, sender, secret}));
  EXPECT_EQ(read(file), make_line(0x42).text());
  crypto::Secret short_secret(std::vector<std::uint8_t>(16, 1));
  EXPECT_EQ(writer->write({random, 1, tls::Direction::ClientToServer, sender, short_secret}),
            std::make_error_code(std::errc::invalid_argument));
  EXPECT_EQ(read(file), make_line(0x42).text());
}

TEST_F(KeyLogWriterTest, RefusesExistingFileOthersCanReadAndLeavesItAlone) {
  for (mode_t mode : {0644u, 0640u, 0604u, 0620u}) {
    const std::string file = path("loose.log");
    write_file(file, "x\n", mode);
    auto writer = KeyLogWriter::open(file);
    ASSERT_FALSE(writer.has_value()) << std::oct << mode;
    EXPECT_EQ(writer.error(), std::make_error_code(std::errc::permission_denied));
    EXPECT_EQ(mode_of(file), mode);
    EXPECT_EQ(read(file), "x\n");
    fs::remove(file);
  }
}

TEST_F(KeyLogWriterTest, RefusesSymlinkAndDirectory) {
  const std::string target = path("target.log");
  write_file(target, "", 0600);
  const std::string link = path("link.log");
  fs::create_symlink(target, link);
  auto via_link = KeyLogWriter::open(link);
  ASSERT_FALSE(via_link.has_value());
  EXPECT_EQ(via_link.error(), std::make_error_code(std::errc::permission_denied));
  auto directory = KeyLogWriter::open(dir_.string());
  EXPECT_FALSE(directory.has_value());
}

TEST_F(KeyLogWriterTest, EnvironmentPathErrorsAreReported) {
  const std::string missing_dir = path("no/such/dir/keys.log");
  ASSERT_EQ(::setenv("AOTLS_KEYLOGFILE", missing_dir.c_str(), 1), 0);
  auto writer = KeyLogWriter::from_environment(std::nullopt);
  ASSERT_FALSE(writer.has_value());
  EXPECT_EQ(writer.error(), std::make_error_code(std::errc::no_such_file_or_directory));
}

TEST_F(KeyLogWriterTest, ConcurrentWritersNeverInterleaveWithinALine) {
  const std::string file = path("concurrent.log");
  constexpr int kThreads = 4;
  constexpr int kLinesPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto writer = KeyLogWriter::open(file);  // one open file description each
      ASSERT_TRUE(writer.has_value());
      KeyLogLine line = make_line(static_cast<std::uint8_t>(0x10 * (t + 1)));
      for (int i = 0; i < kLinesPerThread; ++i) EXPECT_FALSE(writer->write(line));
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<std::string> expected;
  for (int t = 0; t < kThreads; ++t) {
    std::string text(make_line(static_cast<std::uint8_t>(0x10 * (t + 1))).text());
    text.pop_back();
    expected.push_back(text);
  }
  std::istringstream in(read(file));
  std::string got;
  std::vector<int> counts(kThreads, 0);
  int total = 0;
  while (std::getline(in, got)) {
    ++total;
    bool known = false;
    for (int t = 0; t < kThreads; ++t) {
      if (got == expected[static_cast<std::size_t>(t)]) {
        ++counts[static_cast<std::size_t>(t)];
        known = true;
      }
    }
    EXPECT_TRUE(known) << "torn line of " << got.size() << " bytes";
  }
  EXPECT_EQ(total, kThreads * kLinesPerThread);
  for (int count : counts) EXPECT_EQ(count, kLinesPerThread);
}

}  // namespace
}  // namespace aotls::keylog
