// aotls/keys/key_table.hpp - the MKTs one side of one connection holds, and
// their retirement by the hold-down rule.
//
// Shared by the key-installation machine (key_installer.hpp) and the rekey
// machine (aotls/rekey): both install a generation as a send key and a
// receive key (profile section 3's layout) and retire old keys the same way
// (profile section 4). The table holds no secret: an MKT's secret goes to the
// backend inside InstallKey and is not kept.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "aotls/keys/key_events.hpp"
#include "aotls/keys/key_layout.hpp"
#include "common/expected.hpp"

namespace aotls::keys {

// Profile section 4: hold-down = max(3 x RTO, 2 s).
inline constexpr Duration kMinHoldDown{2000};
inline constexpr int kHoldDownRtoFactor = 3;

Duration hold_down(Duration rto);

enum class KeyError : std::uint8_t {
  OutOfOrder,            // the event does not fit the phase
  UnexpectedGeneration,  // secrets of a generation that is not the one awaited
  MixedAlgorithms,       // from make_derived_mkt
  EmptySecret,
};

std::string_view to_string(KeyError error);

// The machine's view of one installed key.
enum class KeyState : std::uint8_t { Active, Retiring, Deleting };

struct KeyRecord {
  KeyId send_id = kDefaultKeyId;
  KeyId recv_id = kDefaultKeyId;
  Generation generation = kDefaultGeneration;
  KeyUse use = KeyUse::SendAndReceive;
  KeyState state = KeyState::Active;
  std::optional<std::uint64_t> pkt_good;  // last polled value
  // Since when every retirement condition but the hold-down has held and
  // the good-segment count has stood still; unset until a poll shows it.
  std::optional<TimePoint> quiet_since;
};

class KeyTable {
 public:
  explicit KeyTable(Side side) : side_(side) {}

  // Records an MKT the shell installed itself (the default MKT).
  void add(const Mkt& mkt);
  // Makes both MKTs of `secrets.generation` and records them. The actions
  // install them in profile section 3's order: the server's receive key
  // first (the client's Finished comes under it), the client's send key.
  common::Expected<KeyActions, KeyError> install(SecretsDerived&& secrets);
  // Marks every key of generations older than `g` for retirement.
  void retire_older_than(Generation g);
  // Takes in a poll: Current_key, RNext_key, counters, refused deletes.
  void observe(const BackendPolled& poll);
  // DeleteKey for every retiring key whose hold-down has run out.
  KeyActions due_deletions(TimePoint now, Duration rto);

  bool holds_older_than(Generation g) const;
  // A key is on its way out (Retiring or Deleting).
  bool retiring() const;

  const std::vector<KeyRecord>& keys() const { return keys_; }
  std::optional<KeyId> current_key() const { return current_key_; }
  std::optional<KeyId> rnext_key() const { return rnext_key_; }

 private:
  bool retirement_blocked(const KeyRecord& key) const;

  Side side_;
  std::vector<KeyRecord> keys_;
  std::optional<KeyId> current_key_;
  std::optional<KeyId> rnext_key_;
};

}  // namespace aotls::keys
