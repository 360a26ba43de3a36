// aotls/backend/linux_tcp_ao_uapi.hpp - our own definitions of the Linux
// TCP-AO socket options (include/uapi/linux/tcp.h, Linux >= 6.7).
//
// Why our own: this machine's linux-libc-dev (6.1) predates TCP-AO, and the
// uAPI is a stable ABI (specs digest section 5.1). The structs below are
// written from the specs digest section 5.3 layout, field for field; every
// size and offset is pinned by a static_assert so that a mistake cannot
// compile.
//
// Linux declares the flag words as C bit-fields. We declare them as plain
// integers and name their bits with constants: a bit-field's bit number
// depends on the ABI's allocation order (from the least significant bit on
// little-endian targets, from the most significant bit on big-endian ones),
// which bitfield_bit() reproduces.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace aotls::backend::uapi {

// setsockopt/getsockopt names at level IPPROTO_TCP.
inline constexpr int kTcpAoAddKey = 38;   // setsockopt: add an MKT
inline constexpr int kTcpAoDelKey = 39;   // setsockopt: delete an MKT
inline constexpr int kTcpAoInfo = 40;     // set/getsockopt: per-socket state and counters
inline constexpr int kTcpAoGetKeys = 41;  // getsockopt: list MKTs with per-key counters
inline constexpr int kTcpAoRepair = 42;   // set/getsockopt: ISNs and SNEs (TCP_REPAIR only)

inline constexpr std::size_t kTcpAoMaxKeyLen = 80;
inline constexpr std::size_t kAlgNameLen = 64;
inline constexpr std::size_t kSockaddrStorageLen = 128;

// keyflags
inline constexpr std::uint8_t kKeyfIfindex = 1U << 0;     // key bound to an L3 (VRF) device
inline constexpr std::uint8_t kKeyfExcludeOpt = 1U << 1;  // options other than TCP-AO not MACed

// Kernel crypto names. Linux maps "cmac(aes128)" to cmac(aes) plus the RFC
// 5926 section 3.1.1.2 key normalisation for keys that are not 16 bytes;
// plain "cmac(aes)" would refuse such keys. Only these two names survive
// the pending move of TCP-AO to the crypto library (specs digest 5.1).
inline constexpr std::string_view kAlgHmacSha1 = "hmac(sha1)";
inline constexpr std::string_view kAlgAesCmac128 = "cmac(aes128)";
// What TCP_AO_GET_KEYS reports for a key added as "cmac(aes128)".
inline constexpr std::string_view kAlgAesCmacReported = "cmac(aes)";

// The mask of bit-field member number `index` (0 = first declared) inside a
// flag word of type Word.
template <class Word>
constexpr Word bitfield_bit(unsigned index) {
  constexpr unsigned kBits = sizeof(Word) * 8;
  static_assert(std::endian::native == std::endian::little ||
                std::endian::native == std::endian::big);
  const unsigned position = std::endian::native == std::endian::little ? index : kBits - 1 - index;
  return static_cast<Word>(Word{1} << position);
}

// __kernel_sockaddr_storage: 128 bytes, aligned like a pointer.
using SockaddrStorage = std::array<std::uint8_t, kSockaddrStorageLen>;

// struct tcp_ao_add (TCP_AO_ADD_KEY).
struct alignas(8) TcpAoAdd {
  SockaddrStorage addr;  // peer; port must be 0
  std::array<char, kAlgNameLen> alg_name;
  std::int32_t ifindex;  // needs kKeyfIfindex when non-zero
  std::uint32_t flags;   // set_current:1, set_rnext:1, reserved:30
  std::uint16_t reserved2;
  std::uint8_t prefix;
  std::uint8_t sndid;
  std::uint8_t rcvid;
  std::uint8_t maclen;  // 0 means 12
  std::uint8_t keyflags;
  std::uint8_t keylen;
  std::array<std::uint8_t, kTcpAoMaxKeyLen> key;
};
inline constexpr std::uint32_t kAddSetCurrent = bitfield_bit<std::uint32_t>(0);
inline constexpr std::uint32_t kAddSetRnext = bitfield_bit<std::uint32_t>(1);

// struct tcp_ao_del (TCP_AO_DEL_KEY).
struct alignas(8) TcpAoDel {
  SockaddrStorage addr;
  std::int32_t ifindex;
  std::uint32_t flags;  // set_current:1, set_rnext:1, del_async:1, reserved:29
  std::uint16_t reserved2;
  std::uint8_t prefix;
  std::uint8_t sndid;
  std::uint8_t rcvid;
  std::uint8_t current_key;  // SendID to make Current_key (with set_current)
  std::uint8_t rnext;        // RecvID to make RNext_key (with set_rnext)
  std::uint8_t keyflags;
};
inline constexpr std::uint32_t kDelSetCurrent = bitfield_bit<std::uint32_t>(0);
inline constexpr std::uint32_t kDelSetRnext = bitfield_bit<std::uint32_t>(1);
inline constexpr std::uint32_t kDelAsync = bitfield_bit<std::uint32_t>(2);

// struct tcp_ao_info_opt (TCP_AO_INFO).
struct alignas(8) TcpAoInfoOpt {
  std::uint32_t
      flags;  // set_current, set_rnext, ao_required, set_counters, accept_icmps, reserved:27
  std::uint16_t reserved2;
  std::uint8_t current_key;  // SendID of Current_key
  std::uint8_t rnext;        // RecvID of RNext_key
  std::uint64_t pkt_good;
  std::uint64_t pkt_bad;
  std::uint64_t pkt_key_not_found;
  std::uint64_t pkt_ao_required;
  std::uint64_t pkt_dropped_icmp;
};
inline constexpr std::uint32_t kInfoSetCurrent = bitfield_bit<std::uint32_t>(0);
inline constexpr std::uint32_t kInfoSetRnext = bitfield_bit<std::uint32_t>(1);
inline constexpr std::uint32_t kInfoAoRequired = bitfield_bit<std::uint32_t>(2);
inline constexpr std::uint32_t kInfoSetCounters = bitfield_bit<std::uint32_t>(3);
inline constexpr std::uint32_t kInfoAcceptIcmps = bitfield_bit<std::uint32_t>(4);

// struct tcp_ao_getsockopt (TCP_AO_GET_KEYS). optval is an array of these,
// optlen the size of one; element 0 is the filter on input, and its nkeys
// (array capacity in) comes back as the number of keys that matched.
struct alignas(8) TcpAoGetsockopt {
  SockaddrStorage addr;
  std::array<char, kAlgNameLen> alg_name;
  std::array<std::uint8_t, kTcpAoMaxKeyLen> key;  // the kernel returns key material
  std::uint32_t nkeys;
  std::uint16_t flags;  // is_current:1, is_rnext:1, get_all:1, reserved:13
  std::uint8_t sndid;
  std::uint8_t rcvid;
  std::uint8_t prefix;
  std::uint8_t maclen;
  std::uint8_t keyflags;
  std::uint8_t keylen;
  std::int32_t ifindex;
  std::uint64_t pkt_good;
  std::uint64_t pkt_bad;
};
inline constexpr std::uint16_t kGetIsCurrent = bitfield_bit<std::uint16_t>(0);
inline constexpr std::uint16_t kGetIsRnext = bitfield_bit<std::uint16_t>(1);
inline constexpr std::uint16_t kGetAll = bitfield_bit<std::uint16_t>(2);

// struct tcp_ao_repair (TCP_AO_REPAIR); the ISNs are in network byte order.
struct alignas(8) TcpAoRepair {
  std::uint32_t snt_isn;
  std::uint32_t rcv_isn;
  std::uint32_t snd_sne;
  std::uint32_t rcv_sne;
};

static_assert(sizeof(TcpAoAdd) == 288 && alignof(TcpAoAdd) == 8);
static_assert(offsetof(TcpAoAdd, alg_name) == 128 && offsetof(TcpAoAdd, ifindex) == 192 &&
              offsetof(TcpAoAdd, flags) == 196 && offsetof(TcpAoAdd, reserved2) == 200 &&
              offsetof(TcpAoAdd, prefix) == 202 && offsetof(TcpAoAdd, sndid) == 203 &&
              offsetof(TcpAoAdd, rcvid) == 204 && offsetof(TcpAoAdd, maclen) == 205 &&
              offsetof(TcpAoAdd, keyflags) == 206 && offsetof(TcpAoAdd, keylen) == 207 &&
              offsetof(TcpAoAdd, key) == 208);

static_assert(sizeof(TcpAoDel) == 144 && alignof(TcpAoDel) == 8);
static_assert(offsetof(TcpAoDel, ifindex) == 128 && offsetof(TcpAoDel, flags) == 132 &&
              offsetof(TcpAoDel, reserved2) == 136 && offsetof(TcpAoDel, prefix) == 138 &&
              offsetof(TcpAoDel, sndid) == 139 && offsetof(TcpAoDel, rcvid) == 140 &&
              offsetof(TcpAoDel, current_key) == 141 && offsetof(TcpAoDel, rnext) == 142 &&
              offsetof(TcpAoDel, keyflags) == 143);

static_assert(sizeof(TcpAoInfoOpt) == 48 && alignof(TcpAoInfoOpt) == 8);
static_assert(offsetof(TcpAoInfoOpt, reserved2) == 4 && offsetof(TcpAoInfoOpt, current_key) == 6 &&
              offsetof(TcpAoInfoOpt, rnext) == 7 && offsetof(TcpAoInfoOpt, pkt_good) == 8 &&
              offsetof(TcpAoInfoOpt, pkt_bad) == 16 &&
              offsetof(TcpAoInfoOpt, pkt_key_not_found) == 24 &&
              offsetof(TcpAoInfoOpt, pkt_ao_required) == 32 &&
              offsetof(TcpAoInfoOpt, pkt_dropped_icmp) == 40);

static_assert(sizeof(TcpAoGetsockopt) == 304 && alignof(TcpAoGetsockopt) == 8);
static_assert(offsetof(TcpAoGetsockopt, alg_name) == 128 && offsetof(TcpAoGetsockopt, key) == 192 &&
              offsetof(TcpAoGetsockopt, nkeys) == 272 && offsetof(TcpAoGetsockopt, flags) == 276 &&
              offsetof(TcpAoGetsockopt, sndid) == 278 && offsetof(TcpAoGetsockopt, rcvid) == 279 &&
              offsetof(TcpAoGetsockopt, prefix) == 280 &&
              offsetof(TcpAoGetsockopt, maclen) == 281 &&
              offsetof(TcpAoGetsockopt, keyflags) == 282 &&
              offsetof(TcpAoGetsockopt, keylen) == 283 &&
              offsetof(TcpAoGetsockopt, ifindex) == 284 &&
              offsetof(TcpAoGetsockopt, pkt_good) == 288 &&
              offsetof(TcpAoGetsockopt, pkt_bad) == 296);

static_assert(sizeof(TcpAoRepair) == 16 && alignof(TcpAoRepair) == 8);

}  // namespace aotls::backend::uapi
