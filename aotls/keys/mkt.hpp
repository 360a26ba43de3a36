// aotls/keys/mkt.hpp - the Master Key Tuple as this library installs it.
//
// RFC 5925 section 3.1: an MKT is (connection identifier, TCP option flag,
// SendID, RecvID, master key, KDF, MAC algorithm). The connection
// identifier is the backend's business (peer address, socket); everything
// else is here, plus the bookkeeping the key machine needs: the generation
// and the direction of traffic the key protects.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "aotls/crypto/algorithms.hpp"
#include "aotls/crypto/secret.hpp"
#include "aotls/keys/key_layout.hpp"
#include "common/expected.hpp"

namespace aotls::keys {

// What a side announces in the tcp_ao extension (`prot | auth | kdf`,
// profile section 3): the parameters of the keys it sends with.
struct MktParams {
  bool include_options = false;  // prot = 1: TCP options covered by the MAC
  crypto::MacAlgorithm mac = crypto::MacAlgorithm::HmacSha1_96;
  crypto::KdfAlgorithm kdf = crypto::KdfAlgorithm::HmacSha1;

  friend bool operator==(const MktParams&, const MktParams&) = default;
};

// How one side uses an MKT. The default MKT is one key both ways; each
// derived generation is a send key and a receive key (profile section 3).
enum class KeyUse : std::uint8_t { SendAndReceive, Send, Receive };

std::string_view to_string(KeyUse use);

struct Mkt {
  KeyId send_id = kDefaultKeyId;
  KeyId recv_id = kDefaultKeyId;
  MktParams params;
  crypto::Secret secret;  // move-only; formats as <secret len=N>
  Generation generation = kDefaultGeneration;
  Direction direction = Direction::Both;

  // The use `side` makes of this key: it sends with the keys of its own
  // direction and receives with its peer's.
  KeyUse use_by(Side side) const;
};

// Profile section 3: the 4 bytes 1c eb b1 ff (not their ASCII spelling).
inline constexpr std::array<std::uint8_t, 4> kDefaultMktSecret{0x1c, 0xeb, 0xb1, 0xff};

enum class MktError : std::uint8_t {
  MixedAlgorithms,   // MAC and KDF from different rows of the profile's table
  EmptySecret,       // RFC 5926 KDFs need a master key
  DefaultGeneration  // generation 0 is the default MKT, not a derived key
};

std::string_view to_string(MktError error);

// SendID = RecvID = 0, KDF_HMAC_SHA1 with HMAC-SHA-1-96, options excluded.
Mkt make_default_mkt();

// The MKT protecting `direction` under generation g >= 1, IDs from the
// profile's layout table (SendID = RecvID = that direction's KeyID).
common::Expected<Mkt, MktError> make_derived_mkt(Direction direction, Generation g,
                                                 const MktParams& params, crypto::Secret secret);

// "MKT g=1 c2s SendID=1 RecvID=1 HMAC-SHA-1-96/KDF_HMAC_SHA1 options=excluded
// <secret len=32>": the secret's length only.
std::string to_string(const Mkt& mkt);
std::ostream& operator<<(std::ostream& os, const Mkt& mkt);

}  // namespace aotls::keys
