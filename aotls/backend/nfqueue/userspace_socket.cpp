// aotls/backend/nfqueue/userspace_socket.cpp - see userspace_socket.hpp.
#include "aotls/backend/nfqueue/userspace_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string>

namespace aotls::backend::nfqueue {
namespace {

class AttachCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "aotls.userspace-attach"; }
  std::string message(int value) const override {
    switch (static_cast<AttachErrc>(value)) {
      case AttachErrc::NotBound:
        return "socket not bound to a local port: the userspace TCP-AO backend keys "
               "connections by 4-tuple, bind() before attaching";
      case AttachErrc::WildcardLocalAddress:
        return "connection socket bound to the wildcard address: the userspace TCP-AO "
               "backend needs the source address, bind() a specific one before attaching";
      case AttachErrc::UnknownPeer:
        return "connection socket's peer unknown: set SocketSetup remote_addr/remote_port "
               "before connect()";
      case AttachErrc::FlowInUse:
        return "another attached socket already holds this 4-tuple";
    }
    return "unknown aotls.userspace-attach error";
  }
};

std::error_code last_errno() {
  return {errno, std::system_category()};
}

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// ::ffff:a.b.c.d -> a.b.c.d; any other address unchanged.
segment::IpAddress unmapped(const segment::IpAddress& address) {
  const auto bytes = address.bytes();
  if (address.version() != segment::IpVersion::V6 ||
      !std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin()))
    return address;
  return *segment::IpAddress::from_bytes(bytes.subspan(kV4MappedPrefix.size()));
}

common::Expected<SocketEnd, std::error_code> from_sockaddr(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET) {
    sockaddr_in in{};
    std::memcpy(&in, &storage, sizeof(in));
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&in.sin_addr);
    return SocketEnd{*segment::IpAddress::from_bytes(std::span(bytes, 4)), ntohs(in.sin_port)};
  }
  if (storage.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &storage, sizeof(in6));
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr);
    return SocketEnd{unmapped(*segment::IpAddress::from_bytes(std::span(bytes, 16))),
                     ntohs(in6.sin6_port)};
  }
  return common::Unexpected(std::make_error_code(std::errc::address_family_not_supported));
}

template <typename Call>
common::Expected<SocketEnd, std::error_code> socket_end(int fd, Call call) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (call(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0)
    return common::Unexpected(last_errno());
  return from_sockaddr(storage);
}

bool unspecified(const segment::IpAddress& address) {
  const auto bytes = address.bytes();
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::error_code no_ao_state() {
  return std::make_error_code(std::errc::no_such_file_or_directory);
}

}  // namespace

const std::error_category& attach_category() {
  static const AttachCategory category;
  return category;
}

std::error_code make_error_code(AttachErrc errc) {
  return {static_cast<int>(errc), attach_category()};
}

common::Expected<SocketEnd, std::error_code> local_end(int fd) {
  return socket_end(fd, ::getsockname);
}

common::Expected<SocketEnd, std::error_code> remote_end(int fd) {
  return socket_end(fd, ::getpeername);
}

common::Expected<SocketEnd, std::error_code> listener_end(const SocketSetup& setup) {
  auto local = local_end(setup.fd);
  if (!local) return local;
  if (local->port == 0) return common::Unexpected(make_error_code(AttachErrc::NotBound));
  return local;
}

common::Expected<userspace::FlowTuple, std::error_code> connection_flow(const SocketSetup& setup) {
  const auto local = listener_end(setup);
  if (!local) return common::Unexpected(local.error());
  if (unspecified(local->address))
    return common::Unexpected(make_error_code(AttachErrc::WildcardLocalAddress));
  SocketEnd remote{local->address, setup.remote_port};
  if (setup.remote_addr) {
    // The caller's address follows the same IPv4-mapped rule.
    remote.address = unmapped(*setup.remote_addr);
  } else {
    auto peer = remote_end(setup.fd);
    if (!peer) return common::Unexpected(make_error_code(AttachErrc::UnknownPeer));
    remote = *peer;
  }
  if (remote.port == 0) return common::Unexpected(make_error_code(AttachErrc::UnknownPeer));
  return userspace::FlowTuple{local->address, remote.address, local->port, remote.port};
}

// ---- UserspaceAoSocket ----

template <typename Fn, typename Result>
Result UserspaceAoSocket::on_ring(Fn&& fn, Result missing) {
  return processor_.with_engine([&](userspace::UserspaceTcpAo& engine) -> Result {
    userspace::KeyRing* ring = engine.keys(id_);
    if (ring == nullptr) return missing;
    return std::forward<Fn>(fn)(*ring);
  });
}

std::error_code UserspaceAoSocket::add_key(const PeerPrefix& peer, const keys::Mkt& mkt) {
  return on_ring([&](userspace::KeyRing& ring) { return ring.add_key(peer, mkt); }, no_ao_state());
}

std::error_code UserspaceAoSocket::delete_key(const PeerPrefix& peer, keys::KeyId send_id,
                                              keys::KeyId recv_id,
                                              const KeyReplacement& replacement) {
  return on_ring(
      [&](userspace::KeyRing& ring) {
        return ring.delete_key(peer, send_id, recv_id, replacement);
      },
      no_ao_state());
}

std::error_code UserspaceAoSocket::set_current(keys::KeyId send_id) {
  return on_ring([&](userspace::KeyRing& ring) { return ring.set_current(send_id); },
                 no_ao_state());
}

std::error_code UserspaceAoSocket::set_rnext(keys::KeyId recv_id) {
  return on_ring([&](userspace::KeyRing& ring) { return ring.set_rnext(recv_id); }, no_ao_state());
}

common::Expected<ConnectionStatus, std::error_code> UserspaceAoSocket::status() {
  using Result = common::Expected<ConnectionStatus, std::error_code>;
  return on_ring([](userspace::KeyRing& ring) -> Result { return ring.status(); },
                 Result(common::Unexpected(no_ao_state())));
}

common::Expected<std::vector<KeyCounters>, std::error_code> UserspaceAoSocket::key_counters() {
  using Result = common::Expected<std::vector<KeyCounters>, std::error_code>;
  return on_ring([](userspace::KeyRing& ring) -> Result { return ring.key_counters(); },
                 Result(common::Unexpected(no_ao_state())));
}

}  // namespace aotls::backend::nfqueue
