// Whole-message decode (first octet = session options), each framed message
// of the buffer in turn, as the session reader feeds them.
#include "bgpd/wire/message.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  if (size == 0) return 0;
  const auto options = fuzz::options_from(data[0]);
  std::span<const std::uint8_t> buffer(data + 1, size - 1);
  (void)decode_message(buffer, options);
  while (true) {
    auto length = next_message_length(buffer, options);
    if (!length || !length->has_value()) break;
    auto m = decode_message(buffer.first(**length), options);
    if (!m) {
      (void)to_notification(m.error());
    } else if (auto* u = std::get_if<DecodedUpdate>(&*m)) {
      for (const auto& e : u->errors) fuzz::require(!e.fatal());
    }
    buffer = buffer.subspan(**length);
  }
  return 0;
}
