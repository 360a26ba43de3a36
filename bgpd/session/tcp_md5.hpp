// bgpd/session/tcp_md5.hpp - RFC 2385 TCP MD5 signature keys on sockets.
//
// Linux keeps one key per peer address on a socket (setsockopt TCP_MD5SIG).
// On an active socket the key must be set before connect(), so that the SYN
// is signed; on a listening socket it must be set before the peer's SYN
// arrives (the daemon installs keys between bind() and listen(), and on a
// neighbor add). Once a listener holds a key for an address, the kernel drops
// unsigned or wrongly signed segments from it (RFC 2385 section 2.0), which is
// why a wrong key shows up as a connect timeout, not as an error.
//
// The key bytes are passed through to the kernel and never stored or logged.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>

#include "bgpd/session/transport.hpp"

namespace bgpd::session {

// Linux TCP_MD5SIG_MAXKEYLEN.
inline constexpr std::size_t kMaxMd5KeyLength = 80;

// Installs (or replaces) the key for peer on socket fd. An IPv4 peer on an
// IPv6 socket is keyed by its v4-mapped address, as the kernel sees it.
// Errors: invalid_argument for an empty or too long key; the setsockopt errno
// otherwise (ENOPROTOOPT on a kernel without CONFIG_TCP_MD5SIG).
std::error_code set_tcp_md5_key(int fd, const asio::ip::address& peer,
                                std::span<const std::uint8_t> key);

// Removes the key for peer (a neighbor was deleted). ENOENT if none was set.
std::error_code remove_tcp_md5_key(int fd, const asio::ip::address& peer);

}  // namespace bgpd::session
