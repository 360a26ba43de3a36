// tests/vectors/rfc9235_vectors.hpp - the RFC 9235 TCP-AO vectors as test parameters.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "aotls/crypto/algorithms.hpp"
#include "aotls/segment/traffic_keys.hpp"

namespace aotls::test {

struct Rfc9235Vector {
  std::string name;
  std::string test_name;  // `name` reduced to [A-Za-z0-9_] for ctest
  crypto::MacAlgorithm alg{};
  crypto::KdfAlgorithm kdf{};
  int ip_version = 0;
  bool include_options = true;
  std::vector<std::uint8_t> mkt;
  segment::TrafficKeyKind kind{};
  std::uint32_t send_isn = 0;  // ISN of the segment's sender
  std::uint32_t recv_isn = 0;  // ISN of its receiver (0 in the SYN vectors)
  std::uint32_t client_isn = 0;
  std::uint32_t server_isn = 0;
  std::string src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t keyid = 0, rnext_keyid = 0;
  std::uint32_t sne = 0;
  std::size_t maclen = 0;
  std::vector<std::uint8_t> kdf_context;
  std::vector<std::uint8_t> traffic_key;
  std::vector<std::uint8_t> packet;
  std::vector<std::uint8_t> expected_mac;
  std::vector<std::uint8_t> mac_input;
};

// All vectors of BGPD_SHARED_DIR/vectors/rfc9235.json, or none when the file
// is missing or malformed; rfc9235_load_error() then says why (a test
// asserts it is empty, so a broken file fails loudly, not by omission).
const std::vector<Rfc9235Vector>& rfc9235_vectors();
const std::string& rfc9235_load_error();

// The ISN of the vector segment's receiver, whatever the segment (the SYN
// vectors carry recv_isn 0 because their context zeroes it).
inline std::uint32_t receiver_isn(const Rfc9235Vector& v) {
  return v.send_isn == v.client_isn ? v.server_isn : v.client_isn;
}

inline void PrintTo(const Rfc9235Vector& vector, std::ostream* os) {
  *os << vector.name;
}

}  // namespace aotls::test
