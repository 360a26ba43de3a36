// tests/unit/userspace/pair_fixture.hpp - two user-space TCP-AO engines, a
// client and a server, keyed as the profile's layout does (section 3), with
// the packets a kernel without TCP-AO would produce on each side.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "aotls/backend/userspace/engine.hpp"
#include "aotls/crypto/algorithms.hpp"
#include "aotls/keys/mkt.hpp"
#include "packet_builder.hpp"

namespace aotls::backend::userspace::testing {

struct PairParams {
  bool ipv6 = false;
  crypto::MacAlgorithm mac = crypto::MacAlgorithm::HmacSha1_96;
  bool include_options = false;
};
void PrintTo(const PairParams& params, std::ostream* os);
std::string pair_param_name(const ::testing::TestParamInfo<PairParams>& info);
std::vector<PairParams> all_pair_params();

keys::Mkt make_mkt(keys::KeyId send_id, keys::KeyId recv_id, const PairParams& params,
                   std::uint8_t secret_seed);

// One packet's trip: the sender's verdict, the wire bytes, the receiver's
// verdict and what its kernel gets.
struct Trip {
  Verdict sent;
  std::vector<std::uint8_t> wire;
  Verdict received;
  std::vector<std::uint8_t> delivered;
};

class EnginePair {
 public:
  static constexpr std::uint16_t kClientPort = 40179;
  static constexpr std::uint16_t kServerPort = 179;
  static constexpr keys::KeyId kClientSendId = 1;  // c(1)
  static constexpr keys::KeyId kServerSendId = 2;  // s(1)

  explicit EnginePair(const PairParams& params, EngineOptions options = {});

  // Client SYN, server SYN-ACK, client ACK; all must pass both ends.
  void handshake(std::uint32_t client_isn, std::uint32_t server_isn);

  // Plain segments as the kernels would write them.
  TcpSpec from_client(std::uint8_t flags, std::vector<std::uint8_t> payload = {}) const;
  TcpSpec from_server(std::uint8_t flags, std::vector<std::uint8_t> payload = {}) const;

  Trip client_to_server(const std::vector<std::uint8_t>& plain);
  Trip server_to_client(const std::vector<std::uint8_t>& plain);

  KeyRing& client_keys() { return *client.keys(client_socket); }
  KeyRing& server_keys();  // the accepted connection's
  KeyRing& listener_keys() { return *server.keys(listener_socket); }
  segment::IpAddress client_addr, server_addr;
  PairParams params;
  UserspaceTcpAo client, server;
  SocketId client_socket = 0, listener_socket = 0;
  std::uint32_t client_next = 0, server_next = 0;  // next sequence numbers
};

}  // namespace aotls::backend::userspace::testing
