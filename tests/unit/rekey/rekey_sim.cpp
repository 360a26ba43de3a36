#include "tests/unit/rekey/rekey_sim.hpp"

#include <gtest/gtest.h>

#include <utility>

#include "common/overloaded.hpp"

namespace aotls::rekey::testing {

using keys::testing::sim_secrets;

std::string describe(const RekeyAction& action) {
  return std::visit(common::Overloaded{
                        [](const Kick&) { return std::string("kick"); },
                        [](const keys::InstallKey& a) {
                          return "install " + std::to_string(a.mkt.send_id) + "/" +
                                 std::to_string(a.mkt.recv_id);
                        },
                        [](const auto& a) { return keys::testing::describe(keys::KeyAction{a}); },
                    },
                    action);
}

RekeySim::RekeySim(Options options)
    : TwoEndpointNetwork(options.rto),
      options_(options),
      client_(Side::Client, options.client_config),
      server_(Side::Server, options.server_config) {}

void RekeySim::open_from_default() {
  add_default_mkts();
  feed(Side::Client, keys::DefaultMktInstalled{});
  feed(Side::Server, keys::DefaultMktInstalled{});
  // Profile section 3: the server installs before its flight leaves, the
  // client before its Finished; then traffic both ways retires the default.
  feed(Side::Server, sim_secrets(1, options_.client_params, options_.server_params));
  feed(Side::Client, sim_secrets(1, options_.client_params, options_.server_params));
  for (int round = 0; round < 100; ++round) {
    if (client_.machine.phase() != RekeyPhase::Installing &&
        server_.machine.phase() != RekeyPhase::Installing) {
      return;
    }
    send(Side::Client);
    send(Side::Server);
    EXPECT_TRUE(deliver_all());
    advance(Duration{100});
  }
  ADD_FAILURE() << "the machines did not leave Installing";
}

void RekeySim::resume_at(Generation g) {
  // One fake after the other, before any segment: the invariant is checked
  // once both are set up.
  check_invariant_on_every_step(false);
  for (Side side : {Side::Client, Side::Server}) {
    RekeyEndpoint& ep = endpoint(side);
    auto resumed = RekeyMachine::resume(
        side, side == Side::Client ? options_.client_config : options_.server_config,
        sim_secrets(g, options_.client_params, options_.server_params),
        sim_secrets(g + 1, options_.client_params, options_.server_params), now());
    ASSERT_TRUE(resumed) << to_string(resumed.error());
    ep.machine = std::move(resumed->machine);
    for (RekeyAction& action : resumed->actions) run(side, action);
  }
  check_invariant_on_every_step(true);
}

std::optional<RekeyError> RekeySim::feed(Side side, RekeyEvent event) {
  const auto refusal = try_feed(side, std::move(event));
  if (refusal) ADD_FAILURE() << to_string(side) << ": " << to_string(*refusal);
  return refusal;
}

std::optional<RekeyError> RekeySim::try_feed(Side side, RekeyEvent event) {
  auto actions = endpoint(side).machine.handle(std::move(event));
  if (!actions) return actions.error();
  for (RekeyAction& action : *actions) run(side, action);
  return std::nullopt;
}

std::vector<std::uint64_t> RekeySim::send_kicks(Side side) {
  std::vector<std::uint64_t> numbers;
  RekeyEndpoint& ep = endpoint(side);
  for (; ep.owed_kicks > 0; --ep.owed_kicks) numbers.push_back(send(side));
  return numbers;
}

void RekeySim::run(Side side, RekeyAction& action) {
  RekeyEndpoint& ep = endpoint(side);
  std::visit(
      common::Overloaded{
          [&](keys::PollBackend&) { feed(side, poll(side)); },
          [&](keys::DeriveSecrets& a) {
            ep.trace.push_back("derive g=" + std::to_string(a.generation));
            feed(side, sim_secrets(a.generation, options_.client_params, options_.server_params));
          },
          [&](Kick&) {
            ep.trace.push_back("kick");
            ++ep.kicks;
            ++ep.owed_kicks;
          },
          [&](auto& backend_call) {
            const bool deletes =
                std::is_same_v<std::decay_t<decltype(backend_call)>, keys::DeleteKey>;
            const std::size_t before = ep.socket.keys().size();
            if constexpr (std::is_same_v<std::decay_t<decltype(backend_call)>, keys::InstallKey>) {
              installed_ids_.push_back(backend_call.mkt.send_id);
            }
            carry_out(side, keys::KeyAction{std::move(backend_call)});
            if (deletes && ep.socket.keys().size() < before) ++ep.deletions;
            ep.most_keys = std::max(ep.most_keys, ep.socket.keys().size());
          },
      },
      action);
}

}  // namespace aotls::rekey::testing
