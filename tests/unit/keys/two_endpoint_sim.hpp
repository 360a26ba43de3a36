// tests/unit/keys/two_endpoint_sim.hpp - a client and a server, each a
// KeyInstaller driving a FakeAoSocket, over TwoEndpointNetwork (which checks
// the two-endpoint invariant of profile section 4 after every step).
//
// Every action a machine emits is carried out on its fake at once (as the
// shell does, synchronously).
#pragma once

#include "aotls/keys/key_installer.hpp"
#include "tests/unit/keys/two_endpoint_network.hpp"

namespace aotls::keys::testing {

struct Endpoint : EndpointCore {
  explicit Endpoint(Side s) : EndpointCore(s), machine(s) {}
  KeyInstaller machine;
};

class TwoEndpointSim : public TwoEndpointNetwork {
 public:
  struct Options {
    MktParams client_params;  // what the client announces (and sends with)
    MktParams server_params;
    Duration rto{200};
  };

  explicit TwoEndpointSim(Options options);

  Endpoint& endpoint(Side side) { return side == Side::Client ? client_ : server_; }
  const Endpoint& endpoint(Side side) const { return side == Side::Client ? client_ : server_; }

  // Both: add the default MKT to the fake (before connect/listen), then
  // tell the machine.
  void install_default_mkts();
  // The side's TLS stack exported both secrets of g.
  void derive(Side side, Generation g);
  // Feeds one event and carries out every action it produces.
  void feed(Side side, KeyEvent event);

 protected:
  EndpointCore& core(Side side) override { return endpoint(side); }
  const EndpointCore& core(Side side) const override { return endpoint(side); }
  void tick(Side side) override { feed(side, TimePassed{now()}); }

 private:
  void run(Side side, KeyAction& action);

  Options options_;
  Endpoint client_{Side::Client};
  Endpoint server_{Side::Server};
};

}  // namespace aotls::keys::testing
