// ROUTE-REFRESH body decode and round trip.
#include <vector>

#include "bgpd/wire/header.hpp"
#include "bgpd/wire/route_refresh.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  auto rr = decode_route_refresh(std::span(data, size));
  if (!rr) return 0;
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_route_refresh(*rr, w);
  auto again = decode_route_refresh(std::span(out).subspan(kHeaderSize));
  fuzz::require(again.has_value() && *again == *rr);
  return 0;
}
