// tests/bench/wire/wire_bench.cpp - UPDATE packing and decoding throughput.
#include <benchmark/benchmark.h>

#include <vector>

#include "bgpd/wire/message.hpp"

namespace {

using namespace bgpd::wire;

std::vector<Prefix> prefixes(std::size_t n) {
  std::vector<Prefix> out;
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    out.push_back(*Prefix::make(IpAddress::v4(0x0A000000u + (i << 8)), 24));
  }
  return out;
}

PathAttributes attributes() {
  PathAttributes a;
  a.as_path.segments = {{AsPathSegmentType::AsSequence, {65001, 65002, 4200000000u}}};
  a.next_hop = IpAddress::v4(0xC0000201);
  a.communities = {1, 2, 3};
  return a;
}

// Announcing 10,000 prefixes into a reused buffer (steady state: no allocation).
void pack_announce(benchmark::State& state) {
  const auto p = prefixes(10000);
  const auto a = attributes();
  UpdatePacker packer(SessionOptions{true, false, false});
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(packer.announce(a, p, out));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * p.size()));
}
BENCHMARK(pack_announce);

// Decoding full 4096-octet UPDATEs.
void decode_full_update(benchmark::State& state) {
  const SessionOptions options{true, false, false};
  std::vector<std::uint8_t> out;
  UpdatePacker packer(options);
  (void)packer.announce(attributes(), prefixes(1000), out);
  const auto length = next_message_length(out, options);
  const std::span<const std::uint8_t> first(out.data(), **length);
  for (auto _ : state) benchmark::DoNotOptimize(decode_message(first, options));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * first.size()));
}
BENCHMARK(decode_full_update);

}  // namespace

BENCHMARK_MAIN();
