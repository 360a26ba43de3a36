#include "aotls/segment/sne.hpp"

namespace aotls::segment {
namespace {

// RFC 9293 sequence arithmetic: a is before b when (a - b) mod 2^32 is in the
// upper half.
bool seq_before(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}

std::uint64_t extended(std::uint32_t sne, std::uint32_t seq) {
  return (std::uint64_t{sne} << 32) | seq;
}

}  // namespace

std::uint32_t sne_for(std::uint32_t seq, SneReference reference) {
  if (seq_before(seq, reference.seq)) {
    return seq > reference.seq ? reference.sne - 1 : reference.sne;
  }
  return seq < reference.seq ? reference.sne + 1 : reference.sne;
}

void advance_reference(SneReference& reference, std::uint32_t seq, std::uint32_t sne) {
  if (extended(sne, seq) > extended(reference.sne, reference.seq)) reference = {sne, seq};
}

std::uint32_t SendSneTracker::next(std::uint32_t seq) {
  const std::uint32_t sne = sne_for(seq, reference_);
  advance_reference(reference_, seq, sne);
  return sne;
}

}  // namespace aotls::segment
