// bgpd/session/tcp_md5.cpp - see tcp_md5.hpp.
#include "bgpd/session/tcp_md5.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>

namespace bgpd::session {
namespace {

bool socket_is_ipv6(int fd) {
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
  return local.ss_family == AF_INET6;
}

// The address as the kernel compares it with the segments of this socket.
void fill_peer(tcp_md5sig& sig, int fd, const asio::ip::address& peer) {
  asio::ip::address keyed = peer;
  if (peer.is_v4() && socket_is_ipv6(fd)) {
    keyed = asio::ip::make_address_v6(asio::ip::v4_mapped, peer.to_v4());
  }
  const Endpoint endpoint(keyed, 0);
  std::memcpy(&sig.tcpm_addr, endpoint.data(), endpoint.size());
}

std::error_code apply(int fd, const tcp_md5sig& sig) {
  if (::setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

}  // namespace

std::error_code set_tcp_md5_key(int fd, const asio::ip::address& peer,
                                std::span<const std::uint8_t> key) {
  if (key.empty() || key.size() > kMaxMd5KeyLength) {
    return std::make_error_code(std::errc::invalid_argument);
  }
  tcp_md5sig sig{};
  fill_peer(sig, fd, peer);
  sig.tcpm_keylen = static_cast<std::uint16_t>(key.size());
  std::memcpy(sig.tcpm_key, key.data(), key.size());
  const std::error_code ec = apply(fd, sig);
  // The key left our hands; do not leave a copy on the stack.
  explicit_bzero(sig.tcpm_key, sizeof(sig.tcpm_key));
  return ec;
}

std::error_code remove_tcp_md5_key(int fd, const asio::ip::address& peer) {
  tcp_md5sig sig{};
  fill_peer(sig, fd, peer);
  sig.tcpm_keylen = 0;  // keylen 0 deletes the entry for this address.
  return apply(fd, sig);
}

}  // namespace bgpd::session
