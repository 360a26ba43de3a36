#include "aotls/backend/userspace/tcp_rewrite.hpp"

#include <algorithm>

#include "aotls/segment/byte_order.hpp"

namespace aotls::backend::userspace {
namespace {

constexpr std::size_t kIpv4TotalLengthOffset = 2;
constexpr std::size_t kIpv6PayloadLengthOffset = 4;
constexpr std::size_t kTcpDataOffsetByte = 12;
constexpr std::size_t kMaxIpLength = 0xffff;

}  // namespace

common::Expected<OptionList, DropReason> OptionList::parse(std::span<const std::uint8_t> options) {
  OptionList list;
  std::size_t pos = 0;
  while (pos < options.size() && options[pos] != segment::kTcpOptionEol) {
    std::size_t length = 1;
    if (options[pos] != segment::kTcpOptionNop) {
      if (pos + 1 >= options.size()) return common::Unexpected(DropReason::Malformed);
      length = options[pos + 1];
      if (length < 2 || pos + length > options.size()) {
        return common::Unexpected(DropReason::Malformed);
      }
    }
    list.append(options.subspan(pos, length));
    pos += length;
  }
  return list;
}

void OptionList::append(std::span<const std::uint8_t> option) {
  std::copy(option.begin(), option.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(used_));
  entries_[count_++] =
      Entry{option[0], static_cast<std::uint8_t>(used_), static_cast<std::uint8_t>(option.size())};
  used_ += option.size();
}

std::size_t OptionList::encoded_len() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < count_; ++i) total += entries_[i].length;
  return total;
}

bool OptionList::has(std::uint8_t kind) const {
  return std::any_of(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(count_),
                     [&](const Entry& e) { return e.kind == kind; });
}

OptionList::Entry* OptionList::find(std::uint8_t kind) {
  for (std::size_t i = 0; i < count_; ++i) {
    if (entries_[i].kind == kind) return &entries_[i];
  }
  return nullptr;
}

void OptionList::lower_mss(std::uint16_t by) {
  Entry* mss = find(kTcpOptionMss);
  if (mss == nullptr || mss->length != 4) return;
  const std::uint16_t value = segment::load_be16(bytes_, mss->offset + 2u);
  segment::store_be16(bytes_, mss->offset + 2u,
                      static_cast<std::uint16_t>(value > by ? value - by : 0));
}

bool OptionList::trim_sack_to(std::size_t budget) {
  Entry* sack = find(kTcpOptionSack);
  if (sack != nullptr && encoded_len() > budget) {
    const std::size_t excess = encoded_len() - budget;
    const std::size_t blocks = (sack->length - 2u) / kSackBlockLen;
    const std::size_t remove_blocks = (excess + kSackBlockLen - 1) / kSackBlockLen;
    if (remove_blocks < blocks) {
      sack->length = static_cast<std::uint8_t>(sack->length - remove_blocks * kSackBlockLen);
    } else {
      // No block left: drop the option and the NOPs that aligned it.
      auto first = sack;
      const auto begin = entries_.begin();
      while (first != begin && (first - 1)->kind == segment::kTcpOptionNop) --first;
      std::copy(sack + 1, begin + static_cast<std::ptrdiff_t>(count_), first);
      count_ -= static_cast<std::size_t>(sack + 1 - first);
    }
  }
  return encoded_len() <= budget;
}

void OptionList::remove(std::uint8_t kind) {
  const auto begin = entries_.begin();
  const auto end = std::remove_if(begin, begin + static_cast<std::ptrdiff_t>(count_),
                                  [&](const Entry& e) { return e.kind == kind; });
  count_ = static_cast<std::size_t>(end - begin);
}

std::size_t OptionList::encode(std::array<std::uint8_t, segment::kMaxTcpOptionsLen>& out) const {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const Entry& e = entries_[i];
    std::copy_n(bytes_.begin() + e.offset, e.length,
                out.begin() + static_cast<std::ptrdiff_t>(pos));
    // A trimmed SACK option is shorter than the length byte it was copied with.
    if (e.length > 1) out[pos + 1] = e.length;
    pos += e.length;
  }
  while (pos % 4 != 0) out[pos++] = segment::kTcpOptionEol;
  return pos;
}

common::Expected<void, DropReason> replace_options(std::vector<std::uint8_t>& packet,
                                                   const segment::PacketView& view,
                                                   std::span<const std::uint8_t> options) {
  const std::size_t options_at = view.tcp_offset() + segment::kTcpMinHeaderLen;
  const std::size_t old_len = view.options().size();
  const std::size_t ip_len = view.packet().size() - old_len + options.size();
  const bool v4 = view.ip_version() == segment::IpVersion::V4;
  const std::size_t length_field = v4 ? ip_len : ip_len - segment::kIpv6HeaderLen;
  if (length_field > kMaxIpLength) return common::Unexpected(DropReason::PacketTooLong);

  // `view` points into `packet`: take what is needed before resizing.
  packet.resize(view.packet().size());
  const auto at = packet.begin() + static_cast<std::ptrdiff_t>(options_at);
  if (options.size() > old_len) {
    packet.insert(at, options.size() - old_len, std::uint8_t{0});
  } else {
    packet.erase(at, at + static_cast<std::ptrdiff_t>(old_len - options.size()));
  }
  std::copy(options.begin(), options.end(),
            packet.begin() + static_cast<std::ptrdiff_t>(options_at));
  segment::store_be16(packet, v4 ? kIpv4TotalLengthOffset : kIpv6PayloadLengthOffset,
                      static_cast<std::uint16_t>(length_field));
  const std::size_t data_offset_byte = view.tcp_offset() + kTcpDataOffsetByte;
  const std::size_t words = (segment::kTcpMinHeaderLen + options.size()) / 4;
  packet[data_offset_byte] =
      static_cast<std::uint8_t>((words << 4) | (packet[data_offset_byte] & 0x0fU));
  return {};
}

}  // namespace aotls::backend::userspace
