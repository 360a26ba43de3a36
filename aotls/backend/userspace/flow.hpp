// aotls/backend/userspace/flow.hpp - which TCP connection a packet belongs
// to: the 4-tuple of a TCP segment, and of the segment quoted inside an
// ICMP error (RFC 5925 section 7.8 is about those errors).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "aotls/backend/backend.hpp"
#include "aotls/segment/ip_address.hpp"
#include "aotls/segment/packet.hpp"

namespace aotls::backend::userspace {

// One connection seen from this host.
struct FlowTuple {
  segment::IpAddress local_addr;
  segment::IpAddress remote_addr;
  std::uint16_t local_port = 0;
  std::uint16_t remote_port = 0;

  friend bool operator==(const FlowTuple&, const FlowTuple&) = default;
};

enum class PacketDirection : std::uint8_t { Outbound, Inbound };

// The tuple of a parsed segment travelling in `direction`.
FlowTuple flow_of(const segment::PacketView& view, PacketDirection direction);

// True when `address` lies inside `prefix` (same family, prefix bits equal).
bool prefix_contains(const PeerPrefix& prefix, const segment::IpAddress& address);

// What the IP header says a packet carries.
enum class Payload : std::uint8_t { Tcp, Icmp, Other, Malformed };
Payload classify(std::span<const std::uint8_t> packet);

// An ICMP error an AO connection ignores by default (RFC 5925 section 7.8),
// with the connection it is about.
struct IgnorableIcmp {
  FlowTuple flow;  // from the quoted segment, which this host sent
};

// RFC 5925 section 7.8's list: ICMPv4 type 3 (destination unreachable) codes
// 2-4 (protocol unreachable, port unreachable, fragmentation needed) and
// ICMPv6 type 1 (destination unreachable) codes 1 (administratively
// prohibited) and 4 (port unreachable), quoting a TCP segment. nullopt for
// any other ICMP message or one too short to name its connection.
std::optional<IgnorableIcmp> ignorable_icmp(std::span<const std::uint8_t> packet);

}  // namespace aotls::backend::userspace
