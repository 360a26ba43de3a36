// tests/unit/keys/fake_backend.hpp - a TCP-AO socket that keeps Linux's
// key rules, for testing the key machine without a kernel.
//
// Rules kept (specs digest sections 5.4 and 5.6, from the Linux code):
//  - TCP_AO_ADD_KEY: EEXIST when the new key's SendID or RecvID equals one
//    of an installed key for the peer (RFC 5925 "IDs MUST NOT overlap").
//  - The first key added becomes Current_key and RNext_key (what connect()
//    does when neither was set explicitly).
//  - Current_key / RNext_key can only name installed keys (ENOENT), by
//    SendID and by RecvID respectively.
//  - TCP_AO_DEL_KEY: ENOENT for an unknown (SendID, RecvID); EBUSY for the
//    Current_key or the RNext_key.
//  - Receive: the key is found by RecvID == KeyID (else key-not-found); a
//    good segment whose RNextKeyID names the SendID of an installed key
//    makes that key Current_key (RFC 5925 section 7.5.2, Linux
//    tcp_inbound_ao_hash); per-key good/bad counters.
//  - Send: KeyID = Current_key's SendID, RNextKeyID = RNext_key's RecvID,
//    MAC with Current_key at the moment the segment leaves.
// The MAC is a real RFC 5926 MAC of the segment's number under a traffic
// key derived from the MKT, so both ends must hold the same secret and
// algorithms for a segment to verify.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <system_error>
#include <vector>

#include "aotls/keys/key_events.hpp"
#include "aotls/keys/mkt.hpp"

namespace aotls::keys::testing {

// A segment as the two-endpoint channel carries it: the TCP-AO fields.
struct Segment {
  std::uint64_t number = 0;  // unique per transmission; the MAC covers it
  Side from = Side::Client;
  KeyId key_id = kDefaultKeyId;
  KeyId rnext_key_id = kDefaultKeyId;
  std::array<std::uint8_t, 12> mac{};
};

enum class Verdict { Good, KeyNotFound, BadMac };
const char* to_string(Verdict verdict);

struct FakeKey {
  Mkt mkt;  // with its own copy of the secret
  std::uint64_t pkt_good = 0;
  std::uint64_t pkt_bad = 0;
};

class FakeAoSocket {
 public:
  std::error_code add_key(const Mkt& mkt);
  std::error_code del_key(KeyId send_id, KeyId recv_id);
  std::error_code set_current(KeyId send_id);
  std::error_code set_rnext(KeyId recv_id);

  // Signs segment `number` with the current key; nullopt without one.
  std::optional<Segment> send(std::uint64_t number, Side from) const;
  Verdict receive(const Segment& segment);

  BackendPolled poll(TimePoint now, Duration rto) const;

  const std::vector<FakeKey>& keys() const { return keys_; }
  const FakeKey* find_by_send_id(KeyId send_id) const;
  const FakeKey* find_by_recv_id(KeyId recv_id) const;
  std::optional<KeyId> current_key() const { return current_; }
  std::optional<KeyId> rnext_key() const { return rnext_; }
  // Every RecvID that was ever RNext_key: what this socket has advertised.
  const std::set<KeyId>& rnext_ever() const { return rnext_ever_; }
  std::uint64_t key_not_found() const { return key_not_found_; }

 private:
  std::vector<FakeKey> keys_;
  std::optional<KeyId> current_;
  std::optional<KeyId> rnext_;
  std::set<KeyId> rnext_ever_;
  std::uint64_t key_not_found_ = 0;
};

// Carries out one backend action (InstallKey, DeleteKey, SetCurrent,
// SetRNext). PollBackend and DeriveSecrets are not socket calls: EINVAL.
std::error_code apply_action(FakeAoSocket& socket, const KeyAction& action);

// "install 1/1", "delete 0/0", "current 1", "rnext 2", "poll", "derive g=2".
std::string describe(const KeyAction& action);

// A copy of an MKT (Mkt is move-only because of its secret).
Mkt copy_mkt(const Mkt& mkt);

}  // namespace aotls::keys::testing
