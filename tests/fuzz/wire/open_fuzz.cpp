// OPEN body decode; a decoded OPEN must survive encode + decode unchanged.
#include <vector>

#include "bgpd/wire/header.hpp"
#include "bgpd/wire/open.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  auto open = decode_open(std::span(data, size));
  if (!open) return 0;
  (void)validate_open(*open, {open->asn()});
  (void)negotiate(*open, *open);
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_open(*open, w);
  auto again = decode_open(std::span(out).subspan(kHeaderSize));
  fuzz::require(again.has_value() && *again == *open);
  return 0;
}
