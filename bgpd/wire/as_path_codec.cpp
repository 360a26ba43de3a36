// bgpd/wire/as_path_codec.cpp - AS_PATH codec (RFC 4271 4.3, RFC 6793).
#include "bgpd/wire/as_path_codec.hpp"

#include <algorithm>

#include "bgpd/wire/options.hpp"

namespace bgpd::wire {
namespace {

bool known_segment_type(std::uint8_t t) {
  return t >= 1 && t <= 4;
}
bool is_confed(AsPathSegmentType t) {
  return t == AsPathSegmentType::ConfedSequence || t == AsPathSegmentType::ConfedSet;
}
// How many ASes a segment adds to the RFC 4271 9.1.2.2 (a) path length.
std::size_t counted(const AsPathSegment& seg) {
  if (is_confed(seg.type)) return 0;
  return seg.type == AsPathSegmentType::AsSet ? 1 : seg.asns.size();
}

}  // namespace

std::optional<AsPath> decode_as_path(std::span<const std::uint8_t> value, bool four_octet) {
  ByteReader r(value);
  AsPath path;
  while (!r.empty()) {
    auto type = r.u8();
    auto count = r.u8();  // nullopt: a single trailing octet
    if (!count || !known_segment_type(*type) || *count == 0) return std::nullopt;
    AsPathSegment seg{static_cast<AsPathSegmentType>(*type), {}};
    seg.asns.reserve(*count);
    for (std::uint8_t i = 0; i < *count; ++i) {
      std::optional<std::uint32_t> asn;
      if (four_octet) {
        asn = r.u32();
      } else if (auto a16 = r.u16()) {
        asn = *a16;
      }
      if (!asn) return std::nullopt;
      seg.asns.push_back(*asn);
    }
    path.segments.push_back(std::move(seg));
  }
  return path;
}

void encode_as_path(const AsPath& path, bool four_octet, ByteWriter& w) {
  for (const auto& seg : path.segments) {
    for (std::size_t begin = 0; begin < seg.asns.size(); begin += 255) {
      const std::size_t n = std::min<std::size_t>(255, seg.asns.size() - begin);
      w.u8(static_cast<std::uint8_t>(seg.type));
      w.u8(static_cast<std::uint8_t>(n));
      for (std::size_t i = begin; i < begin + n; ++i) {
        const std::uint32_t asn = seg.asns[i];
        if (four_octet) {
          w.u32(asn);
        } else {
          w.u16(asn > 0xFFFF ? kAsTrans : static_cast<std::uint16_t>(asn));
        }
      }
    }
  }
}

bool needs_four_octets(const AsPath& path) {
  return std::any_of(path.segments.begin(), path.segments.end(), [](const AsPathSegment& s) {
    return std::any_of(s.asns.begin(), s.asns.end(), [](std::uint32_t a) { return a > 0xFFFF; });
  });
}

AsPath as4_path_of(const AsPath& path) {
  AsPath out;
  std::copy_if(path.segments.begin(), path.segments.end(), std::back_inserter(out.segments),
               [](const AsPathSegment& s) { return !is_confed(s.type); });
  return out;
}

AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  const std::size_t total = as_path.length();
  const std::size_t as4 = as4_path.length();
  if (total < as4) return as_path;
  std::size_t missing = total - as4;
  AsPath merged;
  for (const auto& seg : as_path.segments) {
    const std::size_t n = counted(seg);
    if (n == 0) {  // confederation segments exist in AS_PATH only
      merged.segments.push_back(seg);
      continue;
    }
    if (missing == 0) break;
    if (n <= missing) {
      merged.segments.push_back(seg);
      missing -= n;
      continue;
    }
    // Only an AS_SEQUENCE can be cut (an AS_SET counts as one).
    AsPathSegment head{seg.type,
                       {seg.asns.begin(), seg.asns.begin() + static_cast<std::ptrdiff_t>(missing)}};
    merged.segments.push_back(std::move(head));
    missing = 0;
  }
  for (std::size_t i = 0; i < as4_path.segments.size(); ++i) {
    const auto& seg = as4_path.segments[i];
    // Join the taken AS_SEQUENCE and the leading AS4_PATH sequence into one
    // segment when it fits, as the OLD speaker's prepend would have looked.
    if (i == 0 && !merged.segments.empty() && seg.type == AsPathSegmentType::AsSequence &&
        merged.segments.back().type == AsPathSegmentType::AsSequence &&
        merged.segments.back().asns.size() + seg.asns.size() <= 255) {
      auto& back = merged.segments.back().asns;
      back.insert(back.end(), seg.asns.begin(), seg.asns.end());
      continue;
    }
    merged.segments.push_back(seg);
  }
  return merged;
}

}  // namespace bgpd::wire
