// bgpd/wire/types.cpp - parsing, printing and helpers for the BGP vocabulary.
#include "bgpd/wire/types.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <functional>

namespace bgpd::wire {

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  a.family = Afi::Ipv4;
  a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  a.bytes[3] = static_cast<std::uint8_t>(host_order);
  return a;
}

std::uint32_t IpAddress::v4_host_order() const {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);  // inet_pton needs a NUL-terminated string
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = Afi::Ipv4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = Afi::Ipv6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Prefix> Prefix::make(IpAddress address, std::uint8_t length) {
  const std::size_t max_bits = address.size() * 8;
  if (length > max_bits) return std::nullopt;
  for (std::size_t bit = length; bit < 128; ++bit) {
    address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return Prefix{address, length};
}

std::optional<Prefix> Prefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  auto len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || end != len_text.data() + len_text.size() || len_text.empty() ||
      len > 128) {
    return std::nullopt;
  }
  return make(*address, static_cast<std::uint8_t>(len));
}

bool Prefix::contains(const Prefix& other) const {
  if (family() != other.family() || other.length < length) return false;
  auto masked = make(other.address, length);
  return masked && masked->address == address;
}

std::string Prefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

std::size_t AsPath::length() const {
  std::size_t n = 0;
  for (const auto& seg : segments) {
    if (seg.type == AsPathSegmentType::AsSequence) n += seg.asns.size();
    if (seg.type == AsPathSegmentType::AsSet) n += 1;
  }
  return n;
}

bool AsPath::contains(std::uint32_t asn) const {
  return std::any_of(segments.begin(), segments.end(), [asn](const AsPathSegment& seg) {
    return std::find(seg.asns.begin(), seg.asns.end(), asn) != seg.asns.end();
  });
}

std::optional<std::uint32_t> AsPath::first_as() const {
  for (const auto& seg : segments) {
    if (seg.type == AsPathSegmentType::AsSequence && !seg.asns.empty()) return seg.asns.front();
    if (seg.type == AsPathSegmentType::AsSet) return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> AsPath::origin_as() const {
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    if (it->type == AsPathSegmentType::AsSequence && !it->asns.empty()) return it->asns.back();
    if (it->type == AsPathSegmentType::AsSet) return std::nullopt;
  }
  return std::nullopt;
}

void AsPath::prepend(std::uint32_t asn, std::size_t count) {
  if (count == 0) return;
  // RFC 4271 5.1.2: prepend to a leading AS_SEQUENCE, else start a new one;
  // a segment holds at most 255 ASes (the wire count is one octet).
  if (segments.empty() || segments.front().type != AsPathSegmentType::AsSequence ||
      segments.front().asns.size() + count > 255) {
    segments.insert(segments.begin(), AsPathSegment{AsPathSegmentType::AsSequence, {}});
  }
  auto& asns = segments.front().asns;
  asns.insert(asns.begin(), count, asn);
}

std::string AsPath::to_string() const {
  std::string out;
  for (const auto& seg : segments) {
    const bool is_set = seg.type == AsPathSegmentType::AsSet ||
                        seg.type == AsPathSegmentType::ConfedSet;
    const bool confed = seg.type == AsPathSegmentType::ConfedSequence ||
                        seg.type == AsPathSegmentType::ConfedSet;
    if (!out.empty()) out += ' ';
    if (confed) out += '(';
    if (is_set) out += '{';
    for (std::size_t i = 0; i < seg.asns.size(); ++i) {
      if (i) out += is_set ? "," : " ";
      out += std::to_string(seg.asns[i]);
    }
    if (is_set) out += '}';
    if (confed) out += ')';
  }
  return out;
}

namespace {
void mix(std::size_t& seed, std::size_t v) {
  seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}
}  // namespace

std::size_t hash_value(const PathAttributes& a) {
  std::size_t h = static_cast<std::size_t>(a.origin);
  for (const auto& seg : a.as_path.segments) {
    mix(h, static_cast<std::size_t>(seg.type));
    for (auto asn : seg.asns) mix(h, asn);
  }
  auto mix_addr = [&h](const std::optional<IpAddress>& ip) {
    if (!ip) return mix(h, 0);
    for (auto b : ip->bytes) mix(h, b);
  };
  mix_addr(a.next_hop);
  mix_addr(a.link_local_next_hop);
  mix(h, a.med ? *a.med + 1ULL : 0);
  mix(h, a.local_pref ? *a.local_pref + 1ULL : 0);
  mix(h, a.atomic_aggregate);
  if (a.aggregator) mix(h, a.aggregator->asn);
  for (auto c : a.communities) mix(h, c);
  for (const auto& lc : a.large_communities) {
    mix(h, lc.global_admin);
    mix(h, lc.local_data1);
    mix(h, lc.local_data2);
  }
  for (const auto& u : a.unknown) {
    mix(h, u.type);
    mix(h, std::hash<std::string_view>{}(
               std::string_view(reinterpret_cast<const char*>(u.value.data()), u.value.size())));
  }
  return h;
}

}  // namespace bgpd::wire
