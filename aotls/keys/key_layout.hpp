// aotls/keys/key_layout.hpp - KeyIDs and the per-generation key layout.
//
// Profile section 3 fixes the KeyIDs (the draft lets each receiver choose,
// but TLS does not carry the choice): the default MKT is KeyID 0, generation
// g >= 1 uses c(g) = ((2g - 2) mod 254) + 1 on client-to-server segments and
// s(g) = ((2g - 1) mod 254) + 1 on server-to-client segments; 255 is never
// used. c(.) is always odd and s(.) always even, so a side's send and receive
// KeyIDs can never collide, whatever g is.
#pragma once

#include <cstdint>
#include <string_view>

namespace aotls::keys {

using KeyId = std::uint8_t;
// Key generation: 0 is the default MKT, 1 the first derived key. Carried as
// 4 bytes big-endian in the exporter context of g >= 2 (profile section 3).
using Generation = std::uint32_t;

inline constexpr KeyId kDefaultKeyId = 0;
inline constexpr KeyId kNeverUsedKeyId = 255;
inline constexpr Generation kDefaultGeneration = 0;
inline constexpr Generation kFirstDerivedGeneration = 1;

enum class Side : std::uint8_t { Client, Server };
// The traffic an MKT protects. The default MKT is one key for both.
enum class Direction : std::uint8_t { Both, ClientToServer, ServerToClient };

std::string_view to_string(Side side);
std::string_view to_string(Direction direction);  // "both", "c2s", "s2c" (key log words)

Side peer_of(Side side);
// The direction a side sends in (Client -> ClientToServer).
Direction sending_direction(Side side);
Direction receiving_direction(Side side);

// c(g) and s(g); generation 0 gives the default KeyID.
KeyId client_to_server_key_id(Generation g);
KeyId server_to_client_key_id(Generation g);
// The KeyID segments of `direction` carry under generation g (Both: 0).
KeyId key_id(Direction direction, Generation g);

// One row of the profile's key layout table: both IDs of a key are the
// KeyID of the direction it protects.
struct KeyLayout {
  KeyId send_key_id;     // SendID = RecvID of the side's send key of g
  KeyId receive_key_id;  // SendID = RecvID of the side's receive key of g
};

KeyLayout key_layout(Side side, Generation g);

}  // namespace aotls::keys
