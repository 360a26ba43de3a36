// aotls/backend/nfqueue/firewall_rules.cpp - see firewall_rules.hpp.
#include "aotls/backend/nfqueue/firewall_rules.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <limits>

namespace aotls::backend::nfqueue {
namespace {

constexpr std::string_view kTable = "mangle";
// iptables refuses longer chain names (XT_EXTENSION_MAXNAMELEN - 1).
constexpr std::size_t kMaxChainName = 28;

class RulesCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "aotls.nfqueue.rules"; }
  std::string message(int value) const override {
    switch (static_cast<RulesErrc>(value)) {
      case RulesErrc::BadChainPrefix:
        return "chain prefix must be 1+ of [A-Za-z0-9_-] and the chain names at most 28 characters";
      case RulesErrc::QueueOutOfRange:
        return "queue base must leave room for the inbound queue (base + 1 <= 65535)";
      case RulesErrc::FamilyDisabled:
        return "IPv6 peer but ip6tables management is disabled";
    }
    return "unknown rules error";
  }
};

bool prefix_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

const std::string& tool(const RuleConfig& config, segment::IpVersion family) {
  return family == segment::IpVersion::V4 ? config.iptables : config.ip6tables;
}

// Every command waits for the xtables lock (-w) instead of failing when
// another process (another bgpd, an administrator) holds it.
Argv command(const RuleConfig& config, segment::IpVersion family,
             std::initializer_list<std::string_view> args) {
  Argv argv{tool(config, family), "-w", "-t", std::string(kTable)};
  for (auto arg : args) argv.emplace_back(arg);
  return argv;
}

std::string address_text(const segment::IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = address.version() == segment::IpVersion::V4 ? AF_INET : AF_INET6;
  inet_ntop(af, address.bytes().data(), text, sizeof text);
  return text;
}

std::string_view hook(Direction direction) {
  return direction == Direction::Outbound ? "OUTPUT" : "INPUT";
}

}  // namespace

const std::error_category& rules_category() {
  static const RulesCategory category;
  return category;
}

std::error_code make_error_code(RulesErrc errc) {
  return {static_cast<int>(errc), rules_category()};
}

std::error_code validate(const RuleConfig& config) {
  const auto& prefix = config.chain_prefix;
  if (prefix.empty() || !std::all_of(prefix.begin(), prefix.end(), prefix_char) ||
      chain_name(config, Direction::Outbound).size() > kMaxChainName)
    return RulesErrc::BadChainPrefix;
  if (config.queue_base == std::numeric_limits<std::uint16_t>::max())
    return RulesErrc::QueueOutOfRange;
  return {};
}

std::string chain_name(const RuleConfig& config, Direction direction) {
  return config.chain_prefix + "-" + std::to_string(config.queue_base) +
         (direction == Direction::Outbound ? "-OUT" : "-IN");
}

std::uint16_t queue_number(const RuleConfig& config, Direction direction) {
  return static_cast<std::uint16_t>(config.queue_base + (direction == Direction::Inbound ? 1 : 0));
}

std::vector<segment::IpVersion> families(const RuleConfig& config) {
  if (config.ipv6) return {segment::IpVersion::V4, segment::IpVersion::V6};
  return {segment::IpVersion::V4};
}

Argv delete_jump(const RuleConfig& config, segment::IpVersion family, Direction direction) {
  return command(config, family, {"-D", hook(direction), "-j", chain_name(config, direction)});
}

std::vector<Argv> teardown_chains(const RuleConfig& config, segment::IpVersion family) {
  std::vector<Argv> out;
  for (auto direction : {Direction::Outbound, Direction::Inbound}) {
    const auto chain = chain_name(config, direction);
    out.push_back(command(config, family, {"-F", chain}));
    out.push_back(command(config, family, {"-X", chain}));
  }
  return out;
}

std::vector<Argv> create_chains(const RuleConfig& config, segment::IpVersion family) {
  std::vector<Argv> out;
  for (auto direction : {Direction::Outbound, Direction::Inbound})
    out.push_back(command(config, family, {"-N", chain_name(config, direction)}));
  for (auto direction : {Direction::Outbound, Direction::Inbound})
    out.push_back(
        command(config, family, {"-I", hook(direction), "1", "-j", chain_name(config, direction)}));
  return out;
}

std::vector<Argv> peer_rules(const RuleConfig& config, const PeerFlow& flow, RuleOp op) {
  const auto family = flow.peer.version();
  const std::string_view verb = op == RuleOp::Append ? "-A" : "-D";
  const auto peer = address_text(flow.peer);
  const auto port = std::to_string(flow.port);
  const auto out_chain = chain_name(config, Direction::Outbound);
  const auto in_chain = chain_name(config, Direction::Inbound);
  const auto out_queue = std::to_string(queue_number(config, Direction::Outbound));
  const auto in_queue = std::to_string(queue_number(config, Direction::Inbound));

  std::vector<Argv> rules;
  // Both ends may be the one listening on `port`: our connection to the
  // peer's port, or the peer's connection to ours.
  for (std::string_view port_flag : {"--dport", "--sport"}) {
    rules.push_back(command(config, family,
                            {verb, out_chain, "-d", peer, "-p", "tcp", port_flag, port, "-j",
                             "NFQUEUE", "--queue-num", out_queue}));
  }
  for (std::string_view port_flag : {"--sport", "--dport"}) {
    rules.push_back(command(config, family,
                            {verb, in_chain, "-s", peer, "-p", "tcp", port_flag, port, "-j",
                             "NFQUEUE", "--queue-num", in_queue}));
  }
  if (config.icmp_errors == IcmpErrorPolicy::Accept) return rules;

  // An ICMP error carries the conntrack entry of the connection it quotes,
  // as RELATED: match that connection's original tuple, in whichever
  // direction it was opened (the ICMP's own source may be any router).
  const std::string_view icmp = family == segment::IpVersion::V4 ? "icmp" : "ipv6-icmp";
  for (std::string_view peer_flag : {"--ctorigdst", "--ctorigsrc"}) {
    auto rule = command(config, family,
                        {verb, in_chain, "-p", icmp, "-m", "conntrack", "--ctstate", "RELATED",
                         "--ctproto", "tcp", peer_flag, peer, "--ctorigdstport", port, "-j"});
    if (config.icmp_errors == IcmpErrorPolicy::Drop) {
      rule.emplace_back("DROP");
    } else {
      rule.insert(rule.end(), {"NFQUEUE", "--queue-num", in_queue});
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string_view to_string(Direction direction) {
  return direction == Direction::Outbound ? "outbound" : "inbound";
}

}  // namespace aotls::backend::nfqueue
