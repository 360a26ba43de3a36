// tests/unit/rekey/rekey_sim.hpp - a client and a server, each a
// RekeyMachine driving a FakeAoSocket, over TwoEndpointNetwork (which checks
// the two-endpoint invariant of profile section 4 after every backend call,
// send, loss and delivery).
//
// Every action is carried out at once, as the shell does. A Kick is counted
// as owed: the test decides when its segment leaves (and whether the
// network loses it), like bgpd's KEEPALIVE would.
#pragma once

#include <optional>
#include <string>

#include "aotls/rekey/rekey_machine.hpp"
#include "tests/unit/keys/two_endpoint_network.hpp"

namespace aotls::rekey::testing {

using keys::KeyId;
using keys::MktParams;
using keys::Side;
using keys::testing::EndpointCore;

// keys::testing::describe's words, and "kick".
std::string describe(const RekeyAction& action);

struct RekeyEndpoint : EndpointCore {
  RekeyEndpoint(Side s, RekeyConfig config) : EndpointCore(s), machine(s, config) {}
  RekeyMachine machine;
  std::size_t kicks = 0;       // Kick actions in total
  std::size_t owed_kicks = 0;  // Kicks not yet answered by a segment
  std::size_t deletions = 0;   // DeleteKey actions the fake accepted
  std::size_t most_keys = 0;   // the most MKTs the fake ever held at once
};

class RekeySim : public keys::testing::TwoEndpointNetwork {
 public:
  struct Options {
    MktParams client_params;
    MktParams server_params;
    Duration rto{200};
    RekeyConfig client_config;
    RekeyConfig server_config;
  };

  explicit RekeySim(Options options);

  RekeyEndpoint& endpoint(Side side) { return side == Side::Client ? client_ : server_; }
  const RekeyEndpoint& endpoint(Side side) const {
    return side == Side::Client ? client_ : server_;
  }

  // From the default MKT to both machines Ready at generation 1 (2
  // installed): the handshake's installs, then traffic both ways until the
  // default MKT is retired on both sides (bounded).
  void open_from_default();
  // Both sides start at generation g (g+1 installed) on empty fakes: the
  // test-only shortcut to a KeyID wrap.
  void resume_at(Generation g);

  // Feeds one event and carries out every action; a refused event is a
  // test failure, and is returned.
  std::optional<RekeyError> feed(Side side, RekeyEvent event);
  // The same, for an event the machine may refuse (the operator command
  // while a rollover is open): the refusal is returned, not a failure.
  std::optional<RekeyError> try_feed(Side side, RekeyEvent event);
  // Sends the side's owed kicks (each a segment in the channel); returns
  // their numbers.
  std::vector<std::uint64_t> send_kicks(Side side);
  // Every KeyID the two sides have carried out an InstallKey for, in order.
  const std::vector<KeyId>& installed_ids() const { return installed_ids_; }

 protected:
  EndpointCore& core(Side side) override { return endpoint(side); }
  const EndpointCore& core(Side side) const override { return endpoint(side); }
  void tick(Side side) override { feed(side, keys::TimePassed{now()}); }

 private:
  void run(Side side, RekeyAction& action);

  Options options_;
  RekeyEndpoint client_;
  RekeyEndpoint server_;
  std::vector<KeyId> installed_ids_;
};

}  // namespace aotls::rekey::testing
