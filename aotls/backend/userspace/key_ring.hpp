// aotls/backend/userspace/key_ring.hpp - the MKTs of one socket, kept with
// Linux's rules so the user-space backend behaves like the kernel one.
//
// Rules (specs digest 5.4 and 5.6, from the Linux code):
//  - add: EEXIST when the new key's SendID or RecvID is already used by a
//    key for an overlapping peer (RFC 5925 section 3.1: IDs MUST NOT
//    overlap); the backend's own checks (prefix, algorithm pair, key
//    length) come first, as in the kernel backend.
//  - delete: ENOENT unless (peer, SendID, RecvID) names a key; EBUSY for
//    Current_key or RNext_key unless the replacement moves them in the
//    same call (Linux's forced delete).
//  - set_current by SendID, set_rnext by RecvID: ENOENT for no such key;
//    refused on a listener (BackendErrc::ListeningSocket).
//  - status before any key was added: ENOENT (no TCP-AO state).
// Counters have the shape of profile section 5: per key good / bad MAC,
// per socket key-not-found, AO-required-but-missing, ICMP ignored.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <system_error>
#include <vector>

#include "aotls/backend/backend.hpp"
#include "aotls/crypto/mac.hpp"
#include "aotls/keys/mkt.hpp"
#include "aotls/segment/ip_address.hpp"

namespace aotls::backend::userspace {

// One installed MKT with its counters and, once used on a connection, its
// keyed MAC contexts (one per traffic key kind, RFC 5925 section 5.2).
struct RingKey {
  PeerPrefix peer;
  keys::Mkt mkt;
  std::uint64_t good = 0;
  std::uint64_t bad_mac = 0;

  // A traffic key's MAC context and the ISN pair its KDF context used, so a
  // SYN-ACK with a new ISN re-derives instead of reusing a stale key.
  struct CachedMac {
    std::optional<crypto::MacContext> mac;
    std::uint32_t src_isn = 0;
    std::uint32_t dst_isn = 0;
  };
  std::array<CachedMac, 4> macs;  // by segment::TrafficKeyKind
};

class KeyRing {
 public:
  explicit KeyRing(SocketRole role) : role_(role) {}

  SocketRole role() const { return role_; }

  std::error_code add_key(const PeerPrefix& peer, const keys::Mkt& mkt);
  std::error_code delete_key(const PeerPrefix& peer, keys::KeyId send_id, keys::KeyId recv_id,
                             const KeyReplacement& replacement);
  std::error_code set_current(keys::KeyId send_id);
  std::error_code set_rnext(keys::KeyId recv_id);
  common::Expected<ConnectionStatus, std::error_code> status() const;
  common::Expected<std::vector<KeyCounters>, std::error_code> key_counters() const;

  // ---- for the packet path ----
  bool has_key_for(const segment::IpAddress& peer) const;
  RingKey* find_by_recv_id(const segment::IpAddress& peer, keys::KeyId recv_id);
  RingKey* find_by_send_id(const segment::IpAddress& peer, keys::KeyId send_id);
  RingKey* current_key(const segment::IpAddress& peer);
  std::optional<keys::KeyId> current_send_id() const { return current_; }
  std::optional<keys::KeyId> rnext_recv_id() const { return rnext_; }
  // Current_key and RNext_key as TCP-AO itself moves them (RFC 5925
  // section 7.5.2 e; connect()/accept() choices), without the API checks.
  void select_current(keys::KeyId send_id) { current_ = send_id; }
  void select_rnext(keys::KeyId recv_id) { rnext_ = recv_id; }
  // Linux at connect(): without explicit choices, both become the most
  // recently added key that matches the peer.
  void default_selection(const segment::IpAddress& peer);
  // A connection accepted by a listener copies its keys matching the peer.
  KeyRing copy_for(const segment::IpAddress& peer) const;

  void count_key_not_found() { ++key_not_found_; }
  void count_ao_required_missing() { ++ao_required_missing_; }
  void count_icmp_ignored() { ++icmp_ignored_; }

 private:
  std::error_code check_id_rules(std::optional<keys::KeyId> send_id,
                                 std::optional<keys::KeyId> recv_id) const;

  SocketRole role_;
  bool ao_state_ = false;  // a key was added once: Linux keeps AO state after that
  std::vector<RingKey> keys_;
  std::optional<keys::KeyId> current_;
  std::optional<keys::KeyId> rnext_;
  std::uint64_t key_not_found_ = 0;
  std::uint64_t ao_required_missing_ = 0;
  std::uint64_t icmp_ignored_ = 0;
};

// Two prefixes overlap when one contains the other's network.
bool overlaps(const PeerPrefix& a, const PeerPrefix& b);

}  // namespace aotls::backend::userspace
