// tests/bench/rib/bench_rib_memory.cpp - RIB memory per route and insert rate.
//
//   bench_rib_memory [--v4 N] [--v6 N] [--seed S] [--second-peer] [--soft] [--export]
//
// Loads a tablegen table (realistic attribute sharing) from one eBGP peer
// into Adj-RIB-In + Loc-RIB and prints the resident-set growth (VmRSS from
// /proc/self/statm) and the heap growth (mallinfo2) per route, plus the
// insert rate. Options add: a second peer announcing the same prefixes with
// other paths, a pre-policy Adj-RIB-In (soft reconfiguration), and an eBGP
// peer brought up afterwards (full Adj-RIB-Out build + take + peer down).
// The table is generated before the first measurement, so it is not
// counted. Results go to docs/benchmarks.md, section "RIB memory".
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string_view>

#include "bgpd/rib/rib.hpp"
#include "tests/tools/tablegen/tablegen.hpp"

namespace {

namespace rib = bgpd::rib;
namespace wire = bgpd::wire;

constexpr std::uint32_t kLocalAs = 65000;

struct Usage {
  double rss = 0;   // bytes resident
  double heap = 0;  // bytes allocated by malloc and not freed
};

Usage usage() {
  long pages_total = 0;
  long pages_resident = 0;
  std::ifstream statm("/proc/self/statm");
  statm >> pages_total >> pages_resident;
  const auto mi = mallinfo2();
  return {static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)),
          static_cast<double>(mi.uordblks + mi.hblkhd)};
}

// CPU seconds of this process: the machine is shared, wall time is noise.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(double start) {
  return cpu_now() - start;
}

// Peers 1 and 2 export nothing to each other (reject-all export), so
// their figures are Adj-RIB-In + Loc-RIB only; peer 3 exports everything.
rib::PeerInfo make_peer(rib::PeerId id, std::uint32_t asn, bool soft, bool exports) {
  rib::PeerInfo p;
  p.id = id;
  p.asn = asn;
  p.address = wire::IpAddress::v4(0xC0000200 + id);
  p.bgp_identifier = id;
  p.local_address_v4 = wire::IpAddress::v4(0xC0000264);
  p.local_address_v6 = wire::IpAddress::parse("2001:db8::100");
  p.soft_reconfiguration_inbound = soft;
  // Benchmark of the RIB, not of policy: accept-all import.
  p.import_policy = bgpd::policy::Chain::default_for(false);
  p.export_policy = bgpd::policy::Chain::default_for(/*ebgp=*/!exports);
  return p;
}

// The second peer's view of the same prefixes: another neighbor AS first,
// another next hop - a different attribute set for every group.
wire::PathAttributes second_path(wire::PathAttributes a) {
  a.as_path.segments.front().asns.front() = 65002;
  if (a.next_hop && a.next_hop->is_v4()) a.next_hop = wire::IpAddress::v4(0xC0000202);
  return a;
}

void report(const char* what, std::size_t routes, const Usage& before, const Usage& after,
            double secs) {
  const double n = static_cast<double>(routes);
  std::printf(
      "%-28s routes %9zu  rss %8.1f MiB  %6.1f B/route  heap %6.1f B/route  %9.0f routes/s (CPU)\n",
      what, routes, (after.rss - before.rss) / 1048576.0, (after.rss - before.rss) / n,
      (after.heap - before.heap) / n, secs > 0 ? n / secs : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  tablegen::Params params;
  params.ipv4 = 1000000;
  params.seed = 42;
  bool second = false;
  bool soft = false;
  bool do_export = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--second-peer") {
      second = true;
    } else if (arg == "--soft") {
      soft = true;
    } else if (arg == "--export") {
      do_export = true;
    } else if (i + 1 < argc && (arg == "--v4" || arg == "--v6" || arg == "--seed")) {
      const auto v = std::strtoull(argv[++i], nullptr, 10);
      (arg == "--v4" ? params.ipv4 : arg == "--v6" ? params.ipv6 : params.seed) = v;
    } else {
      std::fprintf(stderr,
                   "usage: bench_rib_memory [--v4 N] [--v6 N] [--seed S] [--second-peer] [--soft] "
                   "[--export]\n");
      return 2;
    }
  }

  const auto groups = tablegen::generate_groups(params);
  const std::size_t routes = params.ipv4 + params.ipv6;
  std::printf(
      "table: %zu IPv4 + %zu IPv6 prefixes, %zu attribute sets (%.1f prefixes/set), seed %llu\n",
      params.ipv4, params.ipv6, groups.size(),
      static_cast<double>(routes) / static_cast<double>(groups.size()),
      static_cast<unsigned long long>(params.seed));

  malloc_trim(0);
  const Usage base = usage();
  rib::Rib rib(rib::RibConfig{kLocalAs, 0x0A000001, 100, false});
  (void)rib.peer_up(make_peer(1, 65001, soft, false));
  auto start = cpu_now();
  for (const auto& g : groups) (void)rib.update(1, {}, g.prefixes, g.attributes);
  const double load1 = seconds_since(start);
  const Usage one = usage();
  report(soft ? "peer 1 (+pre-policy)" : "peer 1", routes, base, one, load1);
  std::printf("  loc-rib %zu prefixes, %zu interned attribute sets\n", rib.loc_rib_size(),
              rib.attributes().size());

  Usage last = one;
  if (second) {
    (void)rib.peer_up(make_peer(2, 65002, soft, false));
    start = cpu_now();
    for (const auto& g : groups) (void)rib.update(2, {}, g.prefixes, second_path(g.attributes));
    const double load2 = seconds_since(start);
    const Usage two = usage();
    report("peer 2 (same prefixes)", routes, one, two, load2);
    last = two;
  }

  if (do_export) {
    start = cpu_now();
    (void)rib.peer_up(make_peer(3, 65003, false, true));
    const double build = seconds_since(start);
    const Usage out = usage();
    report("eBGP peer up: Adj-RIB-Out", routes, last, out, build);
    start = cpu_now();
    auto batch = rib.take_outbound(3);
    const double taken = seconds_since(start);
    std::printf("  take_outbound: %zu prefixes in %zu groups, %.3f s\n", batch->prefix_count(),
                batch->announce.size(), taken);
    start = cpu_now();
    (void)rib.peer_down(1);
    std::printf("  peer 1 down: %.3f s\n", seconds_since(start));
  }
  return 0;
}
