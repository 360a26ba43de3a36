// bgpd/config/model.hpp - the validated configuration of the daemon.
//
// Owns: plain values produced by parse_config() (config.hpp). Member names
// are the JSON names (docs/configuration.md documents each one); every value
// is already checked and every default already filled, so consumers never
// re-validate. Must not depend on session, api, daemon, Asio or the clock.
// Transport fields follow the AO-TLS profile (shared/protocol/ao-tls-profile.md
// sections 1, 3, 5, 7).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgpd/policy/model.hpp"
#include "bgpd/wire/types.hpp"

namespace bgpd::config {

using Duration = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

// A configured secret (TCP-MD5 password, static TCP-AO MKT). It never
// formats its bytes: to_string() gives "<secret len=N>", and the storage is
// zeroed when it dies or is overwritten. Unlike the crypto layer's secrets it
// is copyable, because a Config is a value posted between strands (one owner
// per piece of state) and diffed against its successor on reload.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  Secret(const Secret& other) = default;
  Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { wipe(); }

  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  std::string to_string() const;  // "<secret len=N>", never the bytes
  bool operator==(const Secret& other) const { return bytes_ == other.bytes_; }

 private:
  void wipe() noexcept;
  std::vector<std::uint8_t> bytes_;
};

enum class LogLevel : std::uint8_t { Debug, Info, Warning, Error };
enum class LogFormat : std::uint8_t { Text, Json };

// Profile section 5.
enum class AoBackend : std::uint8_t { Auto, Kernel, Userspace };

// Profile section 1: the three per-neighbor transport settings.
enum class TlsMode : std::uint8_t { Off, Preferred, Required };
enum class AoMode : std::uint8_t { Off, Opportunistic, Required, Static };
enum class Fallback : std::uint8_t { None, Static, Md5 };

// RFC 5926 MAC algorithms with their profile section 2 codes; each implies
// its KDF (KDF_HMAC_SHA1, KDF_AES_128_CMAC). Both MACs are 96 bits.
enum class MacAlgorithm : std::uint8_t { HmacSha1 = 0, AesCmac = 1 };

enum class Family : std::uint8_t { Ipv4Unicast, Ipv6Unicast };

struct LogConfig {
  LogLevel level = LogLevel::Info;
  LogFormat format = LogFormat::Text;
};

struct ListenConfig {
  std::vector<wire::IpAddress> addresses;  // sorted, unique; empty: no listener
  std::uint16_t port = 179;
};

struct GlobalAoConfig {
  AoBackend backend = AoBackend::Auto;
  std::uint16_t tls_extension_type = 65280;  // profile section 3 (0xFF00)
  std::optional<std::string> keylog_file;     // profile section 6
  std::uint16_t nfqueue_base = 4200;          // uses base and base + 1
};

// Profile section 7; required when any neighbor uses TLS.
struct GlobalTlsConfig {
  std::optional<std::string> ca_file;
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
};

struct GlobalConfig {
  std::uint32_t asn = 0;
  wire::IpAddress router_id;
  ListenConfig listen;
  Seconds hold_time{90};
  Seconds keepalive{30};
  Duration connect_retry{std::chrono::seconds{120}};
  LogConfig log;
  std::string control_socket = "/run/bgpd/bgpd.sock";
  GlobalAoConfig ao;
  GlobalTlsConfig tls;
  bool always_compare_med = false;
  std::uint32_t default_local_pref = 100;
};

// RFC 8177 key lifetime, in UTC seconds since the epoch; an absent start
// means "since always", an absent end means "infinite".
struct Lifetime {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  bool operator==(const Lifetime&) const = default;
};

// One static MKT (RFC 5925 section 3.1).
struct AoKey {
  std::uint32_t id = 0;  // the key chain's own key-id (RFC 8177), unique
  std::uint8_t send_id = 0;
  std::uint8_t recv_id = 0;
  Secret secret;
  MacAlgorithm algorithm = MacAlgorithm::HmacSha1;
  bool include_options = true;  // RFC 5925 section 3.1 TCP option flag
  Lifetime send_lifetime;
  Lifetime accept_lifetime;
};

// Profile section 3: what this side announces in its tcp_ao extension.
struct AoAnnounce {
  std::uint8_t prot = 0;
  std::uint8_t auth = 0;
  std::uint8_t kdf = 0;
};

struct NeighborAoConfig {
  AoMode mode = AoMode::Off;
  AoAnnounce announce;
  std::optional<Duration> rekey_interval = std::chrono::hours{1};  // nullopt: no timer
  std::optional<std::uint64_t> rekey_after_bytes;
  std::uint32_t fallback_after = 3;
  std::vector<AoKey> keychain;  // sorted by id; empty: none
};

struct NeighborTlsConfig {
  TlsMode mode = TlsMode::Off;
  std::uint32_t fallback_after = 3;
  Duration handshake_timeout{std::chrono::seconds{10}};
  std::optional<std::string> peer_name;  // DNS name; nullopt: IP SAN = address
};

struct NeighborConfig {
  wire::IpAddress address;
  std::uint32_t asn = 0;
  std::string description;
  std::uint16_t port = 179;
  std::optional<wire::IpAddress> local_address;
  bool passive = false;
  Seconds hold_time{90};  // resolved: the global value unless overridden
  Seconds keepalive{30};
  Duration connect_retry{std::chrono::seconds{120}};
  std::vector<Family> families;  // sorted, unique, never empty
  bool next_hop_self = false;
  // JSON "import" / "export" (export is a C++ keyword). nullopt records that
  // the neighbor had no policy at all: RFC 8212 then rejects everything on
  // an eBGP session.
  std::optional<std::vector<std::string>> import_policies;
  std::optional<std::vector<std::string>> export_policies;
  std::optional<Secret> md5;
  NeighborTlsConfig tls;
  NeighborAoConfig ao;
  Fallback fallback = Fallback::None;  // resolved from the profile table
  bool shutdown = false;
  bool route_refresh = true;
};

// A route this speaker originates.
struct NetworkConfig {
  wire::Prefix prefix;
  std::optional<wire::IpAddress> next_hop;
  std::vector<wire::Community> communities;            // sorted, unique
  std::vector<wire::LargeCommunity> large_communities;  // sorted, unique
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  wire::Origin origin = wire::Origin::Igp;
};

struct Config {
  GlobalConfig global;
  std::vector<NeighborConfig> neighbors;  // sorted by address
  policy::PolicySet policies;             // prefix lists and policies
  std::vector<NetworkConfig> networks;    // sorted by prefix

  const NeighborConfig* find_neighbor(const wire::IpAddress& address) const;
  bool is_ebgp(const NeighborConfig& neighbor) const { return neighbor.asn != global.asn; }
};

}  // namespace bgpd::config
