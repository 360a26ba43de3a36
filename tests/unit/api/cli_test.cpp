// bgpcli: argument parsing, table rendering from sample JSON, and the exit
// codes of the built binary against a test server.
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "bgpd/cli/args.hpp"
#include "bgpd/cli/render.hpp"
#include "server_fixture.hpp"

namespace api_test {
namespace {

using bgpd::cli::View;

common::Expected<bgpd::cli::Invocation, bgpd::cli::UsageError> parse(
    std::vector<std::string_view> words) {
  return bgpd::cli::parse_args(words);
}

TEST(CliArgs, CommandsBecomeRequests) {
  auto neighbors = parse({"--socket", "/tmp/x.sock", "show", "neighbors", "192.0.2.2"});
  ASSERT_TRUE(neighbors.has_value()) << neighbors.error().message;
  EXPECT_EQ(neighbors->socket_path, "/tmp/x.sock");
  EXPECT_EQ(neighbors->request.command, "show neighbors");
  EXPECT_EQ(neighbors->request.args, json({{"address", "192.0.2.2"}}));
  EXPECT_EQ(neighbors->view, View::Neighbors);
  EXPECT_FALSE(neighbors->json);

  auto rib = parse({"--json", "show", "rib", "ipv6", "2001:db8::/32"});
  ASSERT_TRUE(rib.has_value());
  EXPECT_TRUE(rib->json);
  EXPECT_EQ(rib->request.args, json({{"family", "ipv6"}, {"prefix", "2001:db8::/32"}}));
  EXPECT_EQ(parse({"show", "rib"})->request.args, json::object());
  EXPECT_EQ(parse({"show", "rib", "10.0.0.0/8"})->request.args, json({{"prefix", "10.0.0.0/8"}}));

  auto clear = parse({"clear", "neighbor", "192.0.2.2", "soft", "in"});
  ASSERT_TRUE(clear.has_value());
  EXPECT_EQ(clear->request.args, json({{"address", "192.0.2.2"}, {"soft", "in"}}));
  EXPECT_EQ(parse({"clear", "neighbor", "192.0.2.2", "soft"})->request.args.at("soft"), "both");
  // No "soft": a hard reset.
  EXPECT_EQ(parse({"clear", "neighbor", "192.0.2.2"})->request.args,
            json({{"address", "192.0.2.2"}}));
  EXPECT_EQ(parse({"reload"})->request.command, "reload");
  EXPECT_EQ(parse({"show", "config"})->view, View::Json);
  EXPECT_EQ(parse({"--socket=/s", "reload"})->socket_path, "/s");
}

TEST(CliArgs, RawPassesAnyCommand) {
  auto raw = parse({"raw", "show bfd", R"({"verbose":true})"});
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->request.command, "show bfd");
  EXPECT_EQ(raw->request.args, json({{"verbose", true}}));
  EXPECT_FALSE(parse({"raw", "x", "[1]"}).has_value());
  EXPECT_FALSE(parse({"raw"}).has_value());
}

TEST(CliArgs, UsageErrors) {
  for (const auto& words : std::vector<std::vector<std::string_view>>{
           {},
           {"show"},
           {"show", "bananas"},
           {"frobnicate"},
           {"--socket"},
           {"--socket", "", "reload"},
           {"--colour", "reload"},
           {"show", "neighbors", "a", "b"},
           {"clear", "neighbor"},
           {"clear", "neighbor", "192.0.2.2", "hard"},
           {"clear", "neighbor", "192.0.2.2", "soft", "sideways"},
           {"show", "rib", "ipv4", "10.0.0.0/8", "extra"},
           {"reload", "now"}}) {
    EXPECT_FALSE(parse(words).has_value()) << fmt::format("{}", fmt::join(words, " "));
  }
  EXPECT_TRUE(parse({"--help"})->help);
  EXPECT_NE(bgpd::cli::usage_text().find("Exit status"), std::string::npos);
}

const json kNeighbors = json::parse(R"([
  {"address": "192.0.2.2", "asn": 65002, "state": "Established", "state_seconds": 3725,
   "prefixes": {"received": 10, "accepted": 9, "advertised": 4},
   "messages_in": 120, "messages_out": 118, "transport": "tls 192.0.2.1:179 <-> 192.0.2.2:40000",
   "tls": {"mode": "required", "version": "TLSv1.3"}},
  {"address": "2001:db8::3", "asn": 4200000001, "state": "Active", "state_seconds": 5,
   "prefixes": {"received": 0, "accepted": 0, "advertised": 0},
   "messages_in": 3, "messages_out": 4, "tls": {"mode": "preferred"},
   "last_error": {"direction": "sent", "code": 4, "subcode": 0, "text": "Hold Timer Expired"}},
  {"address": "192.0.2.4", "asn": 65004, "state": "Idle", "state_seconds": 0,
   "prefixes": {"received": 0, "accepted": 0, "advertised": 0},
   "messages_in": 0, "messages_out": 0}])");

TEST(CliRender, NeighborsTable) {
  EXPECT_EQ(bgpd::cli::render_neighbors(kNeighbors),
            "Neighbor             AS  State        Transport       Up/Down  Rcvd  Accepted  "
            "Advertised  MsgIn  MsgOut  Last error\n"
            "192.0.2.2         65002  Established  tls            01:02:05    10         9  "
            "         4    120     118  -\n"
            "2001:db8::3  4200000001  Active       tls preferred  00:00:05     0         0  "
            "         0      3       4  Hold Timer Expired (sent)\n"
            "192.0.2.4         65004  Idle         -              00:00:00     0         0  "
            "         0      0       0  -\n");
  EXPECT_EQ(bgpd::cli::render_neighbors(json::object()), "no neighbors\n");
}

TEST(CliRender, RibTableMarksTheBestPath) {
  const json rib = json::parse(R"({"routes": [
    {"prefix": "203.0.113.0/24", "paths": [
      {"best": true, "source": "192.0.2.2", "next_hop": "192.0.2.2", "as_path": [65002, 65010],
       "local_pref": 200, "med": 0, "communities": ["65002:100", "65002:200"]},
      {"best": false, "source": "192.0.2.3", "next_hop": "192.0.2.3", "as_path": "65003 {65010,65011}",
       "local_pref": 100, "med": null, "communities": [], "eliminated_by": "lower local-pref"}]}]})");
  EXPECT_EQ(bgpd::cli::render_rib(rib),
            "    Prefix          Next hop   From       AS path              LocPrf  MED  "
            "Communities          Reason\n"
            "*>  203.0.113.0/24  192.0.2.2  192.0.2.2  65002 65010             200    0  "
            "65002:100 65002:200\n"
            "*                   192.0.2.3  192.0.2.3  65003 {65010,65011}     100    -  -"
            "                    lower local-pref\n"
            "\n2 paths, 1 best ('*>' best, '*' valid)\n");
  EXPECT_EQ(bgpd::cli::render_rib(json::object()), "no routes\n");
}

TEST(CliRender, OddJsonDoesNotThrow) {
  EXPECT_NO_THROW(
      (void)bgpd::cli::render_neighbors(json::parse(R"([1,"x",{"asn":{},"last_error":[]}])")));
  EXPECT_NO_THROW((void)bgpd::cli::render_rib(json::parse(R"({"routes":[{"paths":7}]})")));
  EXPECT_NO_THROW((void)bgpd::cli::render_neighbors(json::array()));
  EXPECT_EQ(bgpd::cli::render(View::Generic, json()), "ok\n");
  EXPECT_EQ(bgpd::cli::render(View::Generic, "reloaded: 2 changes"), "reloaded: 2 changes\n");
  EXPECT_EQ(bgpd::cli::render(View::Json, json{{"a", 1}}), "{\n  \"a\": 1\n}\n");
}

TEST(CliRender, Uptime) {
  EXPECT_EQ(bgpd::cli::format_uptime(59), "00:00:59");
  EXPECT_EQ(bgpd::cli::format_uptime(86400 + 3600 + 61), "1d01h01m");
  EXPECT_EQ(bgpd::cli::format_uptime(json()), "-");
  EXPECT_EQ(bgpd::cli::format_uptime(-5), "00:00:00");
}

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

Run run_bgpcli(const std::string& arguments) {
  Run run;
  const std::string command = std::string(BGPCLI_PATH) + " " + arguments + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> chunk{};
  std::size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), pipe)) > 0)
    run.output.append(chunk.data(), n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

class CliBinary : public ServerFixture {
 protected:
  void SetUp() override {
    registry_->add("show neighbors", "", [](const json& args) -> bgpd::api::CommandResult {
      if (args.contains("address") && args["address"] != "192.0.2.2") {
        return common::Unexpected(std::string("no such neighbor"));
      }
      return kNeighbors;
    });
    start_server();
  }
  std::string socket_option() const { return "--socket " + path_; }
};

TEST_F(CliBinary, ExitCodes) {
  const auto ok = run_bgpcli(socket_option() + " show neighbors");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("Hold Timer Expired"), std::string::npos);
  EXPECT_NE(ok.output.find("Neighbor"), std::string::npos);

  const auto as_json = run_bgpcli(socket_option() + " --json show neighbors");
  EXPECT_EQ(as_json.exit_code, 0);
  EXPECT_EQ(json::parse(as_json.output), kNeighbors);

  const auto error = run_bgpcli(socket_option() + " show neighbors 198.51.100.1");
  EXPECT_EQ(error.exit_code, 1);
  EXPECT_NE(error.output.find("no such neighbor"), std::string::npos);

  const auto unknown_to_daemon = run_bgpcli(socket_option() + " reload");
  EXPECT_EQ(unknown_to_daemon.exit_code, 1);

  const auto usage = run_bgpcli(socket_option() + " show bananas");
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.output.find("usage: bgpcli"), std::string::npos);

  const auto help = run_bgpcli("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("show neighbors"), std::string::npos);

  const std::string missing = "/tmp/bgpd-api-test-missing-" + std::to_string(::getpid()) + ".sock";
  const auto no_daemon = run_bgpcli("--socket " + missing + " show neighbors");
  EXPECT_EQ(no_daemon.exit_code, 3);
  EXPECT_NE(no_daemon.output.find(missing), std::string::npos) << no_daemon.output;
}

}  // namespace
}  // namespace api_test
