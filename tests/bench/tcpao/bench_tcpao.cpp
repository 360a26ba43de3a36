// bench_tcpao: segment sign/verify against the raw MAC over the same bytes.
//
// Segment: IPv4, NOP NOP timestamps + TCP-AO (the RFC 9235 non-SYN layout),
// options included, payload 100 or 1448 bytes. The raw baseline is the
// brief's: EVP_MAC fetched once, a pre-keyed context duplicated per call
// (EVP_MAC_CTX_dup), one contiguous buffer as long as the segment's MAC input.
// A second baseline re-initialises the keyed context instead of duplicating
// it, which is what aotls::crypto::MacContext does.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/mac_input.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "tests/unit/segment/test_packets.hpp"

namespace {

using aotls::crypto::MacAlgorithm;

MacAlgorithm alg_of(const benchmark::State& state) {
  return state.range(0) == 0 ? MacAlgorithm::HmacSha1_96 : MacAlgorithm::AesCmac128_96;
}

std::vector<std::uint8_t> traffic_key(MacAlgorithm alg) {
  return std::vector<std::uint8_t>(aotls::crypto::algorithm_row(alg).prf_output_len, 0x42);
}

std::vector<std::uint8_t> make_packet(std::size_t payload) {
  aotls::test::TestSegment s;
  s.tcp_options = aotls::test::timestamps_and_ao(1, 2);
  s.payload = std::vector<std::uint8_t>(payload, 0xa5);
  return aotls::test::build_packet(s);
}

aotls::crypto::MacContext make_mac(MacAlgorithm alg) {
  auto mac = aotls::crypto::MacContext::create(alg, traffic_key(alg));
  if (!mac) std::abort();
  return std::move(*mac);
}

std::size_t mac_input_len(const std::vector<std::uint8_t>& packet) {
  return aotls::segment::mac_input_bytes(*aotls::segment::PacketView::parse(packet), true, 0)
      ->size();
}

void report(benchmark::State& state, std::size_t bytes) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
  state.counters["mac_input_bytes"] = static_cast<double>(bytes);
}

void BM_SegmentSign(benchmark::State& state) {
  auto mac = make_mac(alg_of(state));
  auto packet = make_packet(static_cast<std::size_t>(state.range(1)));
  for (auto _ : state) {
    if (!aotls::segment::sign(packet, mac, true, 0)) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(packet.data());
  }
  report(state, mac_input_len(packet));
}

void BM_SegmentVerify(benchmark::State& state) {
  auto mac = make_mac(alg_of(state));
  auto packet = make_packet(static_cast<std::size_t>(state.range(1)));
  if (!aotls::segment::sign(packet, mac, true, 0)) std::abort();
  const std::span<const std::uint8_t> signed_packet(packet);
  for (auto _ : state) {
    auto ok = aotls::segment::verify(signed_packet, mac, true, 0);
    if (!ok) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(ok);
  }
  report(state, mac_input_len(packet));
}

// The raw OpenSSL MAC over one contiguous buffer of the MAC input's length.
EVP_MAC_CTX* raw_keyed_ctx(MacAlgorithm alg) {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  static EVP_MAC* const cmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_CMAC, nullptr);
  const bool is_hmac = alg == MacAlgorithm::HmacSha1_96;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(is_hmac ? hmac : cmac);
  char sha1[] = "SHA1";
  char aes[] = "AES-128-CBC";
  const std::array<OSSL_PARAM, 2> params{
      is_hmac ? OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, sha1, 0)
              : OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, aes, 0),
      OSSL_PARAM_construct_end()};
  const auto key = traffic_key(alg);
  if (ctx == nullptr || EVP_MAC_init(ctx, key.data(), key.size(), params.data()) != 1) std::abort();
  return ctx;
}

template <bool kDuplicate>
void raw_mac(benchmark::State& state) {
  EVP_MAC_CTX* keyed = raw_keyed_ctx(alg_of(state));
  const std::size_t len = mac_input_len(make_packet(static_cast<std::size_t>(state.range(1))));
  const std::vector<std::uint8_t> buffer(len, 0xa5);
  std::array<std::uint8_t, 20> out{};
  for (auto _ : state) {
    std::size_t written = 0;
    EVP_MAC_CTX* ctx = kDuplicate ? EVP_MAC_CTX_dup(keyed) : keyed;
    if (!kDuplicate) EVP_MAC_init(ctx, nullptr, 0, nullptr);
    EVP_MAC_update(ctx, buffer.data(), buffer.size());
    EVP_MAC_final(ctx, out.data(), &written, out.size());
    if (kDuplicate) EVP_MAC_CTX_free(ctx);
    benchmark::DoNotOptimize(out.data());
  }
  EVP_MAC_CTX_free(keyed);
  report(state, len);
}

void BM_RawMacDup(benchmark::State& state) {
  raw_mac<true>(state);
}
void BM_RawMacReinit(benchmark::State& state) {
  raw_mac<false>(state);
}

// Args: {algorithm (0 HMAC-SHA-1-96, 1 AES-128-CMAC-96), payload bytes}.
void segment_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"alg", "payload"});
  for (int alg : {0, 1}) {
    for (int payload : {100, 1448}) b->Args({alg, payload});
  }
}

BENCHMARK(BM_RawMacDup)->Apply(segment_args);
BENCHMARK(BM_RawMacReinit)->Apply(segment_args);
BENCHMARK(BM_SegmentSign)->Apply(segment_args);
BENCHMARK(BM_SegmentVerify)->Apply(segment_args);

}  // namespace

BENCHMARK_MAIN();
