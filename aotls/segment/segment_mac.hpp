// aotls/segment/segment_mac.hpp - signing and verifying whole IP packets.
//
// For a user-space TCP-AO (NFQUEUE): parse once (PacketView), pick the MKT by
// the option's KeyID and the traffic key by traffic_key_kind(), then sign or
// verify with a pre-keyed crypto::MacContext. No heap allocation per packet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "aotls/crypto/mac.hpp"
#include "aotls/segment/packet.hpp"
#include "aotls/segment/segment_error.hpp"
#include "common/expected.hpp"

namespace aotls::segment {

// Writes the TCP-AO MAC into the packet's existing TCP-AO option (whose
// KeyID and RNextKeyID the caller has set). `include_options` is the MKT's
// TCP option flag (RFC 5925 section 3.1). NoAoOption, MacLengthMismatch
// (option MAC length != the algorithm's) or a parse error otherwise.
common::Expected<void, SegmentError> sign(std::span<std::uint8_t> packet, crypto::MacContext& mac,
                                          bool include_options, std::uint32_t sne);

// Checks the MAC of `segment` with constant-time comparison (CRYPTO_memcmp).
common::Expected<void, SegmentError> verify(const PacketView& segment, crypto::MacContext& mac,
                                            bool include_options, std::uint32_t sne);
common::Expected<void, SegmentError> verify(std::span<const std::uint8_t> packet,
                                            crypto::MacContext& mac, bool include_options,
                                            std::uint32_t sne);

// The receive-side key an MKT lookup yields for a KeyID.
struct VerifyKey {
  crypto::MacContext* mac = nullptr;
  bool include_options = true;
};

// RFC 5925 section 7.5.2 b: the segment's KeyID selects the MKT; no MKT is
// KeyNotFound. `lookup(key_id)` returns std::optional<VerifyKey>. On success
// returns the TCP-AO option, whose RNextKeyID drives send-key selection
// (section 7.5.2 e).
template <class Lookup>
common::Expected<AoOption, SegmentError> verify_with_lookup(const PacketView& segment,
                                                            std::uint32_t sne, Lookup&& lookup) {
  if (!segment.ao()) return common::Unexpected(SegmentError::NoAoOption);
  const std::optional<VerifyKey> key = lookup(segment.ao()->key_id);
  if (!key || key->mac == nullptr) return common::Unexpected(SegmentError::KeyNotFound);
  auto verified = verify(segment, *key->mac, key->include_options, sne);
  if (!verified) return common::Unexpected(verified.error());
  return *segment.ao();
}

}  // namespace aotls::segment
