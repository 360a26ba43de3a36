// Header validation and framing: first octet = session options.
#include "bgpd/wire/header.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming): libFuzzer API
    const std::uint8_t* data, std::size_t size) {
  using namespace bgpd::wire;
  if (size == 0) return 0;
  const auto options = fuzz::options_from(data[0]);
  std::span<const std::uint8_t> buffer(data + 1, size - 1);
  // The session reader's loop: frame messages until one is incomplete.
  while (true) {
    auto length = next_message_length(buffer, options);
    if (!length || !length->has_value()) break;
    const std::size_t n = **length;
    fuzz::require(n >= kHeaderSize && n <= options.max_message_size() && n <= buffer.size());
    buffer = buffer.subspan(n);
  }
  return 0;
}
