// tests/unit/backend/fake_kernel.hpp - a fake SocketOptions layer that
// decodes the bytes the kernel backend passes, the way Linux does, and
// keeps Linux's TCP-AO rules.
//
// The decoding reads fields at the literal x86-64 offsets of the specs
// digest section 5.3 (not through our uapi structs), so a layout mistake in
// aotls/backend/linux_tcp_ao_uapi.hpp shows up as a wrong field here.
// Rules kept (net/ipv4/tcp_ao.c as the specs digest 5.4 reads it):
//  - all of socket options 38-42 answer ENOPROTOOPT on a kernel without TCP-AO;
//  - ADD: size, reserved fields, address family = the socket's (IPv4-mapped
//    IPv6 becomes IPv4), port 0, prefix/host bits, keyflags, keylen <= 80,
//    known alg names, EINVAL for set_current/set_rnext on LISTEN, EEXIST when
//    the SendID or RecvID is used by a key of an overlapping peer; keys are
//    head-inserted; the first key of a connected socket becomes Current_key
//    and RNext_key;
//  - DEL: exact match or ENOENT, EBUSY for Current_key/RNext_key unless the
//    same call moves them, EINVAL for set_current/set_rnext on LISTEN;
//  - INFO set: ENOENT for unknown IDs, always writes ao_required and
//    accept_icmps; INFO get: ENOENT without AO state;
//  - GET_KEYS: get_all / is_current / is_rnext filters, array stride =
//    optlen, matched count written into element 0's nkeys.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "aotls/backend/kernel_backend.hpp"

namespace aotls::backend::testing {

enum class TcpState { Close, Listen, Established };

struct FakeKey {
  int family = 0;  // AF_INET or AF_INET6, after IPv4-mapped addresses are unmapped
  std::array<std::uint8_t, 16> address{};
  std::uint8_t prefix = 0;
  std::uint8_t sndid = 0;
  std::uint8_t rcvid = 0;
  std::uint8_t maclen = 0;
  std::uint8_t keyflags = 0;
  std::string alg;  // the crypto pool's name, as TCP_AO_GET_KEYS reports it
  std::vector<std::uint8_t> key;
  std::uint64_t pkt_good = 0;
  std::uint64_t pkt_bad = 0;
};

struct FakeAoInfo {
  std::list<FakeKey> keys;  // front: most recently added
  FakeKey* current = nullptr;
  FakeKey* rnext = nullptr;
  bool ao_required = false;
  bool accept_icmps = false;
  std::uint64_t pkt_good = 0;
  std::uint64_t pkt_bad = 0;
  std::uint64_t pkt_key_not_found = 0;
  std::uint64_t pkt_ao_required = 0;
  std::uint64_t pkt_dropped_icmp = 0;

  FakeKey* find(std::optional<std::uint8_t> sndid, std::optional<std::uint8_t> rcvid);
};

struct FakeSocket {
  int family = 0;  // AF_INET or AF_INET6
  TcpState state = TcpState::Close;
  std::optional<FakeAoInfo> ao;
};

struct RecordedCall {
  int fd = -1;
  int level = 0;
  int name = 0;
  bool is_set = false;
  std::vector<std::uint8_t> bytes;  // set: the value; get: the input buffer
  std::size_t optlen = 0;           // get: the optlen passed in
};

class FakeKernel final : public SocketOptions {
 public:
  explicit FakeKernel(bool tcp_ao_supported = true) : supported_(tcp_ao_supported) {}

  int add_socket(int family, TcpState state);
  FakeSocket& socket(int fd) { return sockets_.at(fd); }
  const std::vector<RecordedCall>& calls() const { return calls_; }
  const std::vector<int>& closed() const { return closed_; }
  void fail_open(std::error_code ec) { open_failure_ = ec; }
  void fail_getsockopt(std::error_code ec) { get_failure_ = ec; }

  // A received segment on an established socket (RFC 5925 section 7.5.2 as
  // Linux does it): key by RecvID == KeyID, counters, and Current_key moves
  // to the key whose SendID is the segment's RNextKeyID.
  void receive(int fd, std::uint8_t key_id, std::uint8_t rnext_key_id, bool mac_ok);

  std::error_code set(int fd, int level, int name, std::span<const std::byte> value) override;
  std::error_code get(int fd, int level, int name, std::span<std::byte> buffer,
                      std::size_t& optlen) override;
  common::Expected<int, std::error_code> open_tcp_socket(segment::IpVersion family) override;
  void close_socket(int fd) override;

 private:
  int add_key(FakeSocket& socket, std::span<const std::uint8_t> value);
  int del_key(FakeSocket& socket, std::span<const std::uint8_t> value);
  int set_info(FakeSocket& socket, std::span<const std::uint8_t> value);
  int get_info(FakeSocket& socket, std::span<std::uint8_t> buffer, std::size_t& optlen);
  int get_keys(FakeSocket& socket, std::span<std::uint8_t> buffer, std::size_t& optlen);

  bool supported_;
  int next_fd_ = 100;
  std::map<int, FakeSocket> sockets_;
  std::vector<RecordedCall> calls_;
  std::vector<int> closed_;
  std::optional<std::error_code> open_failure_;
  std::optional<std::error_code> get_failure_;
};

// Little helpers to read fields of recorded bytes at a literal offset.
std::uint8_t read_u8(std::span<const std::uint8_t> bytes, std::size_t offset);
std::uint16_t read_u16(std::span<const std::uint8_t> bytes, std::size_t offset);
std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t offset);
std::uint64_t read_u64(std::span<const std::uint8_t> bytes, std::size_t offset);
std::int32_t read_s32(std::span<const std::uint8_t> bytes, std::size_t offset);
// NUL-terminated string in a fixed field.
std::string read_cstring(std::span<const std::uint8_t> bytes, std::size_t offset, std::size_t size);

}  // namespace aotls::backend::testing
