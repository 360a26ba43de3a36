#include "aotls/keys/key_layout.hpp"

namespace aotls::keys {

namespace {

// ((n mod 254) + 1) for the profile's formulas; n = 2g - 2 or 2g - 1 is
// computed modulo 254 first so no generation overflows.
KeyId wrap_key_id(Generation g, Generation offset) {
  const Generation doubled = static_cast<Generation>((g % 127U) * 2U);  // 2g mod 254
  const Generation n = (doubled + 254U - offset) % 254U;
  return static_cast<KeyId>(n + 1U);
}

}  // namespace

std::string_view to_string(Side side) {
  switch (side) {
    case Side::Client:
      return "client";
    case Side::Server:
      return "server";
  }
  return "unknown side";
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::Both:
      return "both";
    case Direction::ClientToServer:
      return "c2s";
    case Direction::ServerToClient:
      return "s2c";
  }
  return "unknown direction";
}

Side peer_of(Side side) {
  return side == Side::Client ? Side::Server : Side::Client;
}

Direction sending_direction(Side side) {
  return side == Side::Client ? Direction::ClientToServer : Direction::ServerToClient;
}

Direction receiving_direction(Side side) {
  return sending_direction(peer_of(side));
}

KeyId client_to_server_key_id(Generation g) {
  return g == kDefaultGeneration ? kDefaultKeyId : wrap_key_id(g, 2);
}

KeyId server_to_client_key_id(Generation g) {
  return g == kDefaultGeneration ? kDefaultKeyId : wrap_key_id(g, 1);
}

KeyId key_id(Direction direction, Generation g) {
  switch (direction) {
    case Direction::ClientToServer:
      return client_to_server_key_id(g);
    case Direction::ServerToClient:
      return server_to_client_key_id(g);
    case Direction::Both:
      break;
  }
  return kDefaultKeyId;
}

KeyLayout key_layout(Side side, Generation g) {
  return {key_id(sending_direction(side), g), key_id(receiving_direction(side), g)};
}

}  // namespace aotls::keys
