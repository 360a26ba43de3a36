// libFuzzer target for aotls/segment: any byte string is a candidate IP
// packet. Every path must end in a value or a typed error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/mac_input.hpp"
#include "aotls/segment/segment_mac.hpp"
#include "aotls/segment/sne.hpp"
#include "aotls/segment/traffic_keys.hpp"

namespace {

using aotls::crypto::MacAlgorithm;
using aotls::crypto::MacContext;

MacContext fixed_key(MacAlgorithm alg) {
  const std::size_t len = aotls::crypto::algorithm_row(alg).prf_output_len;
  auto mac = MacContext::create(alg, std::vector<std::uint8_t>(len, 0x5c));
  if (!mac) std::abort();
  return std::move(*mac);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static MacContext hmac = fixed_key(MacAlgorithm::HmacSha1_96);
  static MacContext cmac = fixed_key(MacAlgorithm::AesCmac128_96);
  namespace seg = aotls::segment;

  const std::span<const std::uint8_t> input(data, size);
  auto view = seg::PacketView::parse(input);
  if (!view) return 0;
  const std::uint32_t sne = seg::sne_for(view->seq(), {1, 0x80000000});
  (void)seg::kdf_context(*view, 1, 2);
  for (bool include_options : {true, false}) {
    auto bytes = seg::mac_input_bytes(*view, include_options, sne);
    // The MAC input is never longer than SNE + pseudo-header + segment.
    if (bytes && bytes->size() > 4 + 40 + view->tcp_segment().size()) std::abort();
    for (MacContext* mac : {&hmac, &cmac}) {
      (void)seg::verify(*view, *mac, include_options, sne);
      std::vector<std::uint8_t> copy(input.begin(), input.end());
      if (seg::sign(copy, *mac, include_options, sne)) {
        // What we sign, we verify.
        if (!seg::verify(std::span<const std::uint8_t>(copy), *mac, include_options, sne)) {
          std::abort();
        }
      }
    }
  }
  return 0;
}
