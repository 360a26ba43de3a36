// tests/unit/backend/fake_kernel.cpp - see fake_kernel.hpp.
#include "tests/unit/backend/fake_kernel.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace aotls::backend::testing {
namespace {

// Literal offsets of the specs digest section 5.3 (x86-64).
namespace add {
constexpr std::size_t kSize = 288, kAlg = 128, kIfindex = 192, kFlags = 196, kReserved2 = 200,
                      kPrefix = 202, kSndid = 203, kRcvid = 204, kMaclen = 205, kKeyflags = 206,
                      kKeylen = 207, kKey = 208;
}
namespace del {
constexpr std::size_t kSize = 144, kIfindex = 128, kFlags = 132, kReserved2 = 136, kPrefix = 138,
                      kSndid = 139, kRcvid = 140, kCurrent = 141, kRnext = 142, kKeyflags = 143;
}
namespace info {
constexpr std::size_t kSize = 48, kFlags = 0, kReserved2 = 4, kCurrent = 6, kRnext = 7, kGood = 8,
                      kBad = 16, kKeyNotFound = 24, kAoRequired = 32, kDroppedIcmp = 40;
constexpr std::uint32_t kSetCurrent = 1, kSetRnext = 2, kRequired = 4, kSetCounters = 8,
                        kAcceptIcmps = 16;
}  // namespace info
namespace getkeys {
constexpr std::size_t kSize = 304, kAlg = 128, kKey = 192, kNkeys = 272, kFlags = 276, kSndid = 278,
                      kRcvid = 279, kPrefix = 280, kMaclen = 281, kKeyflags = 282, kKeylen = 283,
                      kIfindex = 284, kGood = 288, kBad = 296;
constexpr std::uint16_t kIsCurrent = 1, kIsRnext = 2, kGetAll = 4;
}  // namespace getkeys

constexpr std::uint8_t kKeyfIfindex = 1, kKeyfExcludeOpt = 2;
constexpr std::size_t kMaxKeyLen = 80;

template <class T>
void write_at(std::span<std::uint8_t> bytes, std::size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

struct Address {
  int family = 0;
  std::array<std::uint8_t, 16> bytes{};
  std::uint16_t port = 0;
};

std::size_t address_bits(int family) {
  return family == AF_INET ? 32 : 128;
}

// The kernel parses the address with the socket's family.
int parse_address(int socket_family, std::span<const std::uint8_t> value, Address& out) {
  const std::uint16_t family = read_u16(value, 0);
  out.port = read_u16(value, 2);
  if (socket_family == AF_INET) {
    if (family != AF_INET) return EINVAL;
    out.family = AF_INET;
    std::copy_n(value.begin() + 4, 4, out.bytes.begin());
    return 0;
  }
  if (family != AF_INET6) return EINVAL;
  const auto address = value.subspan(8, 16);
  constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped.begin(), kMapped.end(), address.begin())) {
    out.family = AF_INET;
    std::copy_n(address.begin() + 12, 4, out.bytes.begin());
  } else {
    out.family = AF_INET6;
    std::copy_n(address.begin(), 16, out.bytes.begin());
  }
  return 0;
}

bool bit_at(const std::array<std::uint8_t, 16>& bytes, std::size_t bit) {
  return ((bytes[bit / 8] >> (7 - bit % 8)) & 1U) != 0;
}

int check_prefix(const Address& address, std::uint8_t prefix) {
  const std::size_t bits = address_bits(address.family);
  if (prefix > bits) return EINVAL;
  bool any = true;
  for (std::size_t bit = 0; bit < bits; ++bit) any = any && !bit_at(address.bytes, bit);
  if (prefix != 0 && any) return EINVAL;
  for (std::size_t bit = prefix; bit < bits; ++bit) {
    if (bit_at(address.bytes, bit)) return EINVAL;
  }
  return 0;
}

bool overlaps(const FakeKey& key, const Address& address, std::uint8_t prefix) {
  if (key.family != address.family) return false;
  const std::size_t common = std::min(key.prefix, prefix);
  for (std::size_t bit = 0; bit < common; ++bit) {
    if (bit_at(key.address, bit) != bit_at(address.bytes, bit)) return false;
  }
  return true;
}

bool is_tcp_ao_option(int level, int name) {
  return level == IPPROTO_TCP && name >= 38 && name <= 42;
}

std::error_code to_error(int err) {
  return err == 0 ? std::error_code{} : std::error_code(err, std::system_category());
}

}  // namespace

std::uint8_t read_u8(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return bytes[offset];
}
std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::uint16_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof(value));
  return value;
}
std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof(value));
  return value;
}
std::uint64_t read_u64(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof(value));
  return value;
}
std::int32_t read_s32(std::span<const std::uint8_t> bytes, std::size_t offset) {
  std::int32_t value = 0;
  std::memcpy(&value, bytes.data() + offset, sizeof(value));
  return value;
}
std::string read_cstring(std::span<const std::uint8_t> bytes, std::size_t offset,
                         std::size_t size) {
  const auto field = bytes.subspan(offset, size);
  const auto end = std::find(field.begin(), field.end(), std::uint8_t{0});
  return {field.begin(), end};
}

FakeKey* FakeAoInfo::find(std::optional<std::uint8_t> sndid, std::optional<std::uint8_t> rcvid) {
  for (auto& key : keys) {
    if ((!sndid || key.sndid == *sndid) && (!rcvid || key.rcvid == *rcvid)) return &key;
  }
  return nullptr;
}

int FakeKernel::add_socket(int family, TcpState state) {
  const int fd = next_fd_++;
  sockets_[fd] = FakeSocket{family, state, std::nullopt};
  return fd;
}

void FakeKernel::receive(int fd, std::uint8_t key_id, std::uint8_t rnext_key_id, bool mac_ok) {
  FakeAoInfo& ao = *socket(fd).ao;
  FakeKey* key = ao.find(std::nullopt, key_id);
  if (key == nullptr) {
    ++ao.pkt_key_not_found;
    return;
  }
  if (!mac_ok) {
    ++key->pkt_bad;
    ++ao.pkt_bad;
    return;
  }
  ++key->pkt_good;
  ++ao.pkt_good;
  if (ao.current != nullptr && ao.current->sndid != rnext_key_id) {
    if (FakeKey* next = ao.find(rnext_key_id, std::nullopt)) ao.current = next;
  }
}

std::error_code FakeKernel::set(int fd, int level, int name, std::span<const std::byte> value) {
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size());
  calls_.push_back({fd, level, name, true, {bytes.begin(), bytes.end()}, value.size()});
  if (!is_tcp_ao_option(level, name)) return to_error(ENOPROTOOPT);
  if (!supported_) return to_error(ENOPROTOOPT);
  auto found = sockets_.find(fd);
  if (found == sockets_.end()) return to_error(EBADF);
  switch (name) {
    case 38:
      return to_error(add_key(found->second, bytes));
    case 39:
      return to_error(del_key(found->second, bytes));
    case 40:
      return to_error(set_info(found->second, bytes));
    default:
      return to_error(ENOPROTOOPT);
  }
}

std::error_code FakeKernel::get(int fd, int level, int name, std::span<std::byte> buffer,
                                std::size_t& optlen) {
  const auto bytes = std::span(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size());
  const std::size_t recorded = std::min(optlen, bytes.size());
  calls_.push_back({fd, level, name, false, {bytes.begin(), bytes.begin() + recorded}, optlen});
  if (get_failure_) return *get_failure_;
  if (!is_tcp_ao_option(level, name)) return to_error(ENOPROTOOPT);
  if (!supported_) return to_error(ENOPROTOOPT);
  auto found = sockets_.find(fd);
  if (found == sockets_.end()) return to_error(EBADF);
  switch (name) {
    case 40:
      return to_error(get_info(found->second, bytes, optlen));
    case 41:
      return to_error(get_keys(found->second, bytes, optlen));
    default:
      return to_error(ENOPROTOOPT);
  }
}

common::Expected<int, std::error_code> FakeKernel::open_tcp_socket(segment::IpVersion family) {
  if (open_failure_) return common::Unexpected(*open_failure_);
  return add_socket(family == segment::IpVersion::V4 ? AF_INET : AF_INET6, TcpState::Close);
}

void FakeKernel::close_socket(int fd) {
  closed_.push_back(fd);
  sockets_.erase(fd);
}

int FakeKernel::add_key(FakeSocket& socket, std::span<const std::uint8_t> value) {
  if (value.size() < add::kSize) return EINVAL;
  const std::uint8_t keylen = read_u8(value, add::kKeylen);
  if (keylen > kMaxKeyLen) return EINVAL;
  const std::uint32_t flags = read_u32(value, add::kFlags);
  if ((flags & ~3U) != 0 || read_u16(value, add::kReserved2) != 0) return EINVAL;
  Address address;
  if (const int err = parse_address(socket.family, value, address)) return err;
  if (address.port != 0) return EINVAL;
  const std::uint8_t prefix = read_u8(value, add::kPrefix);
  if (const int err = check_prefix(address, prefix)) return err;
  const std::uint8_t keyflags = read_u8(value, add::kKeyflags);
  if ((keyflags & ~(kKeyfIfindex | kKeyfExcludeOpt)) != 0) return EINVAL;
  if ((flags & 3U) != 0 && socket.state == TcpState::Listen) return EINVAL;
  if (read_s32(value, add::kIfindex) != 0 && (keyflags & kKeyfIfindex) == 0) return EINVAL;
  const std::uint8_t sndid = read_u8(value, add::kSndid);
  const std::uint8_t rcvid = read_u8(value, add::kRcvid);
  if (socket.ao) {
    for (const auto& key : socket.ao->keys) {
      if (overlaps(key, address, prefix) && (key.rcvid == rcvid || key.sndid == sndid)) {
        return EEXIST;
      }
    }
  }
  const std::string alg = read_cstring(value, add::kAlg, 64);
  std::size_t digest = 0;
  std::string pool_name;
  if (alg == "hmac(sha1)") {
    digest = 20;
    pool_name = alg;
  } else if (alg == "cmac(aes128)") {
    digest = 16;
    pool_name = "cmac(aes)";
  } else {
    return ENOENT;  // the crypto API knows no such algorithm
  }
  std::uint8_t maclen = read_u8(value, add::kMaclen);
  if (maclen == 0) maclen = 12;
  if (maclen > digest) return EINVAL;

  const bool first = !socket.ao;
  if (first) socket.ao.emplace();
  FakeKey key;
  key.family = address.family;
  key.address = address.bytes;
  key.prefix = prefix;
  key.sndid = sndid;
  key.rcvid = rcvid;
  key.maclen = maclen;
  key.keyflags = keyflags;
  key.alg = pool_name;
  key.key.assign(value.begin() + add::kKey, value.begin() + add::kKey + keylen);
  socket.ao->keys.push_front(std::move(key));
  FakeKey* added = &socket.ao->keys.front();
  if (first && socket.state == TcpState::Established) {
    socket.ao->current = added;
    socket.ao->rnext = added;
  }
  if (flags & 1U) socket.ao->current = added;
  if (flags & 2U) socket.ao->rnext = added;
  return 0;
}

int FakeKernel::del_key(FakeSocket& socket, std::span<const std::uint8_t> value) {
  if (value.size() < del::kSize) return EINVAL;
  const std::uint32_t flags = read_u32(value, del::kFlags);
  if ((flags & ~7U) != 0 || read_u16(value, del::kReserved2) != 0) return EINVAL;
  if ((flags & 3U) != 0 && socket.state == TcpState::Listen) return EINVAL;
  const std::uint8_t keyflags = read_u8(value, del::kKeyflags);
  if ((keyflags & ~kKeyfIfindex) != 0) return EINVAL;
  if (read_s32(value, del::kIfindex) != 0 && (keyflags & kKeyfIfindex) == 0) return EINVAL;
  if (!socket.ao) return ENOENT;
  FakeAoInfo& ao = *socket.ao;
  FakeKey* new_current = nullptr;
  FakeKey* new_rnext = nullptr;
  if (flags & 1U) {
    new_current = ao.find(read_u8(value, del::kCurrent), std::nullopt);
    if (new_current == nullptr) return ENOENT;
  }
  if (flags & 2U) {
    new_rnext = ao.find(std::nullopt, read_u8(value, del::kRnext));
    if (new_rnext == nullptr) return ENOENT;
  }
  if ((flags & 4U) != 0 && socket.state != TcpState::Listen) return EINVAL;
  Address address;
  if (const int err = parse_address(socket.family, value, address)) return err;
  if (address.port != 0) return EINVAL;
  const std::uint8_t prefix = read_u8(value, del::kPrefix);
  const std::size_t address_len = address.family == AF_INET ? 4 : 16;
  for (auto it = ao.keys.begin(); it != ao.keys.end(); ++it) {
    FakeKey& key = *it;
    if (key.sndid != read_u8(value, del::kSndid) || key.rcvid != read_u8(value, del::kRcvid)) {
      continue;
    }
    if (key.family != address.family || key.prefix != prefix ||
        !std::equal(key.address.begin(), key.address.begin() + address_len,
                    address.bytes.begin())) {
      continue;
    }
    if (&key == new_current || &key == new_rnext) continue;
    if (new_current != nullptr) ao.current = new_current;
    if (new_rnext != nullptr) ao.rnext = new_rnext;
    if (ao.current == &key || ao.rnext == &key) return EBUSY;
    ao.keys.erase(it);
    return 0;
  }
  return ENOENT;
}

int FakeKernel::set_info(FakeSocket& socket, std::span<const std::uint8_t> value) {
  if (value.size() < info::kSize) return EINVAL;
  const std::uint32_t flags = read_u32(value, info::kFlags);
  if ((flags & (info::kSetCurrent | info::kSetRnext)) != 0 && socket.state == TcpState::Listen) {
    return EINVAL;
  }
  if ((flags & ~31U) != 0 || read_u16(value, info::kReserved2) != 0) return EINVAL;
  if (!socket.ao && socket.state == TcpState::Established) return EINVAL;
  const bool first = !socket.ao;
  FakeAoInfo candidate;  // becomes the socket's AO state only if the call succeeds
  FakeAoInfo& ao = first ? candidate : *socket.ao;
  FakeKey* new_current = nullptr;
  FakeKey* new_rnext = nullptr;
  if (flags & info::kSetCurrent) {
    new_current = ao.find(read_u8(value, info::kCurrent), std::nullopt);
    if (new_current == nullptr) return ENOENT;
  }
  if (flags & info::kSetRnext) {
    new_rnext = ao.find(std::nullopt, read_u8(value, info::kRnext));
    if (new_rnext == nullptr) return ENOENT;
  }
  if (flags & info::kSetCounters) {
    ao.pkt_good = read_u64(value, info::kGood);
    ao.pkt_bad = read_u64(value, info::kBad);
    ao.pkt_key_not_found = read_u64(value, info::kKeyNotFound);
    ao.pkt_ao_required = read_u64(value, info::kAoRequired);
    ao.pkt_dropped_icmp = read_u64(value, info::kDroppedIcmp);
  }
  ao.ao_required = (flags & info::kRequired) != 0;
  ao.accept_icmps = (flags & info::kAcceptIcmps) != 0;
  if (new_current != nullptr) ao.current = new_current;
  if (new_rnext != nullptr) ao.rnext = new_rnext;
  if (first) socket.ao = std::move(candidate);
  return 0;
}

int FakeKernel::get_info(FakeSocket& socket, std::span<std::uint8_t> buffer, std::size_t& optlen) {
  if (optlen == 0) return EINVAL;
  std::array<std::uint8_t, info::kSize> in{};
  std::copy_n(buffer.begin(), std::min(optlen, in.size()), in.begin());
  if ((read_u32(in, info::kFlags) & ~31U) != 0 || read_u16(in, info::kReserved2) != 0) {
    return EINVAL;
  }
  if (!socket.ao) return ENOENT;
  const FakeAoInfo& ao = *socket.ao;
  std::array<std::uint8_t, info::kSize> out{};
  std::uint32_t flags =
      (ao.ao_required ? info::kRequired : 0U) | (ao.accept_icmps ? info::kAcceptIcmps : 0U);
  if (ao.current != nullptr) {
    flags |= info::kSetCurrent;
    write_at(out, info::kCurrent, ao.current->sndid);
  }
  if (ao.rnext != nullptr) {
    flags |= info::kSetRnext;
    write_at(out, info::kRnext, ao.rnext->rcvid);
  }
  write_at(out, info::kFlags, flags);
  write_at(out, info::kGood, ao.pkt_good);
  write_at(out, info::kBad, ao.pkt_bad);
  write_at(out, info::kKeyNotFound, ao.pkt_key_not_found);
  write_at(out, info::kAoRequired, ao.pkt_ao_required);
  write_at(out, info::kDroppedIcmp, ao.pkt_dropped_icmp);
  std::copy_n(out.begin(), std::min(optlen, out.size()), buffer.begin());
  return 0;
}

int FakeKernel::get_keys(FakeSocket& socket, std::span<std::uint8_t> buffer, std::size_t& optlen) {
  if (optlen == 0 || optlen > buffer.size()) return EINVAL;
  if (!socket.ao) return ENOENT;
  std::array<std::uint8_t, getkeys::kSize> in{};
  std::copy_n(buffer.begin(), std::min(optlen, in.size()), in.begin());
  if (read_u64(in, getkeys::kGood) != 0 || read_u64(in, getkeys::kBad) != 0) return EINVAL;
  if ((read_u8(in, getkeys::kKeyflags) & ~kKeyfIfindex) != 0) return EINVAL;
  const std::uint16_t flags = read_u16(in, getkeys::kFlags);
  if ((flags & ~7U) != 0) return EINVAL;
  const bool get_all = (flags & getkeys::kGetAll) != 0;
  const bool want_current = (flags & getkeys::kIsCurrent) != 0;
  const bool want_rnext = (flags & getkeys::kIsRnext) != 0;
  // Address matching is not emulated: the backend only dumps by flag.
  if (!get_all && !want_current && !want_rnext) return EOPNOTSUPP;
  if (get_all && (want_current || want_rnext)) return EINVAL;
  if (read_u16(in, 0) != 0) return EINVAL;  // no address with a flag filter
  if (read_u8(in, getkeys::kPrefix) != 0 || read_u8(in, getkeys::kSndid) != 0 ||
      read_u8(in, getkeys::kRcvid) != 0) {
    return EINVAL;
  }
  const std::uint32_t max_keys = read_u32(in, getkeys::kNkeys);
  const std::size_t stride = optlen;
  const std::size_t bytes_to_write = std::min<std::size_t>(optlen, getkeys::kSize);
  const FakeAoInfo& ao = *socket.ao;
  std::uint32_t matched = 0;
  for (const auto& key : ao.keys) {
    const bool match =
        get_all || (want_current && &key == ao.current) || (want_rnext && &key == ao.rnext);
    if (!match || ++matched > max_keys) continue;
    const std::size_t offset = (matched - 1) * stride;
    if (offset + bytes_to_write > buffer.size()) return EFAULT;
    std::array<std::uint8_t, getkeys::kSize> out{};
    const std::uint16_t family = static_cast<std::uint16_t>(key.family);
    write_at(out, 0, family);
    if (key.family == AF_INET) {
      std::copy_n(key.address.begin(), 4, out.begin() + 4);
    } else {
      std::copy_n(key.address.begin(), 16, out.begin() + 8);
    }
    std::copy(key.alg.begin(), key.alg.end(), out.begin() + getkeys::kAlg);
    std::copy(key.key.begin(), key.key.end(), out.begin() + getkeys::kKey);
    const std::uint16_t key_flags =
        (&key == ao.current ? getkeys::kIsCurrent : 0) | (&key == ao.rnext ? getkeys::kIsRnext : 0);
    write_at(out, getkeys::kFlags, key_flags);
    write_at(out, getkeys::kSndid, key.sndid);
    write_at(out, getkeys::kRcvid, key.rcvid);
    write_at(out, getkeys::kPrefix, key.prefix);
    write_at(out, getkeys::kMaclen, key.maclen);
    write_at(out, getkeys::kKeyflags, key.keyflags);
    write_at(out, getkeys::kKeylen, static_cast<std::uint8_t>(key.key.size()));
    write_at(out, getkeys::kIfindex, std::int32_t{0});
    write_at(out, getkeys::kGood, key.pkt_good);
    write_at(out, getkeys::kBad, key.pkt_bad);
    std::copy_n(out.begin(), bytes_to_write, buffer.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  optlen = getkeys::kSize;
  write_at(buffer, getkeys::kNkeys, matched);
  return 0;
}

}  // namespace aotls::backend::testing
