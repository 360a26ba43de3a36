// ControlServer over a temporary Unix socket; CommandRegistry dispatch.
// clang-format off
#include <utility>  // Boost 1.74 Asio needs it before its own headers.
// clang-format on

#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <stdexcept>

#include "bgpd/api/command_registry.hpp"
#include "server_fixture.hpp"

namespace api_test {
namespace {

using bgpd::api::CommandResult;

json ask(int fd, const std::string& line) {
  send_all(fd, line + "\n");
  return json::parse(read_line(fd));
}

class ControlServer : public ServerFixture {
 protected:
  void SetUp() override {
    registry_->add("echo", "returns its args",
                   [](const json& args) -> CommandResult { return args; });
    registry_->add("fail", "always fails", [](const json&) -> CommandResult {
      return common::Unexpected(std::string("nope"));
    });
    registry_->add("needs address", "reads args.address",
                   [](const json& args) -> CommandResult { return args.at("address"); });
  }
};

TEST_F(ControlServer, RoundTripAndErrors) {
  start_server();
  const int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ask(fd, R"({"command":"echo","args":{"x":[1,2]}})"),
            json::parse(R"({"ok":true,"result":{"x":[1,2]}})"));
  EXPECT_EQ(ask(fd, R"({"command":"fail"})"), json::parse(R"({"ok":false,"error":"nope"})"));
  const auto unknown = ask(fd, R"({"command":"show bananas"})");
  EXPECT_EQ(unknown.at("ok"), false);
  EXPECT_NE(unknown.at("error").get<std::string>().find("unknown command"), std::string::npos);
  // A handler's json exception is an error answer, and the server lives on.
  const auto missing = ask(fd, R"({"command":"needs address","args":{}})");
  EXPECT_EQ(missing.at("ok"), false);
  EXPECT_EQ(ask(fd, "this is not json").at("ok"), false);
  EXPECT_EQ(ask(fd, "{\"command\":\"echo\",\"args\":{\"crlf\":1}}\r").at("result"),
            json({{"crlf", 1}}));
  const auto help = ask(fd, R"({"command":"help"})");
  EXPECT_TRUE(help.at("result").contains("echo"));
  EXPECT_TRUE(help.at("result").contains("help"));
  ::close(fd);
}

TEST_F(ControlServer, PipelinedRequestsAreAnsweredInOrder) {
  start_server();
  const int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  std::string batch;
  for (int i = 0; i < 20; ++i)
    batch += json{{"command", "echo"}, {"args", {{"i", i}}}}.dump() + "\n";
  send_all(fd, batch);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(json::parse(read_line(fd)).at("result").at("i"), i);
  }
  ::close(fd);
}

TEST_F(ControlServer, OversizedRequestIsRefusedAndClosed) {
  bgpd::api::ControlServerOptions options;
  options.max_request_size = 1024;
  start_server(options);
  const int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  send_all(fd, std::string(4096, 'x'));
  const auto answer = json::parse(read_line(fd));
  EXPECT_EQ(answer.at("ok"), false);
  EXPECT_NE(answer.at("error").get<std::string>().find("1024"), std::string::npos);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  // Others are still served.
  const int next = connect_unix(path_);
  ASSERT_GE(next, 0);
  EXPECT_EQ(ask(next, R"({"command":"echo"})").at("ok"), true);
  ::close(next);
}

TEST_F(ControlServer, ServesConcurrentClientsUpToTheLimit) {
  bgpd::api::ControlServerOptions options;
  options.max_clients = 2;
  start_server(options);
  const int a = connect_unix(path_);
  const int b = connect_unix(path_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  // Interleaved: neither client blocks the other.
  EXPECT_EQ(ask(a, R"({"command":"echo","args":{"who":"a"}})").at("result").at("who"), "a");
  EXPECT_EQ(ask(b, R"({"command":"echo","args":{"who":"b"}})").at("result").at("who"), "b");
  EXPECT_EQ(ask(a, R"({"command":"echo","args":{"who":"a2"}})").at("result").at("who"), "a2");
  const int c = connect_unix(path_);
  ASSERT_GE(c, 0);
  const auto refused = json::parse(read_line(c));
  EXPECT_EQ(refused.at("error"), "too many clients");
  ::close(c);
  ::close(a);
  ::close(b);
}

TEST_F(ControlServer, IdleClientsAreDisconnected) {
  bgpd::api::ControlServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  start_server(options);
  const int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
}

TEST_F(ControlServer, AsyncHandlerHopsToAnotherStrand) {
  auto rib_strand = asio::make_strand(io_);
  int rib_state = 41;  // owned by rib_strand
  registry_->add_async("show rib", "", [&](json) -> asio::awaitable<CommandResult> {
    // Read the state on its owner's strand, then come back.
    const int value = co_await asio::co_spawn(
        rib_strand, [&]() -> asio::awaitable<int> { co_return ++rib_state; }, asio::use_awaitable);
    co_return json{{"routes", value}};
  });
  start_server();
  const int fd = connect_unix(path_);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ask(fd, R"({"command":"show rib"})").at("result").at("routes"), 42);
  ::close(fd);
}

TEST_F(ControlServer, SocketModeAndCleanup) {
  bgpd::api::ControlServerOptions options;
  options.mode = 0600;
  start_server(options);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server_->stop();
  work_.reset();
  thread_.join();
  EXPECT_NE(::stat(path_.c_str(), &st), 0);
}

TEST(ControlSocketPath, StaleSocketIsReplacedLiveOneIsNot) {
  const auto path = temp_socket_path();
  asio::io_context io;
  auto registry = std::make_shared<bgpd::api::CommandRegistry>();
  bgpd::api::ControlServerOptions options;
  options.path = path;
  {
    // A socket file nobody listens on any more (a crashed daemon's).
    asio::local::stream_protocol::acceptor stale(io, asio::local::stream_protocol::endpoint(path));
  }
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  auto first = bgpd::api::ControlServer::open(io.get_executor(), registry, options, {});
  ASSERT_TRUE(first.has_value()) << first.error().message();
  // A second daemon must not steal the live socket.
  auto second = bgpd::api::ControlServer::open(io.get_executor(), registry, options, {});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), std::errc::address_in_use);
  (*first)->stop();
  io.run();
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST(ControlSocketPath, RefusesToReplaceARegularFileOrAnOverlongPath) {
  const auto path = temp_socket_path();
  std::ofstream(path) << "not a socket";
  EXPECT_EQ(bgpd::api::remove_stale_socket(path), std::errc::file_exists);
  std::ifstream still(path);
  EXPECT_TRUE(still.good());
  ::unlink(path.c_str());
  EXPECT_FALSE(bgpd::api::remove_stale_socket(path));  // nothing there: fine

  asio::io_context io;
  bgpd::api::ControlServerOptions options;
  options.path = "/tmp/" + std::string(200, 'p');
  auto server = bgpd::api::ControlServer::open(
      io.get_executor(), std::make_shared<bgpd::api::CommandRegistry>(), options, {});
  ASSERT_FALSE(server.has_value());
  EXPECT_EQ(server.error(), std::errc::filename_too_long);
}

TEST(CommandRegistry, NamesAreUniqueAndHelpIsBuiltIn) {
  bgpd::api::CommandRegistry registry;
  EXPECT_TRUE(
      registry.add("reload", "re-read", [](const json&) -> CommandResult { return json(); }));
  EXPECT_FALSE(
      registry.add("reload", "again", [](const json&) -> CommandResult { return json(); }));
  EXPECT_FALSE(registry.add("help", "mine", [](const json&) -> CommandResult { return json(); }));
  const auto described = registry.describe();
  EXPECT_EQ(described.at("reload"), "re-read");
  EXPECT_EQ(described.size(), 2u);
}

TEST(CommandRegistry, HandlerExceptionsBecomeErrors) {
  bgpd::api::CommandRegistry registry;
  registry.add("boom", "", [](const json&) -> CommandResult { throw std::runtime_error("kaput"); });
  asio::io_context io;
  std::optional<CommandResult> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result.emplace(co_await registry.dispatch("boom", json::object()));
      },
      asio::detached);
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(result->has_value());
  EXPECT_NE(result->error().find("kaput"), std::string::npos);
}

}  // namespace
}  // namespace api_test
