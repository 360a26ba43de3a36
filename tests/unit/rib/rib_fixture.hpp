// tests/unit/rib/rib_fixture.hpp - shared helpers for the RIB tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "bgpd/rib/rib.hpp"

namespace rib_test {

using bgpd::rib::PeerId;
using bgpd::rib::PeerInfo;
using bgpd::rib::Rib;
using bgpd::rib::RibConfig;
namespace wire = bgpd::wire;
namespace policy = bgpd::policy;

inline constexpr std::uint32_t kLocalAs = 65000;
inline constexpr std::uint32_t kRouterId = 0x0A000001;  // 10.0.0.1

inline wire::Prefix pfx(const std::string& text) {
  auto p = wire::Prefix::parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(wire::Prefix{});
}

inline wire::IpAddress ip(const std::string& text) {
  auto a = wire::IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(wire::IpAddress{});
}

inline wire::AsPath path(std::initializer_list<std::uint32_t> asns) {
  wire::AsPath p;
  if (asns.size() > 0) p.segments.push_back({wire::AsPathSegmentType::AsSequence, asns});
  return p;
}

inline wire::PathAttributes attrs(std::initializer_list<std::uint32_t> asns,
                                  const std::string& next_hop = "192.0.2.254") {
  wire::PathAttributes a;
  a.as_path = path(asns);
  a.next_hop = ip(next_hop);
  return a;
}

// The RFC 8212 iBGP default is accept-all: the neutral policy of these tests.
inline policy::Chain accept_all() {
  return policy::Chain::default_for(false);
}

// A peer at 192.0.2.<n> with BGP Identifier n (lower n wins steps f and g),
// accept-all policies, and our side of the session at 192.0.2.100 / 2001:db8::100.
inline PeerInfo peer(PeerId id, std::uint32_t asn, std::uint32_t n) {
  PeerInfo info;
  info.id = id;
  info.asn = asn;
  info.address = wire::IpAddress::v4(0xC0000200 + n);
  info.bgp_identifier = n;
  info.local_address_v4 = ip("192.0.2.100");
  info.local_address_v6 = ip("2001:db8::100");
  info.import_policy = accept_all();
  info.export_policy = accept_all();
  return info;
}

inline RibConfig config(bool always_compare_med = false) {
  return RibConfig{kLocalAs, kRouterId, 100, always_compare_med};
}

inline bgpd::rib::RibChanges up(Rib& rib, PeerInfo info) {
  auto r = rib.peer_up(std::move(info));
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? *r : bgpd::rib::RibChanges{};
}

inline bgpd::rib::RibChanges announce(Rib& rib, PeerId peer, std::vector<wire::Prefix> prefixes,
                                      const wire::PathAttributes& a) {
  auto r = rib.update(peer, {}, prefixes, a);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? *r : bgpd::rib::RibChanges{};
}

inline bgpd::rib::RibChanges withdraw(Rib& rib, PeerId peer, std::vector<wire::Prefix> prefixes) {
  auto r = rib.update(peer, prefixes, {}, wire::PathAttributes{});
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? *r : bgpd::rib::RibChanges{};
}

inline bgpd::rib::OutboundBatch take(Rib& rib, PeerId peer) {
  auto r = rib.take_outbound(peer);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? std::move(*r) : bgpd::rib::OutboundBatch{};
}

}  // namespace rib_test
