// aotls/backend/nfqueue/firewall_rules.hpp - the iptables/ip6tables argv the
// userspace backend runs, as pure values (no process is started here).
//
// Layout, per address family, all in the `mangle` table:
//   <prefix>-<base>-OUT  jumped to from OUTPUT (first rule); TCP to/from the
//                        peer's port or ours -> NFQUEUE <base>
//   <prefix>-<base>-IN   jumped to from INPUT (first rule); TCP from the
//                        peer -> NFQUEUE <base+1>; ICMP errors about a flow
//                        with the peer -> DROP (default), NFQUEUE or nothing
// Why mangle: its OUTPUT and INPUT hooks run before filter's (priority -150
// vs 0), so an ACCEPT in an administrator's filter rules can never let an
// inbound segment skip verification; outbound, the packet is queued after
// the routing decision that fixed its source address (RFC 5925 section 5.1
// hashes it) and nothing later rewrites it on a BGP host without NAT.
// NFQUEUE without --queue-bypass: with no listener bound (daemon down or
// crashed) the kernel drops the packets - fail-closed (profile section 5).
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "aotls/backend/nfqueue/packet_processor.hpp"
#include "aotls/segment/ip_address.hpp"

namespace aotls::backend::nfqueue {

using Argv = std::vector<std::string>;

// RFC 5925 section 7.8: ICMP errors about a protected connection SHOULD NOT
// be acted upon; the profile drops them unless configured otherwise.
enum class IcmpErrorPolicy : std::uint8_t {
  Drop,    // DROP in the IN chain (counted by iptables)
  Queue,   // sent to the inbound queue: the processor decides and counts
  Accept,  // no rule: the kernel acts on them
};

struct RuleConfig {
  std::string chain_prefix = "AOTLS";
  std::uint16_t queue_base = 4200;  // outbound queue; inbound is queue_base + 1
  IcmpErrorPolicy icmp_errors = IcmpErrorPolicy::Drop;
  bool ipv6 = true;  // also manage ip6tables
  std::string iptables = "iptables";
  std::string ip6tables = "ip6tables";
};

// A protected BGP flow: the peer, and the port that is ours or the peer's
// (179 unless `transport.port` overrides it).
struct PeerFlow {
  segment::IpAddress peer;
  std::uint16_t port = 179;
};

enum class RulesErrc {
  BadChainPrefix = 1,  // empty, too long for iptables' 28 characters, or not [A-Za-z0-9_]
  QueueOutOfRange,     // queue_base + 1 must fit in 16 bits
  FamilyDisabled,      // an IPv6 peer with ipv6 = false
};

const std::error_category& rules_category();
std::error_code make_error_code(RulesErrc errc);

std::error_code validate(const RuleConfig& config);

std::string chain_name(const RuleConfig& config, Direction direction);
std::uint16_t queue_number(const RuleConfig& config, Direction direction);
// The families a config manages, IPv4 first.
std::vector<segment::IpVersion> families(const RuleConfig& config);

// Delete the jump to one of our chains; run until it fails (bounded): after
// a crash it is present once, or not at all.
Argv delete_jump(const RuleConfig& config, segment::IpVersion family, Direction direction);
// Flush and delete both chains; failures mean "not there" and are ignored.
std::vector<Argv> teardown_chains(const RuleConfig& config, segment::IpVersion family);
// Create both chains and insert the jumps first in OUTPUT and INPUT; each
// must succeed.
std::vector<Argv> create_chains(const RuleConfig& config, segment::IpVersion family);

enum class RuleOp : std::uint8_t { Append, Delete };
// The rules scoping the queues to one peer (same list for -A and -D).
std::vector<Argv> peer_rules(const RuleConfig& config, const PeerFlow& flow, RuleOp op);

}  // namespace aotls::backend::nfqueue

template <>
struct std::is_error_code_enum<aotls::backend::nfqueue::RulesErrc> : std::true_type {};
