// aotls/backend/backend.hpp - module header of aotls_backend: the one
// interface every TCP-AO backend implements, and the choice of backend.
//
// Owns: the per-socket TCP-AO interface (add/delete an MKT, set Current_key
// and RNext_key, read counters), the backend kinds and the `auto` selection
// rule (profile section 5), the module's typed errors, and the glue that
// carries aotls/keys actions out on a socket.
// Implementations: kernel_backend.hpp (Linux socket options 38-42); the
// userspace backend (NFQUEUE) implements the same interface elsewhere.
// Must not depend on: bgpd, Asio, clocks (time is passed in), logging.
// Implements: RFC 5925 sections 3.1 (MKT per connection identifier, IDs
// must not overlap), 6.1 (Current_key, RNext_key), 7.5 (counted silent
// drops); AO-TLS profile section 5 (backends, `auto`, counters' shape).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "aotls/keys/key_events.hpp"
#include "aotls/keys/mkt.hpp"
#include "aotls/segment/ip_address.hpp"
#include "common/expected.hpp"

namespace aotls::backend {

// Errors this module detects itself, before any system call. Errors the
// kernel returns travel as std::system_category() codes (compare them with
// std::errc: file_exists, no_such_file_or_directory, device_or_resource_busy,
// no_protocol_option ...).
enum class BackendErrc {
  ListeningSocket = 1,    // set_current/set_rnext on a listener (profile section 5)
  AddressFamilyMismatch,  // an IPv6 peer on an IPv4 socket
  BadPrefix,              // prefix longer than the address, host bits set, or /0 not wildcard
  UnsupportedAlgorithm,   // a MAC/KDF pair outside the profile's table
  BadKeyLength,           // empty master key, or longer than the kernel's 80 bytes
  KernelUnsupported,      // `kernel` requested but its probe failed
};

const std::error_category& backend_category();
std::error_code make_error_code(BackendErrc errc);

}  // namespace aotls::backend

template <>
struct std::is_error_code_enum<aotls::backend::BackendErrc> : std::true_type {};

namespace aotls::backend {

// ---- what a backend is told and tells ----

// The MKT's TCP connection identifier as Linux matches it: the peer address
// under a prefix (RFC 5925 section 3.1 allows ranges); ports are not matched.
// Prefix 0 with the unspecified address is the wildcard key.
struct PeerPrefix {
  segment::IpAddress address;
  std::uint8_t prefix_len = 0;

  // A single peer: /32 or /128.
  static PeerPrefix host(const segment::IpAddress& address);

  friend bool operator==(const PeerPrefix&, const PeerPrefix&) = default;
};

// Checks prefix_len against the address length, host bits and the /0 rule.
std::error_code validate(const PeerPrefix& peer);

// A listener holds keys for the connections it will accept, but has no
// Current_key or RNext_key of its own (Linux refuses them, EINVAL).
enum class SocketRole : std::uint8_t { Connection, Listener };

// Profile section 5, per key.
struct KeyCounters {
  PeerPrefix peer;
  keys::KeyId send_id = keys::kDefaultKeyId;
  keys::KeyId recv_id = keys::kDefaultKeyId;
  std::optional<crypto::MacAlgorithm> mac;  // nullopt: an algorithm outside our table
  bool include_options = false;
  bool is_current = false;
  bool is_rnext = false;
  std::uint64_t good = 0;
  std::uint64_t bad_mac = 0;
};

// Profile section 5, per connection, with the keys in use.
struct ConnectionStatus {
  std::uint64_t key_not_found = 0;        // KeyID matched no RecvID
  std::uint64_t ao_required_missing = 0;  // segment without TCP-AO where a key applies
  std::uint64_t icmp_ignored = 0;         // RFC 5925 section 7.8
  // KeyID of our segments: Current_key's SendID.
  std::optional<keys::KeyId> current_key_id;
  // RNextKeyID of our segments: RNext_key's RecvID.
  std::optional<keys::KeyId> rnext_key_id;
};

// A forced delete (Linux TCP_AO_DEL_KEY set_current/set_rnext): move
// Current_key (by SendID) and/or RNext_key (by RecvID) in the same call.
struct KeyReplacement {
  std::optional<keys::KeyId> current_send_id;
  std::optional<keys::KeyId> rnext_recv_id;
};

// ---- the per-socket interface ----

class TcpAoSocket {
 public:
  virtual ~TcpAoSocket() = default;
  TcpAoSocket() = default;
  TcpAoSocket(const TcpAoSocket&) = delete;
  TcpAoSocket& operator=(const TcpAoSocket&) = delete;

  virtual SocketRole role() const = 0;

  // Installs `mkt` for `peer`. EEXIST when its SendID or RecvID is already
  // used for an overlapping peer (RFC 5925 section 3.1).
  virtual std::error_code add_key(const PeerPrefix& peer, const keys::Mkt& mkt) = 0;
  // ENOENT for an unknown key; EBUSY for Current_key or RNext_key unless
  // `replacement` moves them away in the same call.
  virtual std::error_code delete_key(const PeerPrefix& peer, keys::KeyId send_id,
                                     keys::KeyId recv_id, const KeyReplacement& replacement) = 0;
  // By SendID / RecvID; ENOENT for an unknown key; ListeningSocket on a listener.
  virtual std::error_code set_current(keys::KeyId send_id) = 0;
  virtual std::error_code set_rnext(keys::KeyId recv_id) = 0;

  // ENOENT while the socket has no TCP-AO state.
  virtual common::Expected<ConnectionStatus, std::error_code> status() = 0;
  virtual common::Expected<std::vector<KeyCounters>, std::error_code> key_counters() = 0;
};

// ---- backends and their choice ----

enum class BackendKind : std::uint8_t { Kernel, Userspace };
// What the configuration asks for; `auto` is the default (profile section 5).
enum class BackendChoice : std::uint8_t { Auto, Kernel, Userspace };

std::string_view to_string(BackendKind kind);
std::string_view to_string(BackendChoice choice);  // "auto", "kernel", "userspace"
std::optional<BackendChoice> backend_choice_from_string(std::string_view text);

struct ProbeResult {
  bool supported = false;
  std::string reason;  // one line for the log and the CLI, in both cases
};

// What the socket's owner knows when it hands the socket to a backend.
struct SocketSetup {
  int fd = -1;
  SocketRole role = SocketRole::Connection;
  segment::IpVersion family = segment::IpVersion::V4;  // the socket's, not the peer's
  // A connection socket's peer when known (before connect(): where it will
  // connect; accepted: getpeername). The userspace backend keys flows by
  // 4-tuple and needs it; the kernel backend ignores it. (The `{}` keeps
  // positional {fd, role, family} initializers free of
  // -Wmissing-field-initializers.)
  std::optional<segment::IpAddress> remote_addr{};
  std::uint16_t remote_port = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  virtual BackendKind kind() const = 0;
  virtual ProbeResult probe() = 0;
  // The socket stays owned by the caller; keys go on before connect()/listen().
  virtual std::unique_ptr<TcpAoSocket> attach(const SocketSetup& setup) = 0;
};

// `auto`: kernel when its probe succeeded, else userspace. `kernel` with a
// failed probe is KernelUnsupported (the caller logs the probe's reason).
common::Expected<BackendKind, std::error_code> select_backend(BackendChoice choice,
                                                              const ProbeResult& kernel_probe);

// ---- carrying aotls/keys actions out ----

std::error_code apply(TcpAoSocket& socket, const PeerPrefix& peer, const keys::InstallKey& action);
std::error_code apply(TcpAoSocket& socket, const PeerPrefix& peer, const keys::DeleteKey& action);
std::error_code apply(TcpAoSocket& socket, const keys::SetCurrent& action);
std::error_code apply(TcpAoSocket& socket, const keys::SetRNext& action);

// Answers keys::PollBackend: Current_key, RNext_key and every key's good
// counter; `now` and `rto` come from the shell.
common::Expected<keys::BackendPolled, std::error_code> poll(TcpAoSocket& socket,
                                                            keys::TimePoint now,
                                                            keys::Duration rto);

}  // namespace aotls::backend
