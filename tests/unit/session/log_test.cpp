// common/log: rendering, context, levels, JSON lines, files, threads.
// (Here because the session shell is its first user; tests/unit has no
// common directory of this helper's.)
#include "common/log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace {

using common::log::Format;
using common::log::Level;
using common::log::Logger;
using common::log::Sink;

// Counts how often fmt formats it: a disabled level must not format at all.
struct Counted {
  int* count;
};

}  // namespace

template <>
struct fmt::formatter<Counted> : fmt::formatter<std::string_view> {
  auto format(const Counted& c, fmt::format_context& ctx) const {
    ++*c.count;
    return fmt::formatter<std::string_view>::format("counted", ctx);
  }
};

namespace {

std::string read_stream(std::FILE* stream) {
  std::fflush(stream);
  std::rewind(stream);
  std::string out;
  std::array<char, 4096> chunk{};
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), stream)) > 0) out.append(chunk.data(), n);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct TmpStream {
  std::FILE* stream = std::tmpfile();
  ~TmpStream() { std::fclose(stream); }
};

TEST(Log, TextLineCarriesLevelContextAndMessage) {
  TmpStream tmp;
  Logger log(Sink::to_stream(tmp.stream, Format::Text));
  const Logger peer_log = log.with("peer", "192.0.2.2");
  peer_log.warning("hold timer expired after {}s", 90);
  log.info("no context");
  const auto lines = lines_of(read_stream(tmp.stream));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(" WARNING peer=192.0.2.2 hold timer expired after 90s"),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(lines[0].find("T"), 10u);  // ISO 8601 date first
  EXPECT_EQ(lines[1].find("peer="), std::string::npos);
  EXPECT_TRUE(log.context().empty());  // with() left the original alone
}

TEST(Log, TextEscapesNewlinesAndQuotesValuesWithSpaces) {
  const auto sink = Sink::to_stream(stderr, Format::Text);
  const auto line =
      sink->render(Level::Error, "T", "line1\nforged 2026 INFO", {{"reason", "peer said \"no\""}});
  EXPECT_EQ(line, "T ERROR reason=\"peer said \\\"no\\\"\" line1\\nforged 2026 INFO");
}

TEST(Log, JsonLinesHaveTheDocumentedKeys) {
  TmpStream tmp;
  Logger log(Sink::to_stream(tmp.stream, Format::JsonLines, Level::Debug));
  log.with("peer", "2001:db8::2").with("msg", "clash").debug("state {} -> {}", "Idle", "Connect");
  const auto lines = lines_of(read_stream(tmp.stream));
  ASSERT_EQ(lines.size(), 1u);
  const auto json = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(json.at("level"), "debug");
  EXPECT_EQ(json.at("msg"), "state Idle -> Connect");
  EXPECT_EQ(json.at("peer"), "2001:db8::2");
  EXPECT_EQ(json.at("ctx.msg"), "clash");
  EXPECT_TRUE(json.at("ts").get<std::string>().ends_with("Z"));
  EXPECT_EQ(lines[0].rfind("{\"ts\":", 0), 0u);
}

TEST(Log, InvalidUtf8DoesNotThrow) {
  const auto sink = Sink::to_stream(stderr, Format::JsonLines);
  std::string line;
  EXPECT_NO_THROW(line = sink->render(Level::Info, "T", "bad \xff byte", {}));
  EXPECT_TRUE(nlohmann::json::accept(line));
}

TEST(Log, DisabledLevelsDoNotFormat) {
  TmpStream tmp;
  auto sink = Sink::to_stream(tmp.stream, Format::Text, Level::Warning);
  Logger log(sink);
  int count = 0;
  log.debug("{}", Counted{&count});
  log.info("{}", Counted{&count});
  EXPECT_EQ(count, 0);
  log.error("{}", Counted{&count});
  EXPECT_EQ(count, 1);
  sink->set_min_level(Level::Debug);
  log.debug("{}", Counted{&count});
  EXPECT_EQ(count, 2);
  EXPECT_EQ(lines_of(read_stream(tmp.stream)).size(), 2u);
  Logger discard;
  discard.error("{}", Counted{&count});
  EXPECT_EQ(count, 2);
}

TEST(Log, ConcurrentWritersNeverInterleaveLines) {
  TmpStream tmp;
  Logger log(Sink::to_stream(tmp.stream, Format::JsonLines));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const auto mine = log.with("thread", std::to_string(t));
      for (int i = 0; i < 250; ++i) mine.info("line {} of a fairly long message body {}", i, t);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = lines_of(read_stream(tmp.stream));
  ASSERT_EQ(lines.size(), 1000u);
  for (const auto& line : lines) ASSERT_TRUE(nlohmann::json::accept(line)) << line;
}

TEST(Log, FileSinkAppendsWithPrivateMode) {
  const std::string path = ::testing::TempDir() + "log_test_" + std::to_string(::getpid()) + ".log";
  std::remove(path.c_str());
  const mode_t umask_now = ::umask(0);
  ::umask(umask_now);
  for (int round = 0; round < 2; ++round) {
    auto sink = Sink::to_file(path, Format::Text);
    ASSERT_TRUE(sink.has_value()) << sink.error().message();
    Logger(*sink).info("round {}", round);
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u & ~umask_now);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const auto lines = lines_of(text.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("round 1"), std::string::npos);
  std::remove(path.c_str());
  EXPECT_FALSE(Sink::to_file("/nonexistent-dir/x.log", Format::Text).has_value());
}

TEST(Log, ParsesLevelNames) {
  EXPECT_EQ(*common::log::parse_level("debug"), Level::Debug);
  EXPECT_EQ(*common::log::parse_level("warn"), Level::Warning);
  EXPECT_EQ(*common::log::parse_level("error"), Level::Error);
  EXPECT_FALSE(common::log::parse_level("loud").has_value());
  EXPECT_EQ(common::log::level_name(Level::Info), "info");
}

}  // namespace
