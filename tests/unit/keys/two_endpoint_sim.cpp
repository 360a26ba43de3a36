#include "tests/unit/keys/two_endpoint_sim.hpp"

#include <gtest/gtest.h>

#include <utility>

namespace aotls::keys::testing {

TwoEndpointSim::TwoEndpointSim(Options options)
    : TwoEndpointNetwork(options.rto), options_(options) {}

void TwoEndpointSim::install_default_mkts() {
  add_default_mkts();
  feed(Side::Client, DefaultMktInstalled{});
  feed(Side::Server, DefaultMktInstalled{});
}

void TwoEndpointSim::derive(Side side, Generation g) {
  feed(side, sim_secrets(g, options_.client_params, options_.server_params));
}

void TwoEndpointSim::feed(Side side, KeyEvent event) {
  auto actions = endpoint(side).machine.handle(std::move(event));
  ASSERT_TRUE(actions) << to_string(side) << ": " << to_string(actions.error());
  for (KeyAction& action : *actions) run(side, action);
}

void TwoEndpointSim::run(Side side, KeyAction& action) {
  if (std::holds_alternative<PollBackend>(action)) {
    feed(side, poll(side));
    return;
  }
  if (const auto* derive_request = std::get_if<DeriveSecrets>(&action)) {
    endpoint(side).trace.push_back(describe(action));
    derive(side, derive_request->generation);
    return;
  }
  carry_out(side, action);
}

}  // namespace aotls::keys::testing
