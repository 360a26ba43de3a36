// The chain lifecycle (aotls/backend/nfqueue/firewall.hpp) against a fake
// iptables that keeps tables the way iptables does: -N fails on an existing
// chain, -X on a missing, referenced or non-empty one, -D on a missing rule.
#include "aotls/backend/nfqueue/firewall.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace aotls::backend::nfqueue {
namespace {

using segment::IpAddress;

struct FakeTables {
  // tool -> chain -> rules (the argv after the chain name, joined)
  std::map<std::string, std::map<std::string, std::vector<std::string>>> chains;
  std::vector<Argv> log;
  std::string fail_on;  // a command (joined argv) that fails with exit 4

  void add_builtins(const std::string& tool) {
    chains[tool]["OUTPUT"];
    chains[tool]["INPUT"];
  }

  std::size_t user_chains() const {
    std::size_t n = 0;
    for (const auto& [tool, table] : chains) n += table.size() - 2;
    return n;
  }

  std::size_t count_rule(const std::string& tool, const std::string& chain,
                         const std::string& rule) const {
    const auto& rules = chains.at(tool).at(chain);
    return static_cast<std::size_t>(std::count(rules.begin(), rules.end(), rule));
  }
};

std::string join(Argv::const_iterator begin, Argv::const_iterator end) {
  std::string text;
  for (auto it = begin; it != end; ++it) text += (text.empty() ? "" : " ") + *it;
  return text;
}

class FakeIptables final : public CommandRunner {
 public:
  explicit FakeIptables(FakeTables& tables) : t_(tables) {}

  CommandResult run(const Argv& argv) override {
    t_.log.push_back(argv);
    if (join(argv.begin(), argv.end()) == t_.fail_on) return {4, "iptables: boom.\n"};
    // argv: tool -w -t mangle <op> <chain> [rule...]
    if (argv.size() < 6 || argv[1] != "-w" || argv[3] != "mangle") return {2, "bad usage"};
    auto& table = t_.chains[argv[0]];
    const auto& op = argv[4];
    const auto& chain = argv[5];
    const bool exists = table.count(chain) != 0;
    auto rule_begin = argv.begin() + 6;
    if (op == "-I") rule_begin += 1;  // position
    const auto rule = join(rule_begin, argv.end());
    if (op == "-N") {
      if (exists) return {1, "iptables: Chain already exists.\n"};
      table[chain];
      return {};
    }
    if (!exists) return {1, "iptables: No chain/target/match by that name.\n"};
    auto& rules = table[chain];
    if (op == "-X") {
      if (!rules.empty()) return {1, "iptables: Directory not empty.\n"};
      for (const auto& [name, others] : table)
        for (const auto& r : others)
          if (r == "-j " + chain) return {1, "iptables: Too many links.\n"};
      table.erase(chain);
      return {};
    }
    if (op == "-F") {
      rules.clear();
      return {};
    }
    if (op == "-A" || op == "-I") {
      if (rule.find("-j ") == 0 && table.count(rule.substr(3)) == 0)
        return {2, "iptables: Couldn't load target.\n"};
      op == "-A" ? rules.push_back(rule) : static_cast<void>(rules.insert(rules.begin(), rule));
      return {};
    }
    if (op == "-D") {
      const auto it = std::find(rules.begin(), rules.end(), rule);
      if (it == rules.end()) return {1, "iptables: Bad rule.\n"};
      rules.erase(it);
      return {};
    }
    return {2, "unknown option"};
  }

 private:
  FakeTables& t_;
};

class FirewallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tables_.add_builtins("iptables");
    tables_.add_builtins("ip6tables");
  }
  auto start() { return Firewall::start(config_, std::make_unique<FakeIptables>(tables_)); }

  FakeTables tables_;
  RuleConfig config_;
};

TEST_F(FirewallTest, CleanStartCreatesBothChainsAndOneJumpPerHookPerFamily) {
  auto firewall = start();
  ASSERT_TRUE(firewall) << firewall.error().message;
  for (const char* tool : {"iptables", "ip6tables"}) {
    EXPECT_EQ(tables_.count_rule(tool, "OUTPUT", "-j AOTLS-4200-OUT"), 1u) << tool;
    EXPECT_EQ(tables_.count_rule(tool, "INPUT", "-j AOTLS-4200-IN"), 1u) << tool;
    EXPECT_TRUE(tables_.chains[tool]["AOTLS-4200-OUT"].empty());
  }
  EXPECT_EQ(tables_.user_chains(), 4u);
}

TEST_F(FirewallTest, JumpIsInsertedBeforeExistingRules) {
  tables_.chains["iptables"]["INPUT"].push_back("-j ACCEPT");
  auto firewall = start();
  ASSERT_TRUE(firewall);
  EXPECT_EQ(tables_.chains["iptables"]["INPUT"].front(), "-j AOTLS-4200-IN");
}

TEST_F(FirewallTest, StartAfterCrashRemovesLeftoversFirst) {
  // What a run that crashed leaves: chains, jumps and one peer's rules.
  FakeIptables crashed(tables_);
  for (auto family : families(config_))
    for (const auto& argv : create_chains(config_, family))
      ASSERT_EQ(crashed.run(argv).exit_status, 0);
  for (const auto& argv :
       peer_rules(config_, {IpAddress::parse("192.0.2.1").value(), 179}, RuleOp::Append))
    ASSERT_EQ(crashed.run(argv).exit_status, 0);
  ASSERT_EQ(tables_.chains["iptables"]["AOTLS-4200-IN"].size(), 4u);

  auto firewall = start();
  ASSERT_TRUE(firewall) << firewall.error().message;
  for (const char* tool : {"iptables", "ip6tables"}) {
    EXPECT_EQ(tables_.count_rule(tool, "OUTPUT", "-j AOTLS-4200-OUT"), 1u);
    EXPECT_EQ(tables_.count_rule(tool, "INPUT", "-j AOTLS-4200-IN"), 1u);
    EXPECT_TRUE(tables_.chains[tool]["AOTLS-4200-IN"].empty()) << "stale peer rules kept";
  }
}

TEST_F(FirewallTest, StopRemovesEverythingAndIsIdempotent) {
  auto firewall = start();
  ASSERT_TRUE(firewall);
  ASSERT_TRUE((*firewall)->add_peer({IpAddress::parse("2001:db8::2").value(), 179}));
  (*firewall)->stop();
  EXPECT_EQ(tables_.user_chains(), 0u);
  for (const char* tool : {"iptables", "ip6tables"}) {
    EXPECT_TRUE(tables_.chains[tool]["OUTPUT"].empty());
    EXPECT_TRUE(tables_.chains[tool]["INPUT"].empty());
  }
  const auto commands = tables_.log.size();
  (*firewall)->stop();
  firewall->reset();
  EXPECT_EQ(tables_.log.size(), commands);
}

TEST_F(FirewallTest, DestructorStops) {
  { ASSERT_TRUE(start()); }
  EXPECT_EQ(tables_.user_chains(), 0u);
}

TEST_F(FirewallTest, OtherChainsAndRulesAreLeftAlone) {
  tables_.chains["iptables"]["OTHER-1"].push_back("-j ACCEPT");
  tables_.chains["iptables"]["OUTPUT"].push_back("-j OTHER-1");
  config_.queue_base = 4300;
  { ASSERT_TRUE(start()); }
  EXPECT_EQ(tables_.chains["iptables"]["OUTPUT"], std::vector<std::string>{"-j OTHER-1"});
  EXPECT_EQ(tables_.chains["iptables"].count("OTHER-1"), 1u);
}

TEST_F(FirewallTest, FailedCreateReportsCommandAndOutputAndLeavesNothing) {
  tables_.fail_on = "ip6tables -w -t mangle -I INPUT 1 -j AOTLS-4200-IN";
  auto firewall = start();
  ASSERT_FALSE(firewall);
  EXPECT_NE(firewall.error().message.find(tables_.fail_on), std::string::npos);
  EXPECT_NE(firewall.error().message.find("exit 4"), std::string::npos);
  EXPECT_NE(firewall.error().message.find("iptables: boom."), std::string::npos);
  EXPECT_EQ(tables_.user_chains(), 0u);
  EXPECT_TRUE(tables_.chains["iptables"]["OUTPUT"].empty());
}

TEST_F(FirewallTest, InvalidConfigRunsNothing) {
  config_.chain_prefix = "bad name";
  auto firewall = start();
  ASSERT_FALSE(firewall);
  EXPECT_TRUE(tables_.log.empty());
}

TEST_F(FirewallTest, AddAndRemovePeer) {
  auto firewall = start();
  ASSERT_TRUE(firewall);
  const PeerFlow flow{IpAddress::parse("192.0.2.9").value(), 179};
  ASSERT_TRUE((*firewall)->add_peer(flow));
  EXPECT_EQ(tables_.chains["iptables"]["AOTLS-4200-OUT"].size(), 2u);
  EXPECT_EQ(tables_.chains["iptables"]["AOTLS-4200-IN"].size(), 4u);
  EXPECT_TRUE(tables_.chains["ip6tables"]["AOTLS-4200-IN"].empty());
  ASSERT_TRUE((*firewall)->remove_peer(flow));
  EXPECT_TRUE(tables_.chains["iptables"]["AOTLS-4200-OUT"].empty());
  EXPECT_TRUE(tables_.chains["iptables"]["AOTLS-4200-IN"].empty());
  EXPECT_FALSE((*firewall)->remove_peer(flow)) << "rules already gone";
}

TEST_F(FirewallTest, RemovePeerTriesEveryRule) {
  auto firewall = start();
  ASSERT_TRUE(firewall);
  const PeerFlow flow{IpAddress::parse("192.0.2.9").value(), 179};
  ASSERT_TRUE((*firewall)->add_peer(flow));
  auto& out_rules = tables_.chains["iptables"]["AOTLS-4200-OUT"];
  out_rules.erase(out_rules.begin());  // someone removed one rule by hand
  auto removed = (*firewall)->remove_peer(flow);
  ASSERT_FALSE(removed);
  EXPECT_NE(removed.error().message.find("-D AOTLS-4200-OUT"), std::string::npos);
  EXPECT_TRUE(out_rules.empty());
  EXPECT_TRUE(tables_.chains["iptables"]["AOTLS-4200-IN"].empty());
}

TEST_F(FirewallTest, PartialPeerInstallIsRolledBack) {
  tables_.fail_on =
      "iptables -w -t mangle -A AOTLS-4200-IN -s 192.0.2.9 -p tcp --dport 179 -j NFQUEUE "
      "--queue-num 4201";
  auto firewall = start();
  ASSERT_TRUE(firewall);
  auto added = (*firewall)->add_peer({IpAddress::parse("192.0.2.9").value(), 179});
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().message.find("--dport 179"), std::string::npos);
  EXPECT_TRUE(tables_.chains["iptables"]["AOTLS-4200-OUT"].empty());
  EXPECT_TRUE(tables_.chains["iptables"]["AOTLS-4200-IN"].empty());
}

TEST_F(FirewallTest, Ipv6PeerNeedsIpv6Management) {
  config_.ipv6 = false;
  auto firewall = start();
  ASSERT_TRUE(firewall);
  EXPECT_EQ(tables_.chains["ip6tables"].size(), 2u) << "ip6tables untouched";
  auto added = (*firewall)->add_peer({IpAddress::parse("2001:db8::2").value(), 179});
  ASSERT_FALSE(added);
  EXPECT_NE(added.error().message.find("IPv6"), std::string::npos);
}

}  // namespace
}  // namespace aotls::backend::nfqueue
