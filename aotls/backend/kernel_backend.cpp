// aotls/backend/kernel_backend.cpp - see kernel_backend.hpp.
#include "aotls/backend/kernel_backend.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "aotls/backend/linux_tcp_ao_uapi.hpp"
#include "aotls/backend/wiped.hpp"
#include "aotls/crypto/algorithms.hpp"

namespace aotls::backend {
namespace {

using segment::IpVersion;

std::error_code last_errno() {
  return {errno, std::system_category()};
}

// ---- addresses ----

template <class Sockaddr>
void store(uapi::SockaddrStorage& out, const Sockaddr& address) {
  static_assert(sizeof(Sockaddr) <= sizeof(uapi::SockaddrStorage));
  std::memcpy(out.data(), &address, sizeof(address));
}

// The peer as Linux reads it for a socket of `socket_family` (the kernel
// parses the address with the socket's family): an IPv4 peer of an IPv6
// socket goes as an IPv4-mapped address, whose prefix still counts the
// IPv4 bits; the wildcard of an IPv6 socket is ::/0.
std::error_code encode_peer(uapi::SockaddrStorage& out, const PeerPrefix& peer,
                            IpVersion socket_family) {
  if (const std::error_code ec = validate(peer)) return ec;
  const auto bytes = peer.address.bytes();
  if (socket_family == IpVersion::V4) {
    if (peer.address.version() != IpVersion::V4) return BackendErrc::AddressFamilyMismatch;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    std::memcpy(&address.sin_addr, bytes.data(), bytes.size());
    store(out, address);
    return {};
  }
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  if (peer.address.version() == IpVersion::V6) {
    std::memcpy(&address.sin6_addr, bytes.data(), bytes.size());
  } else if (peer.prefix_len != 0) {
    constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
    std::memcpy(&address.sin6_addr, kV4MappedPrefix.data(), kV4MappedPrefix.size());
    std::memcpy(reinterpret_cast<std::uint8_t*>(&address.sin6_addr) + kV4MappedPrefix.size(),
                bytes.data(), bytes.size());
  }
  store(out, address);
  return {};
}

// Keys come back with the family they were stored under (IPv4-mapped
// peers as AF_INET).
std::optional<PeerPrefix> decode_peer(const uapi::SockaddrStorage& in, std::uint8_t prefix) {
  sa_family_t family{};
  std::memcpy(&family, in.data(), sizeof(family));
  std::span<const std::uint8_t> bytes;
  if (family == AF_INET) {
    bytes = std::span(in).subspan(offsetof(sockaddr_in, sin_addr), 4);
  } else if (family == AF_INET6) {
    bytes = std::span(in).subspan(offsetof(sockaddr_in6, sin6_addr), 16);
  } else {
    return std::nullopt;
  }
  auto address = segment::IpAddress::from_bytes(bytes);
  if (!address) return std::nullopt;
  return PeerPrefix{*address, prefix};
}

// ---- algorithms ----

std::string_view kernel_alg_name(crypto::MacAlgorithm mac) {
  return mac == crypto::MacAlgorithm::HmacSha1_96 ? uapi::kAlgHmacSha1 : uapi::kAlgAesCmac128;
}

// TCP_AO_GET_KEYS reports the crypto pool's name.
std::optional<crypto::MacAlgorithm> mac_from_kernel_name(
    const std::array<char, uapi::kAlgNameLen>& name) {
  const std::string_view text(name.data(), strnlen(name.data(), name.size()));
  if (text == uapi::kAlgHmacSha1) return crypto::MacAlgorithm::HmacSha1_96;
  if (text == uapi::kAlgAesCmac128 || text == uapi::kAlgAesCmacReported)
    return crypto::MacAlgorithm::AesCmac128_96;
  return std::nullopt;
}

// ---- TCP_AO_GET_KEYS ----

// The array the kernel fills, wiped because it returns key material.
struct KeyList {
  explicit KeyList(std::size_t capacity) : entries(capacity) {}
  ~KeyList() { wipe_bytes(entries.data(), entries.size() * sizeof(uapi::TcpAoGetsockopt)); }
  KeyList(const KeyList&) = delete;
  KeyList& operator=(const KeyList&) = delete;

  std::vector<uapi::TcpAoGetsockopt> entries;
};

constexpr std::size_t kInitialKeyCapacity = 8;
// Keys may be added between two reads; a few retries, then give up.
constexpr int kKeyListAttempts = 4;

KeyCounters to_counters(const uapi::TcpAoGetsockopt& entry, const PeerPrefix& peer) {
  return KeyCounters{.peer = peer,
                     .send_id = entry.sndid,
                     .recv_id = entry.rcvid,
                     .mac = mac_from_kernel_name(entry.alg_name),
                     .include_options = (entry.keyflags & uapi::kKeyfExcludeOpt) == 0,
                     .is_current = (entry.flags & uapi::kGetIsCurrent) != 0,
                     .is_rnext = (entry.flags & uapi::kGetIsRnext) != 0,
                     .good = entry.pkt_good,
                     .bad_mac = entry.pkt_bad};
}

std::string probe_failure(std::string_view what, const std::error_code& ec) {
  return std::string(what) + ": " + ec.message();
}

}  // namespace

// ---- SystemSocketOptions ----

std::error_code SystemSocketOptions::set(int fd, int level, int name,
                                         std::span<const std::byte> value) {
  if (::setsockopt(fd, level, name, value.data(), static_cast<socklen_t>(value.size())) != 0) {
    return last_errno();
  }
  return {};
}

std::error_code SystemSocketOptions::get(int fd, int level, int name, std::span<std::byte> buffer,
                                         std::size_t& optlen) {
  // The kernel writes whole elements of optlen bytes: never more than the buffer.
  if (optlen > buffer.size()) return std::make_error_code(std::errc::invalid_argument);
  auto length = static_cast<socklen_t>(optlen);
  if (::getsockopt(fd, level, name, buffer.data(), &length) != 0) return last_errno();
  optlen = length;
  return {};
}

common::Expected<int, std::error_code> SystemSocketOptions::open_tcp_socket(IpVersion family) {
  const int fd = ::socket(family == IpVersion::V4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC,
                          IPPROTO_TCP);
  if (fd < 0) return common::Unexpected(last_errno());
  return fd;
}

void SystemSocketOptions::close_socket(int fd) {
  ::close(fd);
}

// ---- probe ----

ProbeResult probe_kernel_tcp_ao(SocketOptions& options) {
  auto fd = options.open_tcp_socket(IpVersion::V4);
  if (!fd) return {false, probe_failure("cannot open a TCP socket to probe TCP-AO", fd.error())};
  uapi::TcpAoInfoOpt info{};
  std::size_t optlen = sizeof(info);
  const std::error_code ec = options.get(*fd, IPPROTO_TCP, uapi::kTcpAoInfo,
                                         std::as_writable_bytes(std::span(&info, 1)), optlen);
  options.close_socket(*fd);
  if (!ec || ec == std::errc::no_such_file_or_directory) {
    return {true, "kernel TCP-AO present (TCP_AO_INFO on a fresh socket: no AO state yet)"};
  }
  if (ec == std::errc::no_protocol_option) {
    return {false,
            "kernel without TCP-AO: TCP_AO_INFO gives ENOPROTOOPT (Linux < 6.7 or "
            "CONFIG_TCP_AO not set)"};
  }
  return {false, probe_failure("getsockopt(TCP_AO_INFO) failed", ec)};
}

// ---- KernelAoSocket ----

KernelAoSocket::KernelAoSocket(SocketOptions& options, const SocketSetup& setup)
    : options_(options), setup_(setup) {}

template <class T>
std::error_code KernelAoSocket::set_option(int name, const T& value) {
  return options_.set(setup_.fd, IPPROTO_TCP, name, std::as_bytes(std::span(&value, 1)));
}

template <class T>
std::error_code KernelAoSocket::get_option(int name, T& value) {
  std::size_t optlen = sizeof(T);
  return options_.get(setup_.fd, IPPROTO_TCP, name, std::as_writable_bytes(std::span(&value, 1)),
                      optlen);
}

std::error_code KernelAoSocket::add_key(const PeerPrefix& peer, const keys::Mkt& mkt) {
  // Linux derives traffic keys with the KDF of the MAC's own PRF, so only
  // the profile's matched pairs can be expressed (specs digest 7.7).
  if (!crypto::check_algorithm_pair(mkt.params.mac, mkt.params.kdf)) {
    return BackendErrc::UnsupportedAlgorithm;
  }
  const auto secret = mkt.secret.bytes();
  if (secret.empty() || secret.size() > uapi::kTcpAoMaxKeyLen) return BackendErrc::BadKeyLength;

  Wiped<uapi::TcpAoAdd> command;
  if (const std::error_code ec = encode_peer(command->addr, peer, setup_.family)) return ec;
  const std::string_view alg = kernel_alg_name(mkt.params.mac);
  std::copy(alg.begin(), alg.end(), command->alg_name.begin());
  command->prefix = peer.prefix_len;
  command->sndid = mkt.send_id;
  command->rcvid = mkt.recv_id;
  command->maclen = static_cast<std::uint8_t>(crypto::algorithm_row(mkt.params.mac).mac_len);
  // RFC 5925 section 3.1 "TCP option flag": excluded options are the flag off.
  command->keyflags = mkt.params.include_options ? 0 : uapi::kKeyfExcludeOpt;
  command->keylen = static_cast<std::uint8_t>(secret.size());
  std::copy(secret.begin(), secret.end(), command->key.begin());
  return set_option(uapi::kTcpAoAddKey, *command);
}

std::error_code KernelAoSocket::delete_key(const PeerPrefix& peer, keys::KeyId send_id,
                                           keys::KeyId recv_id, const KeyReplacement& replacement) {
  const bool moves_keys = replacement.current_send_id || replacement.rnext_recv_id;
  if (moves_keys && setup_.role == SocketRole::Listener) return BackendErrc::ListeningSocket;
  uapi::TcpAoDel command{};
  if (const std::error_code ec = encode_peer(command.addr, peer, setup_.family)) return ec;
  command.prefix = peer.prefix_len;
  command.sndid = send_id;
  command.rcvid = recv_id;
  if (replacement.current_send_id) {
    command.flags |= uapi::kDelSetCurrent;
    command.current_key = *replacement.current_send_id;
  }
  if (replacement.rnext_recv_id) {
    command.flags |= uapi::kDelSetRnext;
    command.rnext = *replacement.rnext_recv_id;
  }
  return set_option(uapi::kTcpAoDelKey, command);
}

std::error_code KernelAoSocket::switch_key(std::uint32_t set_flag, keys::KeyId id) {
  if (setup_.role == SocketRole::Listener) return BackendErrc::ListeningSocket;
  uapi::TcpAoInfoOpt current{};
  if (const std::error_code ec = get_option(uapi::kTcpAoInfo, current)) return ec;
  // Specs digest 5.4: every TCP_AO_INFO write also writes ao_required and
  // accept_icmps, so carry the values just read; counters stay untouched.
  uapi::TcpAoInfoOpt command{};
  command.flags = set_flag | (current.flags & (uapi::kInfoAoRequired | uapi::kInfoAcceptIcmps));
  if (set_flag == uapi::kInfoSetCurrent) {
    command.current_key = id;
  } else {
    command.rnext = id;
  }
  return set_option(uapi::kTcpAoInfo, command);
}

std::error_code KernelAoSocket::set_current(keys::KeyId send_id) {
  return switch_key(uapi::kInfoSetCurrent, send_id);
}

std::error_code KernelAoSocket::set_rnext(keys::KeyId recv_id) {
  return switch_key(uapi::kInfoSetRnext, recv_id);
}

common::Expected<ConnectionStatus, std::error_code> KernelAoSocket::status() {
  uapi::TcpAoInfoOpt info{};
  if (const std::error_code ec = get_option(uapi::kTcpAoInfo, info)) return common::Unexpected(ec);
  ConnectionStatus status;
  status.key_not_found = info.pkt_key_not_found;
  status.ao_required_missing = info.pkt_ao_required;
  status.icmp_ignored = info.pkt_dropped_icmp;
  if (info.flags & uapi::kInfoSetCurrent) status.current_key_id = info.current_key;
  if (info.flags & uapi::kInfoSetRnext) status.rnext_key_id = info.rnext;
  return status;
}

common::Expected<std::vector<KeyCounters>, std::error_code> KernelAoSocket::key_counters() {
  std::size_t capacity = kInitialKeyCapacity;
  for (int attempt = 0; attempt < kKeyListAttempts; ++attempt) {
    KeyList list(capacity);
    uapi::TcpAoGetsockopt& filter = list.entries.front();
    filter.nkeys = static_cast<std::uint32_t>(capacity);
    filter.flags = uapi::kGetAll;
    std::size_t optlen = sizeof(uapi::TcpAoGetsockopt);
    const std::error_code ec =
        options_.get(setup_.fd, IPPROTO_TCP, uapi::kTcpAoGetKeys,
                     std::as_writable_bytes(std::span(list.entries)), optlen);
    if (ec) return common::Unexpected(ec);
    const std::size_t matched = list.entries.front().nkeys;
    if (matched > capacity) {
      capacity = matched;
      continue;
    }
    std::vector<KeyCounters> keys;
    for (std::size_t i = 0; i < matched; ++i) {
      const auto& entry = list.entries[i];
      const auto peer = decode_peer(entry.addr, entry.prefix);
      if (!peer)
        return common::Unexpected(std::make_error_code(std::errc::address_family_not_supported));
      keys.push_back(to_counters(entry, *peer));
    }
    return keys;
  }
  return common::Unexpected(std::make_error_code(std::errc::resource_unavailable_try_again));
}

// ---- KernelBackend ----

std::unique_ptr<TcpAoSocket> KernelBackend::attach(const SocketSetup& setup) {
  return std::make_unique<KernelAoSocket>(options_, setup);
}

}  // namespace aotls::backend
