#include "aotls/segment/segment_mac.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>

#include "aotls/segment/mac_input.hpp"

namespace aotls::segment {
namespace {

// The largest MAC an option can carry (40 option bytes - 4).
constexpr std::size_t kMaxMacLen = kMaxTcpOptionsLen - kAoOptionHeaderLen;

// Computes the MAC of `segment` into the first mac.mac_len() bytes of `out`.
common::Expected<void, SegmentError> compute_mac(const PacketView& segment, crypto::MacContext& mac,
                                                 bool include_options, std::uint32_t sne,
                                                 std::array<std::uint8_t, kMaxMacLen>& out) {
  if (!segment.ao()) return common::Unexpected(SegmentError::NoAoOption);
  if (segment.ao()->mac.size() != mac.mac_len()) {
    return common::Unexpected(SegmentError::MacLengthMismatch);
  }
  mac.begin();
  auto fed = feed_mac_input(segment, include_options, sne,
                            [&](std::span<const std::uint8_t> piece) { mac.update(piece); });
  if (!fed) return common::Unexpected(fed.error());
  if (!mac.finish(std::span(out).first(mac.mac_len()))) {
    return common::Unexpected(SegmentError::CryptoFailure);
  }
  return {};
}

}  // namespace

common::Expected<void, SegmentError> sign(std::span<std::uint8_t> packet, crypto::MacContext& mac,
                                          bool include_options, std::uint32_t sne) {
  auto segment = PacketView::parse(packet);
  if (!segment) return common::Unexpected(segment.error());
  std::array<std::uint8_t, kMaxMacLen> computed{};
  auto done = compute_mac(*segment, mac, include_options, sne, computed);
  if (!done) return done;
  std::copy_n(computed.begin(), mac.mac_len(),
              packet.begin() + static_cast<std::ptrdiff_t>(segment->ao_mac_offset()));
  return {};
}

common::Expected<void, SegmentError> verify(const PacketView& segment, crypto::MacContext& mac,
                                            bool include_options, std::uint32_t sne) {
  std::array<std::uint8_t, kMaxMacLen> computed{};
  auto done = compute_mac(segment, mac, include_options, sne, computed);
  if (!done) return done;
  // Constant time: a timing difference must not reveal how many MAC bytes
  // of a forged segment were right.
  if (CRYPTO_memcmp(computed.data(), segment.ao()->mac.data(), mac.mac_len()) != 0) {
    return common::Unexpected(SegmentError::MacMismatch);
  }
  return {};
}

common::Expected<void, SegmentError> verify(std::span<const std::uint8_t> packet,
                                            crypto::MacContext& mac, bool include_options,
                                            std::uint32_t sne) {
  auto segment = PacketView::parse(packet);
  if (!segment) return common::Unexpected(segment.error());
  return verify(*segment, mac, include_options, sne);
}

}  // namespace aotls::segment
