// bgpd/wire/types.hpp - BGP vocabulary shared by wire, rib, policy, config.
//
// Owns: addresses, prefixes, AS paths, communities and the decoded path
// attribute set (RFC 4271 section 4.3 and 5, RFC 6793, RFC 1997, RFC 8092,
// RFC 4760). Pure values: no I/O, no Asio, no logging.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bgpd::wire {

// RFC 4760 section 3 / IANA address family numbers.
enum class Afi : std::uint16_t { Ipv4 = 1, Ipv6 = 2 };
enum class Safi : std::uint8_t { Unicast = 1 };

// An (AFI, SAFI) pair, the unit of multiprotocol negotiation (RFC 4760).
// Values outside the enums above may appear when decoded from the wire.
struct Family {
  Afi afi = Afi::Ipv4;
  Safi safi = Safi::Unicast;
  auto operator<=>(const Family&) const = default;
};
inline constexpr Family kIpv4Unicast{Afi::Ipv4, Safi::Unicast};
inline constexpr Family kIpv6Unicast{Afi::Ipv6, Safi::Unicast};

// An IPv4 or IPv6 address. IPv4 uses bytes[0..3]; the rest stays zero so
// that comparison and hashing need no special case.
struct IpAddress {
  Afi family = Afi::Ipv4;
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress v4(std::uint32_t host_order);
  static std::optional<IpAddress> parse(std::string_view text);
  std::size_t size() const { return family == Afi::Ipv4 ? 4 : 16; }
  bool is_v4() const { return family == Afi::Ipv4; }
  std::uint32_t v4_host_order() const;  // only for IPv4
  std::string to_string() const;
  auto operator<=>(const IpAddress&) const = default;
};

// An address prefix; bits past `length` are always zero (parse and
// make() mask them), so equal prefixes compare equal.
struct Prefix {
  IpAddress address;
  std::uint8_t length = 0;

  static std::optional<Prefix> make(IpAddress address, std::uint8_t length);
  static std::optional<Prefix> parse(std::string_view text);  // "10.0.0.0/8"
  Afi family() const { return address.family; }
  bool contains(const Prefix& other) const;
  std::string to_string() const;
  auto operator<=>(const Prefix&) const = default;
};

// RFC 4271 section 4.3, ORIGIN values.
enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

// RFC 4271 section 4.3 / RFC 5065 segment types.
enum class AsPathSegmentType : std::uint8_t {
  AsSet = 1,
  AsSequence = 2,
  ConfedSequence = 3,
  ConfedSet = 4,
};

struct AsPathSegment {
  AsPathSegmentType type = AsPathSegmentType::AsSequence;
  std::vector<std::uint32_t> asns;  // always 4-byte (RFC 6793)
  bool operator==(const AsPathSegment&) const = default;
};

struct AsPath {
  std::vector<AsPathSegment> segments;

  // RFC 4271 section 9.1.2.2 (a): an AS_SET counts as 1, confederation
  // segments count as 0 (RFC 5065 section 5.3).
  std::size_t length() const;
  bool contains(std::uint32_t asn) const;
  // Leftmost AS of the first AS_SEQUENCE (the neighbor AS), if any.
  std::optional<std::uint32_t> first_as() const;
  // Rightmost AS of the path (the originator), if any.
  std::optional<std::uint32_t> origin_as() const;
  // Prepend `count` copies of `asn` as an AS_SEQUENCE (RFC 4271 5.1.2).
  void prepend(std::uint32_t asn, std::size_t count = 1);
  // "65001 65002 {65003,65004}"; the empty path prints as "".
  std::string to_string() const;
  bool operator==(const AsPath&) const = default;
};

// RFC 1997: high 16 bits ASN, low 16 bits value.
using Community = std::uint32_t;
inline constexpr Community kNoExport = 0xFFFFFF01;
inline constexpr Community kNoAdvertise = 0xFFFFFF02;
inline constexpr Community kNoExportSubconfed = 0xFFFFFF03;

// RFC 8092.
struct LargeCommunity {
  std::uint32_t global_admin = 0;
  std::uint32_t local_data1 = 0;
  std::uint32_t local_data2 = 0;
  auto operator<=>(const LargeCommunity&) const = default;
};

// AGGREGATOR / AS4_AGGREGATOR merged (RFC 6793 section 4.2.3).
struct Aggregator {
  std::uint32_t asn = 0;
  IpAddress address;
  bool operator==(const Aggregator&) const = default;
};

// An optional transitive attribute we do not know, passed on with the
// Partial bit set (RFC 4271 section 5).
struct UnknownAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  std::vector<std::uint8_t> value;
  bool operator==(const UnknownAttribute&) const = default;
};

// The path attributes of a route, decoded and merged (AS4_PATH into
// AS_PATH per RFC 6793 section 4.2.3). The next hop lives here so that a
// route is (prefix, attributes) for both families: NEXT_HOP for IPv4,
// the MP_REACH_NLRI next hop (global, optional link-local) for IPv6.
struct PathAttributes {
  Origin origin = Origin::Igp;
  AsPath as_path;
  std::optional<IpAddress> next_hop;
  std::optional<IpAddress> link_local_next_hop;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<Community> communities;            // kept sorted, unique
  std::vector<LargeCommunity> large_communities;  // kept sorted, unique
  std::vector<UnknownAttribute> unknown;
  bool operator==(const PathAttributes&) const = default;
};

std::size_t hash_value(const PathAttributes& attrs);

}  // namespace bgpd::wire
