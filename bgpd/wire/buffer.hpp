// bgpd/wire/buffer.hpp - bounds-checked byte reader and appending writer.
//
// Every decoder reads through ByteReader, whose reads return nullopt instead
// of running past the end: truncated input becomes a typed error, never an
// out-of-bounds access. ByteWriter appends big-endian (network order, RFC
// 4271 section 4) values to a caller-owned vector so that encoders can reuse
// one buffer across messages.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bgpd::wire {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return bytes_[pos_++];
  }
  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    auto v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) return std::nullopt;
    std::uint32_t v = (std::uint32_t{bytes_[pos_]} << 24) |
                      (std::uint32_t{bytes_[pos_ + 1]} << 16) |
                      (std::uint32_t{bytes_[pos_ + 2]} << 8) | std::uint32_t{bytes_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  std::optional<std::span<const std::uint8_t>> bytes(std::size_t n) {
    if (remaining() < n) return std::nullopt;
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // Everything not yet read; the reader is then empty.
  std::span<const std::uint8_t> rest() {
    auto out = bytes_.subspan(pos_);
    pos_ = bytes_.size();
    return out;
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  std::size_t size() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }

  // A length field written later: reserve now, patch once the body is known.
  std::size_t reserve_u16() {
    u16(0);
    return out_.size() - 2;
  }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  void patch_u8(std::size_t at, std::uint8_t v) { out_[at] = v; }
  void truncate(std::size_t new_size) { out_.resize(new_size); }
  void erase(std::size_t at) { out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(at)); }
  // Appends a copy of [from, from + n) of what was written earlier.
  void repeat(std::size_t from, std::size_t n) {
    const std::size_t to = out_.size();
    out_.resize(to + n);
    std::copy_n(out_.begin() + static_cast<std::ptrdiff_t>(from), n,
                out_.begin() + static_cast<std::ptrdiff_t>(to));
  }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace bgpd::wire
