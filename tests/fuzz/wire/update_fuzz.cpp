// UPDATE body decode: first octet = session options. A cleanly decoded
// UPDATE re-encodes to one that decodes cleanly with the same prefixes.
#include <vector>

#include "bgpd/wire/header.hpp"
#include "bgpd/wire/notification.hpp"
#include "bgpd/wire/update.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  if (size == 0) return 0;
  const auto options = fuzz::options_from(data[0]);
  auto decoded = decode_update(std::span(data + 1, size - 1), options);
  if (!decoded) {
    fuzz::require(decoded.error().fatal());
    (void)to_notification(decoded.error());
    return 0;
  }
  for (const auto& e : decoded->errors) fuzz::require(!e.fatal());
  const Update& u = decoded->update;
  for (std::size_t i = 0; i < u.nlri.size(); ++i) (void)u.attributes_for(i);
  if (!decoded->errors.empty()) return 0;
  std::vector<std::uint8_t> out;
  if (!encode_update(u, options, out)) return 0;
  auto again = decode_update(std::span(out).subspan(kHeaderSize), options);
  fuzz::require(again.has_value() && again->errors.empty());
  fuzz::require(again->update.nlri == u.nlri && again->update.withdrawn == u.withdrawn);
  return 0;
}
