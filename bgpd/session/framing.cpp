// bgpd/session/framing.cpp - see framing.hpp.
#include "bgpd/session/framing.hpp"

#include <algorithm>
#include <string>

namespace bgpd::session {
namespace {

class FramingCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "bgp-framing"; }
  std::string message(int value) const override {
    switch (static_cast<FramingError>(value)) {
      case FramingError::ConnectionNotSynchronized:
        return "message header marker is not all ones (connection not synchronized)";
      case FramingError::BadMessageLength:
        return "bad message length in header";
    }
    return "unknown framing error";
  }
};

}  // namespace

const std::error_category& framing_category() {
  static const FramingCategory category;
  return category;
}

std::error_code make_error_code(FramingError error) {
  return {static_cast<int>(error), framing_category()};
}

wire::HeaderSubcode header_subcode(FramingError error) {
  return static_cast<wire::HeaderSubcode>(static_cast<std::uint8_t>(error));
}

common::Expected<std::size_t, std::error_code> check_header(
    std::span<const std::uint8_t, kHeaderSize> header, std::size_t max_length) {
  const auto marker = header.first<kMarkerSize>();
  if (!std::all_of(marker.begin(), marker.end(), [](std::uint8_t b) { return b == 0xff; })) {
    return common::Unexpected(make_error_code(FramingError::ConnectionNotSynchronized));
  }
  const std::size_t length = (std::size_t{header[16]} << 8) | header[17];
  if (length < kHeaderSize || length > max_length) {
    return common::Unexpected(make_error_code(FramingError::BadMessageLength));
  }
  return length;
}

FrameBuffer::FrameBuffer(std::size_t max_length) : max_length_(max_length) {}

std::span<std::uint8_t> FrameBuffer::prepare(std::size_t min_space) {
  // Move what is left to the front rather than growing forever, but only
  // when the space behind it runs short: with a read-ahead buffer, moving
  // it on every read would copy each byte many times.
  if (begin_ > 0 && (begin_ == end_ || data_.size() - end_ < min_space)) {
    std::copy(data_.begin() + static_cast<std::ptrdiff_t>(begin_),
              data_.begin() + static_cast<std::ptrdiff_t>(end_), data_.begin());
    end_ -= begin_;
    begin_ = 0;
  }
  if (data_.size() - end_ < min_space) data_.resize(end_ + min_space);
  return std::span<std::uint8_t>(data_).subspan(end_);
}

void FrameBuffer::commit(std::size_t bytes) {
  end_ = std::min(end_ + bytes, data_.size());
}

common::Expected<std::span<const std::uint8_t>, std::error_code> FrameBuffer::next() {
  const std::span<const std::uint8_t> available(data_.data() + begin_, end_ - begin_);
  if (available.size() < kHeaderSize) return std::span<const std::uint8_t>{};
  auto length = check_header(available.first<kHeaderSize>(), max_length_);
  if (!length) return common::Unexpected(length.error());
  if (available.size() < *length) return std::span<const std::uint8_t>{};
  begin_ += *length;
  return available.first(*length);
}

std::span<const std::uint8_t> FrameBuffer::pending_header() const {
  return std::span<const std::uint8_t>(data_.data() + begin_, std::min(kHeaderSize, end_ - begin_));
}

}  // namespace bgpd::session
