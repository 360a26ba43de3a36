#include "aotls/segment/mac_input.hpp"

#include <algorithm>

#include "aotls/segment/byte_order.hpp"

namespace aotls::segment {
namespace {

// Appends to a fixed buffer whose capacity the callers' sizes never exceed
// (kMaxMacInputPrefixLen is the sum of the largest pieces).
class PrefixWriter {
 public:
  explicit PrefixWriter(std::span<std::uint8_t> out) : out_(out) {}

  void bytes(std::span<const std::uint8_t> piece) {
    std::copy(piece.begin(), piece.end(), out_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += piece.size();
  }
  void zeros(std::size_t count) {
    std::fill_n(out_.begin() + static_cast<std::ptrdiff_t>(pos_), count, std::uint8_t{0});
    pos_ += count;
  }
  void be16(std::uint16_t value) {
    store_be16(out_, pos_, value);
    pos_ += 2;
  }
  void be32(std::uint32_t value) {
    store_be32(out_, pos_, value);
    pos_ += 4;
  }
  void byte(std::uint8_t value) { out_[pos_++] = value; }
  std::size_t size() const { return pos_; }

 private:
  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

void write_pseudo_header(const PacketView& view, PrefixWriter& out) {
  const std::size_t tcp_length = view.tcp_segment().size();
  out.bytes(view.src_addr());
  out.bytes(view.dst_addr());
  if (view.ip_version() == IpVersion::V4) {
    out.byte(0);
    out.byte(kIpProtocolTcp);
    out.be16(static_cast<std::uint16_t>(tcp_length));  // bounded by the 16-bit total length
  } else {
    out.be32(static_cast<std::uint32_t>(tcp_length));
    out.zeros(3);
    out.byte(kIpProtocolTcp);
  }
}

// The TCP-AO option as hashed: Kind, Length, KeyID, RNextKeyID, zero MAC.
void write_ao_option(std::span<const std::uint8_t> options, const AoOption& ao, PrefixWriter& out) {
  out.bytes(options.subspan(ao.offset, kAoOptionHeaderLen));
  out.zeros(ao.mac.size());
}

}  // namespace

common::Expected<MacInputPrefix, SegmentError> build_mac_input_prefix(const PacketView& view,
                                                                      bool include_options,
                                                                      std::uint32_t sne) {
  if (!view.ao()) return common::Unexpected(SegmentError::NoAoOption);
  const AoOption& ao = *view.ao();
  const std::span<const std::uint8_t> header = view.tcp_header();
  const std::span<const std::uint8_t> options = view.options();

  MacInputPrefix prefix;
  PrefixWriter out(prefix.bytes_);
  out.be32(sne);
  write_pseudo_header(view, out);
  out.bytes(header.first(kTcpChecksumOffset));
  out.zeros(2);
  out.bytes(header.subspan(kTcpChecksumOffset + 2, kTcpMinHeaderLen - kTcpChecksumOffset - 2));
  if (include_options) out.bytes(options.first(ao.offset));
  write_ao_option(options, ao, out);
  if (include_options) out.bytes(options.subspan(ao.offset + ao.length()));
  prefix.size_ = out.size();
  return prefix;
}

common::Expected<std::vector<std::uint8_t>, SegmentError> mac_input_bytes(const PacketView& view,
                                                                          bool include_options,
                                                                          std::uint32_t sne) {
  std::vector<std::uint8_t> bytes;
  auto fed = feed_mac_input(view, include_options, sne, [&](std::span<const std::uint8_t> piece) {
    bytes.insert(bytes.end(), piece.begin(), piece.end());
  });
  if (!fed) return common::Unexpected(fed.error());
  return bytes;
}

}  // namespace aotls::segment
