// bgpd/wire/update_packing.hpp - many prefixes into few UPDATE messages.
//
// Given one attribute set and many prefixes (or many withdrawals), writes
// as few UPDATEs as possible, each within the session's maximum message
// size (4096, or 65535 with RFC 8654). IPv4 goes in the UPDATE body (RFC
// 4271 4.3), IPv6 in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760). The
// attribute block is encoded once per call and copied into each message;
// messages are appended back to back to the caller's buffer, so a packer
// reused with a reused buffer allocates nothing in steady state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bgpd/wire/options.hpp"
#include "bgpd/wire/update.hpp"

namespace bgpd::wire {

class UpdatePacker {
 public:
  explicit UpdatePacker(SessionOptions options) : options_(options) {}

  // Announces `prefixes` with `attrs`. IPv4 prefixes use attrs.next_hop
  // (must be IPv4) as NEXT_HOP; IPv6 prefixes use attrs.next_hop (IPv6) and
  // attrs.link_local_next_hop. Returns the number of messages appended; on
  // error nothing is appended.
  common::Expected<std::size_t, EncodeError> announce(const PathAttributes& attrs,
                                                      std::span<const Prefix> prefixes,
                                                      std::vector<std::uint8_t>& out);
  // Withdraws `prefixes` (either family).
  std::size_t withdraw(std::span<const Prefix> prefixes, std::vector<std::uint8_t>& out);

 private:
  SessionOptions options_;
  std::vector<std::uint8_t> attributes_;  // scratch: the encoded attribute block
};

}  // namespace bgpd::wire
