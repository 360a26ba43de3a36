#include "aotls/keys/mkt.hpp"

#include <ostream>
#include <utility>

namespace aotls::keys {

std::string_view to_string(KeyUse use) {
  switch (use) {
    case KeyUse::SendAndReceive:
      return "send+receive";
    case KeyUse::Send:
      return "send";
    case KeyUse::Receive:
      return "receive";
  }
  return "unknown use";
}

std::string_view to_string(MktError error) {
  switch (error) {
    case MktError::MixedAlgorithms:
      return "MAC and KDF algorithms do not form a supported pair";
    case MktError::EmptySecret:
      return "empty master key";
    case MktError::DefaultGeneration:
      return "generation 0 is the default MKT";
  }
  return "unknown MKT error";
}

KeyUse Mkt::use_by(Side side) const {
  if (direction == Direction::Both) return KeyUse::SendAndReceive;
  return direction == sending_direction(side) ? KeyUse::Send : KeyUse::Receive;
}

Mkt make_default_mkt() {
  Mkt mkt;
  mkt.secret = crypto::Secret(kDefaultMktSecret);
  return mkt;
}

common::Expected<Mkt, MktError> make_derived_mkt(Direction direction, Generation g,
                                                 const MktParams& params, crypto::Secret secret) {
  if (g == kDefaultGeneration || direction == Direction::Both) {
    return common::Unexpected(MktError::DefaultGeneration);
  }
  if (!crypto::check_algorithm_pair(params.mac, params.kdf)) {
    return common::Unexpected(MktError::MixedAlgorithms);
  }
  if (secret.empty()) return common::Unexpected(MktError::EmptySecret);
  Mkt mkt;
  mkt.send_id = key_id(direction, g);
  mkt.recv_id = mkt.send_id;
  mkt.params = params;
  mkt.secret = std::move(secret);
  mkt.generation = g;
  mkt.direction = direction;
  return mkt;
}

std::string to_string(const Mkt& mkt) {
  const crypto::AlgorithmRow& mac_row = crypto::algorithm_row(mkt.params.mac);
  const crypto::AlgorithmRow& kdf_row = crypto::algorithm_row(mkt.params.kdf);
  std::string out = "MKT g=" + std::to_string(mkt.generation) + " ";
  out += to_string(mkt.direction);
  out += " SendID=" + std::to_string(mkt.send_id) + " RecvID=" + std::to_string(mkt.recv_id) + " ";
  out += mac_row.mac_name;
  out += "/";
  out += kdf_row.kdf_name;
  out += mkt.params.include_options ? " options=included " : " options=excluded ";
  out += crypto::to_string(mkt.secret);
  return out;
}

std::ostream& operator<<(std::ostream& os, const Mkt& mkt) {
  return os << to_string(mkt);
}

}  // namespace aotls::keys
