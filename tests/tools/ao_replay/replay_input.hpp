// tests/tools/ao_replay/replay_input.hpp - ao_replay's two JSON inputs: the
// MKTs (the key-list format tests/tools/ao_verify/keys.py accepts) and the
// repaired endpoints (Linux's TCP_AO_REPAIR values plus the TCP_REPAIR
// sequence numbers, one object per receiving socket).
//
// Errors are one line naming the file and the JSON pointer of the bad
// value ("keys.json: /keys/0/algorithm: unknown algorithm"); they never
// quote a secret, nor the file text around a syntax error.
#pragma once

#include <string>
#include <vector>

#include "aotls/backend/userspace/connection.hpp"
#include "aotls/backend/userspace/flow.hpp"
#include "aotls/keys/mkt.hpp"
#include "common/expected.hpp"

namespace ao_replay {

// {"keys": [{"send_id", "recv_id", "secret" | "secret_hex", "algorithm",
// "include_options"}]} or the bare list. algorithm: hmac-sha1-96 (default),
// hmac-sha-1-96, aes-128-cmac-96; include_options defaults to true (RFC
// 5925 section 3.1). At least one key.
common::Expected<std::vector<aotls::keys::Mkt>, std::string> load_keys(const std::string& path);

// One receiving socket restored with TCP_AO_REPAIR: its 4-tuple and state.
struct ReplayEndpoint {
  std::string local_text;  // the addresses as the file spells them, for reports
  std::string remote_text;
  aotls::backend::userspace::FlowTuple tuple;
  aotls::backend::userspace::ConnectionRepair repair;
};

// {"endpoints": [{"local", "local_port", "remote", "remote_port",
// "snt_isn", "rcv_isn", "snd_sne", "rcv_sne", "snd_una", "rcv_nxt"}]}:
// addresses IPv4 or IPv6 (same family), numbers host-order unsigned.
common::Expected<std::vector<ReplayEndpoint>, std::string> load_endpoints(const std::string& path);

}  // namespace ao_replay
