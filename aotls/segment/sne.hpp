// aotls/segment/sne.hpp - Sequence Number Extension tracking (RFC 5925 section 6.2).
//
// The SNE is the upper half of a 64-bit sequence space, kept per direction,
// starting at 0; it enters the MAC input but is never sent. RFC 5925's sample
// code (a wrap flag toggled at the half-space) breaks when segments straddle
// the wrap in unlucky orders. We use Linux's reference-based rule instead
// (tcp_ao_compute_sne; specs digest section 3.6): take a reference point
// whose 64-bit position is known (sender: highest sequence number sent;
// receiver: highest verified, which tracks rcv_nxt) and place the segment in
// the 2^31 window around it:
//   seq "before" the reference (signed 32-bit difference < 0) but
//     numerically larger   -> it precedes a wrap:     SNE = ref SNE - 1
//   seq "after" the reference but numerically smaller
//                          -> it follows a wrap:       SNE = ref SNE + 1
//   otherwise              ->                          SNE = ref SNE
// So a segment sent before the wrap and delivered after it still gets the old
// SNE, and a segment after the wrap gets the new one whatever the arrival
// order. A pure SYN sits at the ISN, where the SNE is 0.
#pragma once

#include <cstdint>

namespace aotls::segment {

// A point of the 64-bit sequence space: SNE (high half) and sequence number.
struct SneReference {
  std::uint32_t sne = 0;
  std::uint32_t seq = 0;

  friend bool operator==(const SneReference&, const SneReference&) = default;
};

// The SNE of `seq` relative to `reference` (the rule above).
std::uint32_t sne_for(std::uint32_t seq, SneReference reference);

// Moves `reference` to (sne, seq) when that point is later in 64-bit order.
void advance_reference(SneReference& reference, std::uint32_t seq, std::uint32_t sne);

// Send direction: every outgoing segment gets its SNE and may move the
// reference forward (highest sequence number sent).
class SendSneTracker {
 public:
  explicit SendSneTracker(std::uint32_t isn) : reference_{0, isn} {}
  explicit SendSneTracker(SneReference reference) : reference_(reference) {}

  std::uint32_t next(std::uint32_t seq);
  SneReference reference() const { return reference_; }

 private:
  SneReference reference_;
};

// Receive direction: sne_for() gives the SNE to verify with; only segments
// that then verify move the reference (on_verified), so forged segments with
// far-away sequence numbers cannot shift the receiver's window.
class ReceiveSneTracker {
 public:
  explicit ReceiveSneTracker(std::uint32_t isn) : reference_{0, isn} {}
  explicit ReceiveSneTracker(SneReference reference) : reference_(reference) {}

  std::uint32_t sne_for(std::uint32_t seq) const { return segment::sne_for(seq, reference_); }
  void on_verified(std::uint32_t seq, std::uint32_t sne) {
    advance_reference(reference_, seq, sne);
  }
  SneReference reference() const { return reference_; }

 private:
  SneReference reference_;
};

}  // namespace aotls::segment
