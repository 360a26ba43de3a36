// Pure argv generation for the userspace backend's rules
// (aotls/backend/nfqueue/firewall_rules.hpp).
#include "aotls/backend/nfqueue/firewall_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace aotls::backend::nfqueue {
namespace {

using segment::IpAddress;
using segment::IpVersion;

IpAddress addr(const char* text) {
  return IpAddress::parse(text).value();
}

Argv v4(std::initializer_list<const char*> rest) {
  Argv argv{"iptables", "-w", "-t", "mangle"};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

TEST(FirewallRules, ChainNamesAndQueuesDeriveFromPrefixAndBase) {
  RuleConfig config;
  config.chain_prefix = "BGPD";
  config.queue_base = 310;
  EXPECT_EQ(chain_name(config, Direction::Outbound), "BGPD-310-OUT");
  EXPECT_EQ(chain_name(config, Direction::Inbound), "BGPD-310-IN");
  EXPECT_EQ(queue_number(config, Direction::Outbound), 310);
  EXPECT_EQ(queue_number(config, Direction::Inbound), 311);
}

TEST(FirewallRules, ValidateRejectsBadPrefixesAndTheLastQueue) {
  RuleConfig config;
  EXPECT_FALSE(validate(config));
  for (const char* bad : {"", "A B", "x;rm", "A/B", "ABCDEFGHIJKLMNOPQRST"}) {
    config.chain_prefix = bad;
    EXPECT_EQ(validate(config), RulesErrc::BadChainPrefix) << bad;
  }
  config.chain_prefix = "ABCDEFGHIJKLMNOPQRS";  // 19 + "-4200-OUT" = 28 characters
  EXPECT_FALSE(validate(config));
  config.chain_prefix = "AOTLS";
  config.queue_base = 65535;
  EXPECT_EQ(validate(config), RulesErrc::QueueOutOfRange);
  EXPECT_FALSE(make_error_code(RulesErrc::QueueOutOfRange).message().empty());
}

TEST(FirewallRules, CreateMakesBothChainsThenJumpsFirstInMangle) {
  RuleConfig config;
  const std::vector<Argv> expected{
      v4({"-N", "AOTLS-4200-OUT"}),
      v4({"-N", "AOTLS-4200-IN"}),
      v4({"-I", "OUTPUT", "1", "-j", "AOTLS-4200-OUT"}),
      v4({"-I", "INPUT", "1", "-j", "AOTLS-4200-IN"}),
  };
  EXPECT_EQ(create_chains(config, IpVersion::V4), expected);
  EXPECT_EQ(create_chains(config, IpVersion::V6)[0][0], "ip6tables");
}

TEST(FirewallRules, TeardownFlushesThenDeletesEachChain) {
  RuleConfig config;
  const std::vector<Argv> expected{
      v4({"-F", "AOTLS-4200-OUT"}),
      v4({"-X", "AOTLS-4200-OUT"}),
      v4({"-F", "AOTLS-4200-IN"}),
      v4({"-X", "AOTLS-4200-IN"}),
  };
  EXPECT_EQ(teardown_chains(config, IpVersion::V4), expected);
  EXPECT_EQ(delete_jump(config, IpVersion::V4, Direction::Inbound),
            v4({"-D", "INPUT", "-j", "AOTLS-4200-IN"}));
}

TEST(FirewallRules, PeerRulesQueueBothPortsEachWayAndDropIcmpErrors) {
  RuleConfig config;
  const std::vector<Argv> expected{
      v4({"-A", "AOTLS-4200-OUT", "-d", "192.0.2.7", "-p", "tcp", "--dport", "179", "-j", "NFQUEUE",
          "--queue-num", "4200"}),
      v4({"-A", "AOTLS-4200-OUT", "-d", "192.0.2.7", "-p", "tcp", "--sport", "179", "-j", "NFQUEUE",
          "--queue-num", "4200"}),
      v4({"-A", "AOTLS-4200-IN", "-s", "192.0.2.7", "-p", "tcp", "--sport", "179", "-j", "NFQUEUE",
          "--queue-num", "4201"}),
      v4({"-A", "AOTLS-4200-IN", "-s", "192.0.2.7", "-p", "tcp", "--dport", "179", "-j", "NFQUEUE",
          "--queue-num", "4201"}),
      v4({"-A", "AOTLS-4200-IN", "-p", "icmp", "-m", "conntrack", "--ctstate", "RELATED",
          "--ctproto", "tcp", "--ctorigdst", "192.0.2.7", "--ctorigdstport", "179", "-j", "DROP"}),
      v4({"-A", "AOTLS-4200-IN", "-p", "icmp", "-m", "conntrack", "--ctstate", "RELATED",
          "--ctproto", "tcp", "--ctorigsrc", "192.0.2.7", "--ctorigdstport", "179", "-j", "DROP"}),
  };
  EXPECT_EQ(peer_rules(config, {addr("192.0.2.7"), 179}, RuleOp::Append), expected);
}

TEST(FirewallRules, NoRuleEverBypassesTheQueue) {
  RuleConfig config;
  config.icmp_errors = IcmpErrorPolicy::Queue;
  for (const auto& argv : peer_rules(config, {addr("2001:db8::1"), 1179}, RuleOp::Append))
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "--queue-bypass"), argv.end());
}

TEST(FirewallRules, Ipv6PeerUsesIp6tablesAndIcmpv6) {
  RuleConfig config;
  config.icmp_errors = IcmpErrorPolicy::Queue;
  const auto rules = peer_rules(config, {addr("2001:db8::1"), 1179}, RuleOp::Append);
  ASSERT_EQ(rules.size(), 6u);
  for (const auto& argv : rules) EXPECT_EQ(argv[0], "ip6tables");
  EXPECT_EQ(rules[0][7], "2001:db8::1");
  EXPECT_EQ(rules[0][11], "1179");
  const Argv icmp_tail{"-j", "NFQUEUE", "--queue-num", "4201"};
  for (std::size_t i : {4u, 5u}) {
    EXPECT_EQ(rules[i][7], "ipv6-icmp");
    EXPECT_TRUE(std::equal(icmp_tail.begin(), icmp_tail.end(), rules[i].end() - 4));
  }
}

TEST(FirewallRules, AcceptPolicyLeavesIcmpToTheKernel) {
  RuleConfig config;
  config.icmp_errors = IcmpErrorPolicy::Accept;
  EXPECT_EQ(peer_rules(config, {addr("192.0.2.7"), 179}, RuleOp::Append).size(), 4u);
}

TEST(FirewallRules, DeleteMirrorsAppend) {
  RuleConfig config;
  const PeerFlow flow{addr("198.51.100.1"), 179};
  auto appended = peer_rules(config, flow, RuleOp::Append);
  const auto deleted = peer_rules(config, flow, RuleOp::Delete);
  ASSERT_EQ(appended.size(), deleted.size());
  for (auto& argv : appended) argv[4] = "-D";
  EXPECT_EQ(appended, deleted);
}

TEST(FirewallRules, ToolPathsAreConfigurable) {
  RuleConfig config;
  config.iptables = "/usr/sbin/iptables-legacy";
  config.ipv6 = false;
  EXPECT_EQ(families(config), std::vector<IpVersion>{IpVersion::V4});
  EXPECT_EQ(create_chains(config, IpVersion::V4)[0][0], "/usr/sbin/iptables-legacy");
}

}  // namespace
}  // namespace aotls::backend::nfqueue
