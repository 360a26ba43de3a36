// tests/tools/tablegen/tablegen.cpp - the table generator (see tablegen.hpp).
#include "tests/tools/tablegen/tablegen.hpp"

#include <algorithm>
#include <unordered_set>

namespace tablegen {

namespace {

using bgpd::wire::Afi;
using bgpd::wire::IpAddress;
using bgpd::wire::PathAttributes;
using bgpd::wire::Prefix;

// splitmix64: tiny, fast, and the same numbers everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n): n is tiny next to 2^64.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  std::uint32_t between(std::uint32_t lo, std::uint32_t hi) {  // inclusive
    return lo + static_cast<std::uint32_t>(below(std::uint64_t{hi} - lo + 1));
  }
  bool chance(unsigned percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

struct Weighted {
  std::uint32_t value;
  std::uint32_t weight;
};

template <std::size_t N>
std::uint32_t pick(Rng& rng, const Weighted (&table)[N]) {
  std::uint64_t total = 0;
  for (const auto& w : table) total += w.weight;
  std::uint64_t r = rng.below(total);
  for (const auto& w : table) {
    if (r < w.weight) return w.value;
    r -= w.weight;
  }
  return table[N - 1].value;
}

// IPv4 DFZ prefix lengths, per mille (shape of public table reports).
constexpr Weighted kV4Lengths[] = {{24, 600}, {23, 95}, {22, 110}, {21, 45}, {20, 45}, {19, 25},
                                   {18, 15},  {17, 10}, {16, 25},  {15, 5},  {14, 5},  {13, 4},
                                   {12, 3},   {11, 2},  {10, 2},   {9, 1},   {8, 1}};

// IPv6: /48 dominates, the rest spread over /32-/47.
constexpr Weighted kV6Lengths[] = {{48, 520}, {32, 110}, {44, 70}, {40, 50}, {36, 40}, {46, 30},
                                   {47, 25},  {45, 15},  {42, 15}, {41, 10}, {43, 10}, {38, 10},
                                   {39, 10},  {33, 15},  {34, 15}, {35, 10}, {37, 10}};

// AS_PATH lengths before prepending.
constexpr Weighted kPathLengths[] = {{2, 15}, {3, 30}, {4, 25}, {5, 15}, {6, 8}, {7, 4}, {8, 3}};

// Prefixes per attribute set: bucket index -> range below; mean ~12.8.
constexpr Weighted kGroupBuckets[] = {{0, 350}, {1, 150}, {2, 200}, {3, 180}, {4, 100}, {5, 20}};
constexpr std::uint32_t kGroupRange[][2] = {{1, 1}, {2, 2}, {3, 5}, {6, 20}, {21, 80}, {101, 300}};

constexpr std::size_t kAsPool = 4000;
constexpr std::size_t kTransit = 20;  // the first ASes of the pool are big transits

struct PrefixHash {
  std::size_t operator()(const Prefix& p) const noexcept {
    std::uint64_t h = p.length;
    for (auto b : p.address.bytes) h = (h ^ b) * 0x100000001B3ULL;
    return static_cast<std::size_t>(h);
  }
};

bool is_public_v4(std::uint32_t a) {
  const std::uint32_t first = a >> 24;
  if (first == 0 || first == 10 || first == 127 || first >= 224) return false;
  if ((a & 0xFFC00000) == 0x64400000) return false;  // 100.64/10
  if ((a & 0xFFFF0000) == 0xA9FE0000) return false;  // 169.254/16
  if ((a & 0xFFF00000) == 0xAC100000) return false;  // 172.16/12
  if ((a & 0xFFFF0000) == 0xC0A80000) return false;  // 192.168/16
  return true;
}

class Generator {
 public:
  explicit Generator(const Params& p) : params_(p), rng_(p.seed) {
    pool_.reserve(kAsPool);
    for (std::size_t i = 0; i < kAsPool; ++i) {
      // Mostly 2-byte ASes, a fifth 4-byte ones (RFC 6793); never AS_TRANS.
      std::uint32_t asn =
          rng_.chance(80) ? rng_.between(1000, 63999) : rng_.between(131072, 399999);
      if (asn == 23456 || asn == p.peer_asn) asn += 1;
      pool_.push_back(asn);
    }
    used_.reserve(p.ipv4 + p.ipv6);
  }

  void run(const std::function<void(const AttributeGroup&)>& sink) {
    emit_family(Afi::Ipv4, params_.ipv4, sink);
    emit_family(Afi::Ipv6, params_.ipv6, sink);
  }

 private:
  void emit_family(Afi family, std::size_t count,
                   const std::function<void(const AttributeGroup&)>& sink) {
    std::size_t left = count;
    while (left > 0) {
      const auto bucket = pick(rng_, kGroupBuckets);
      std::size_t size = rng_.between(kGroupRange[bucket][0], kGroupRange[bucket][1]);
      size = std::min(size, left);
      AttributeGroup group{attributes(family), {}};
      group.prefixes.reserve(size);
      for (std::size_t i = 0; i < size; ++i) group.prefixes.push_back(unique_prefix(family));
      left -= size;
      sink(group);
    }
  }

  Prefix unique_prefix(Afi family) {
    for (;;) {
      Prefix p = family == Afi::Ipv4 ? random_v4() : random_v6();
      if (used_.insert(p).second) return p;
    }
  }

  Prefix random_v4() {
    const auto len = static_cast<std::uint8_t>(pick(rng_, kV4Lengths));
    std::uint32_t a = 0;
    do {
      a = static_cast<std::uint32_t>(rng_.next());
    } while (!is_public_v4(a));
    return *Prefix::make(IpAddress::v4(a), len);
  }

  Prefix random_v6() {
    const auto len = static_cast<std::uint8_t>(pick(rng_, kV6Lengths));
    IpAddress a;
    a.family = Afi::Ipv6;
    const std::uint64_t bits = rng_.next();
    for (std::size_t i = 0; i < 8; ++i)
      a.bytes[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
    a.bytes[0] = static_cast<std::uint8_t>(0x20 | (a.bytes[0] & 0x1F));  // 2000::/3
    return *Prefix::make(a, len);
  }

  std::uint32_t pool_as(std::size_t from) { return pool_[from + rng_.below(kAsPool - from)]; }

  bgpd::wire::AsPath as_path() {
    const std::size_t len = pick(rng_, kPathLengths);
    std::vector<std::uint32_t> asns{params_.peer_asn};
    while (asns.size() < len) {
      const bool transit = asns.size() == 1 && rng_.chance(70);
      const std::uint32_t asn = transit ? pool_[rng_.below(kTransit)] : pool_as(kTransit);
      if (std::find(asns.begin(), asns.end(), asn) == asns.end()) asns.push_back(asn);
    }
    // Origin prepending, within the 8-AS budget.
    if (rng_.chance(6)) {
      const std::size_t extra = std::min<std::size_t>(1 + rng_.below(3), 8 - asns.size());
      asns.insert(asns.end(), extra, asns.back());
    }
    bgpd::wire::AsPath path;
    path.segments.push_back({bgpd::wire::AsPathSegmentType::AsSequence, std::move(asns)});
    return path;
  }

  PathAttributes attributes(Afi family) {
    PathAttributes a;
    a.as_path = as_path();
    const auto origin = rng_.below(100);
    a.origin = origin < 88   ? bgpd::wire::Origin::Igp
               : origin < 98 ? bgpd::wire::Origin::Incomplete
                             : bgpd::wire::Origin::Egp;
    a.next_hop = family == Afi::Ipv4 ? params_.next_hop_v4 : params_.next_hop_v6;
    if (rng_.chance(25)) {
      constexpr std::uint32_t kMeds[] = {0, 10, 50, 100};
      a.med = rng_.chance(70) ? kMeds[rng_.below(4)] : rng_.between(1, 999);
    }
    const std::size_t n_comm = rng_.below(7);
    for (std::size_t i = 0; i < n_comm; ++i) {
      const std::uint32_t high =
          rng_.chance(60) ? params_.peer_asn & 0xFFFF : pool_[rng_.below(kTransit)] & 0xFFFF;
      a.communities.push_back(high << 16 | rng_.between(100, 999));
    }
    std::sort(a.communities.begin(), a.communities.end());
    a.communities.erase(std::unique(a.communities.begin(), a.communities.end()),
                        a.communities.end());
    if (rng_.chance(10)) {
      a.large_communities.push_back(
          {params_.peer_asn, rng_.between(1, 100), rng_.between(1, 1000)});
    }
    if (rng_.chance(2)) {
      a.atomic_aggregate = true;
      a.aggregator = bgpd::wire::Aggregator{*a.as_path.origin_as(),
                                            IpAddress::v4(rng_.between(1, 0xDFFFFFFF))};
    }
    return a;
  }

  Params params_;
  Rng rng_;
  std::vector<std::uint32_t> pool_;
  std::unordered_set<Prefix, PrefixHash> used_;
};

}  // namespace

void generate(const Params& params, const std::function<void(const AttributeGroup&)>& sink) {
  Generator(params).run(sink);
}

std::vector<AttributeGroup> generate_groups(const Params& params) {
  std::vector<AttributeGroup> groups;
  generate(params, [&](const AttributeGroup& g) { groups.push_back(g); });
  return groups;
}

std::vector<std::pair<Prefix, PathAttributes>> generate(std::size_t n_v4, std::size_t n_v6,
                                                        std::uint64_t seed) {
  Params params;
  params.ipv4 = n_v4;
  params.ipv6 = n_v6;
  params.seed = seed;
  std::vector<std::pair<Prefix, PathAttributes>> routes;
  routes.reserve(n_v4 + n_v6);
  generate(params, [&](const AttributeGroup& g) {
    for (const auto& p : g.prefixes) routes.emplace_back(p, g.attributes);
  });
  return routes;
}

}  // namespace tablegen
