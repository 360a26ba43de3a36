// NOTIFICATION body decode, shutdown communication, round trip.
#include <vector>

#include "bgpd/wire/header.hpp"
#include "bgpd/wire/notification.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  auto n = decode_notification(std::span(data, size));
  if (!n) return 0;
  if (auto c = shutdown_communication(*n)) {
    fuzz::require(c->text.size() <= kMaxShutdownCommunication);
    (void)make_cease(CeaseSubcode::AdministrativeShutdown, c->text);
  }
  std::vector<std::uint8_t> out;
  ByteWriter w(out);
  encode_notification(*n, w);
  auto again = decode_notification(std::span(out).subspan(kHeaderSize));
  fuzz::require(again.has_value() && *again == *n);
  return 0;
}
