// bgpd/daemon/reload.cpp - applying a configuration reload plan.
//
// The plan (bgpd/config/reload.hpp) says per field how it takes effect. A
// reload that needs a restart (identity, listener) is refused whole, so a
// configuration is never half applied; everything else is applied without
// touching sessions whose settings did not change.
#include <fmt/format.h>

#include "bgpd/config/reload.hpp"
#include "bgpd/daemon/ao_settings.hpp"
#include "bgpd/daemon/daemon.hpp"

namespace bgpd::daemon {

using nlohmann::json;

void Daemon::add_peer_logged(const config::NeighborConfig& neighbor) {
  if (auto added = add_ao_neighbor(neighbor); !added) log_.error("reload: {}", added.error());
  add_peer(neighbor);
}

common::Expected<json, std::string> Daemon::reload() {
  auto loaded = load_config(options_.config_path);
  if (!loaded) {
    std::string text = fmt::format("{} refused, nothing applied:", options_.config_path);
    for (const auto& e : loaded.error()) text += "\n  " + e;
    return common::Unexpected(text);
  }
  auto plan = config::plan_reload(config_, loaded->config);
  if (plan.restart_required() || plan.rerun_decision) {
    std::string fields;
    for (const auto& f : plan.restart_fields) fields += (fields.empty() ? "" : ", ") + f;
    if (plan.rerun_decision) fields += std::string(fields.empty() ? "" : ", ") + "decision settings";
    return common::Unexpected("reload refused, nothing applied: a restart is needed for " + fields);
  }
  // The TCP-AO backend (NFQUEUE rules, queues) starts with the daemon.
  if (!ao_ && any_uses_ao(loaded->config)) {
    return common::Unexpected(
        "reload refused, nothing applied: a restart is needed for the first neighbor with "
        "TCP-AO (the TCP-AO backend starts with bgpd)");
  }
  config_ = std::move(loaded->config);
  policies_ = std::move(loaded->policies);
  // Certificates and keys are re-read on every reload (renewed files apply
  // to the next connections; established sessions keep theirs).
  transports_.set_tls(std::move(loaded->tls));

  json report = json::array();
  for (const auto& n : plan.neighbors) {
    const auto* neighbor = config_.find_neighbor(n.address);
    report.push_back({{"address", n.address.to_string()},
                      {"change", std::string(config::to_string(n.change))},
                      {"fields", n.fields}});
    switch (n.change) {
      case config::NeighborChange::Unchanged:
        break;
      case config::NeighborChange::Removed:
        remove_peer(n.address, wire::CeaseSubcode::PeerDeconfigured);
        break;
      case config::NeighborChange::Added:
        add_peer_logged(*neighbor);
        break;
      case config::NeighborChange::ResetRequired:
        remove_peer(n.address, wire::CeaseSubcode::OtherConfigurationChange);
        add_peer_logged(*neighbor);
        break;
      case config::NeighborChange::Soft: {
        // A changed static key chain rolls live, make-before-break (profile
        // section 4): the listeners' keys now, the session's through its
        // chain (Peer::update_neighbor). The plan resets when it cannot.
        if (n.keys_changed && ao_) {
          if (auto updated = ao_->update_peer(ao_peer_of(*neighbor)); !updated) {
            log_.error("reload: {}: {}", n.address.to_string(), updated.error());
          }
        }
        Peer* peer = find_peer(n.address);
        if (!peer) break;
        peer->update_neighbor(*neighbor);
        if (!peer->established()) break;
        if (n.soft_reset_in) {
          auto in = rib_.set_import_policy(peer->id(), chain_for(*neighbor, true));
          if (in) {
            apply(in->changes);
            if (in->route_refresh_needed) peer->request_route_refresh();
          }
        }
        if (n.soft_reset_out) {
          auto out = rib_.set_export_policy(peer->id(), chain_for(*neighbor, false));
          if (out) apply(*out);
        }
        break;
      }
    }
  }
  for (const auto& prefix : plan.networks_removed) apply(rib_.withdraw_originated(prefix));
  for (const auto& network : config_.networks) {
    const auto is = [&](const std::vector<wire::Prefix>& list) {
      return std::find(list.begin(), list.end(), network.prefix) != list.end();
    };
    if (is(plan.networks_added) || is(plan.networks_changed)) originate(network);
  }
  log_.info("configuration reloaded: {} neighbor changes, {} networks added, {} removed",
            report.size(), plan.networks_added.size(), plan.networks_removed.size());
  return json{{"reloaded", options_.config_path},
              {"neighbors", report},
              {"live_fields", plan.live_fields},
              {"networks_added", plan.networks_added.size()},
              {"networks_removed", plan.networks_removed.size()},
              {"networks_changed", plan.networks_changed.size()}};
}

}  // namespace bgpd::daemon
