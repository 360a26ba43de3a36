// tests/tools/ao_replay/replay.hpp - verifies captured TCP-AO segments with
// the user-space engine (aotls/backend/userspace) on connections restored by
// UserspaceTcpAo::repair, the counterpart of Linux's TCP_AO_REPAIR: a
// capture that starts mid-connection (no SYN, e.g. a TCP_REPAIR-restored
// socket near the 2^32 sequence wrap) carries no ISNs for the engine to
// learn, so each receiving endpoint is given them with its SNE references.
//
// One engine per endpoint: every key is installed for the remote host,
// Current_key / RNext_key are the first key's, and each captured segment
// travelling remote -> local on the endpoint's 4-tuple goes through
// inbound(). Other packets are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aotls/backend/userspace/engine.hpp"
#include "common/expected.hpp"
#include "tests/tools/ao_replay/replay_input.hpp"

namespace ao_replay {

struct Failure {
  std::uint64_t frame = 0;
  std::uint32_t seq = 0;
  std::uint32_t sne = 0;  // the SNE the engine verified with
  std::string reason;
};

struct EndpointReport {
  std::string local;  // the addresses as REPAIR.json spells them
  std::uint16_t local_port = 0;
  std::string remote;
  std::uint16_t remote_port = 0;
  std::uint64_t verified = 0;
  std::uint64_t total = 0;
  std::optional<std::uint32_t> min_sne;  // over verified segments
  std::optional<std::uint32_t> max_sne;
  std::uint32_t final_receive_sne = 0;  // the receive reference after the run
  std::vector<Failure> failures;        // the first kMaxFailures
  std::uint64_t failures_omitted = 0;

  bool ok() const { return total > 0 && verified == total; }
};

inline constexpr std::size_t kMaxFailures = 20;

// "127.0.0.1:40010", "[2001:db8::1]:179".
std::string endpoint_text(const std::string& address, std::uint16_t port);

class Replay {
 public:
  // Installs the keys and repairs every endpoint's connection; an error
  // (a key the engine refuses) names the keys file and the key's index.
  static common::Expected<Replay, std::string> create(const std::vector<aotls::keys::Mkt>& keys,
                                                      const std::vector<ReplayEndpoint>& endpoints,
                                                      const std::string& keys_path);

  // One captured IP packet.
  void feed(std::uint64_t frame, std::span<const std::uint8_t> ip);

  std::vector<EndpointReport> reports() const;

 private:
  struct Endpoint {
    aotls::backend::userspace::FlowTuple tuple;
    std::unique_ptr<aotls::backend::userspace::UserspaceTcpAo> engine;
    aotls::backend::userspace::SocketId socket = 0;
    EndpointReport report;
  };

  std::vector<Endpoint> endpoints_;
  std::vector<std::uint8_t> scratch_;  // the engine rewrites packets in place
};

}  // namespace ao_replay
