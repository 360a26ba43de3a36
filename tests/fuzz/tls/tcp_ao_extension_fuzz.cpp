// libFuzzer target for the tcp_ao extension decoder: any byte string is a
// candidate extension body. It must end in an Announcement or a typed
// error; an accepted body must re-encode to itself and yield exporter
// contexts of the profile's lengths.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "aotls/tls/exporter.hpp"
#include "aotls/tls/tcp_ao_extension.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aotls::tls;
  const std::span<const std::uint8_t> body(data, size);
  const auto decoded = decode_announcement(body);
  if (!decoded) {
    const TlsAlert alert = alert_for(decoded.error());
    const bool expected_alert = size == kTcpAoExtensionBodyLen ? alert == TlsAlert::IllegalParameter
                                                               : alert == TlsAlert::DecodeError;
    if (!expected_alert || to_string(decoded.error()).empty()) std::abort();
    return 0;
  }
  const EncodedAnnouncement again = encode(*decoded);
  if (size != again.size() || !std::equal(again.begin(), again.end(), data)) std::abort();
  if (!validate(*decoded)) std::abort();
  for (KeyGeneration g : {KeyGeneration{1}, KeyGeneration{2}, KeyGeneration{0xFFFFFFFF}}) {
    const auto ctx = exporter_context(Direction::ClientToServer, *decoded, g);
    if (!ctx || ctx->bytes().size() != (g == 1 ? 4U : 8U)) std::abort();
  }
  return 0;
}
