// bgpd/daemon/commands.cpp - the control API commands (bgpcli's server side).
//
// Requests are {"command": NAME, "args": {...}} (bgpd/api/protocol.hpp);
// each handler validates its arguments and answers JSON.
#include <fmt/format.h>

#include "bgpd/daemon/ao_status.hpp"
#include "bgpd/daemon/daemon.hpp"

namespace bgpd::daemon {

using nlohmann::json;

namespace {

// An optional string argument; a present non-string is an error.
common::Expected<std::optional<std::string>, std::string> string_arg(const json& args,
                                                                     const char* name) {
  if (!args.is_object() || !args.contains(name) || args[name].is_null()) {
    return std::optional<std::string>{};
  }
  if (!args[name].is_string()) return common::Unexpected(fmt::format("'{}' must be a string", name));
  return std::optional<std::string>{args[name].get<std::string>()};
}

common::Expected<std::optional<wire::IpAddress>, std::string> address_arg(const json& args) {
  auto text = string_arg(args, "address");
  if (!text) return common::Unexpected(text.error());
  if (!*text) return std::optional<wire::IpAddress>{};
  auto address = wire::IpAddress::parse(**text);
  if (!address) return common::Unexpected(fmt::format("'{}' is not an IP address", **text));
  return std::optional<wire::IpAddress>{*address};
}

json attributes_json(const wire::PathAttributes& a) {
  json communities = json::array();
  for (auto c : a.communities) communities.push_back(fmt::format("{}:{}", c >> 16, c & 0xFFFF));
  json large = json::array();
  for (const auto& l : a.large_communities) {
    large.push_back(fmt::format("{}:{}:{}", l.global_admin, l.local_data1, l.local_data2));
  }
  static constexpr const char* kOrigins[] = {"igp", "egp", "incomplete"};
  json out = {{"as_path", a.as_path.to_string()},
              {"origin", kOrigins[static_cast<int>(a.origin) % 3]},
              {"communities", communities},
              {"large_communities", large}};
  out["next_hop"] = a.next_hop ? json(a.next_hop->to_string()) : json();
  out["med"] = a.med ? json(*a.med) : json();
  out["local_pref"] = a.local_pref ? json(*a.local_pref) : json();
  if (a.atomic_aggregate) out["atomic_aggregate"] = true;
  return out;
}

}  // namespace

json Daemon::show_neighbors(const std::optional<wire::IpAddress>& address) const {
  json out = json::array();
  for (const auto& [peer_address, peer] : peers_) {
    if (address && *address != peer_address) continue;
    json entry = peer->status();
    if (auto counters = rib_.counters(peer->id())) {
      entry["prefixes"] = {{"received", counters->received},
                           {"accepted", counters->accepted},
                           {"rejected", counters->rejected},
                           {"withdrawn", counters->withdrawn},
                           {"advertised", counters->advertised}};
    }
    out.push_back(std::move(entry));
  }
  return out;
}

json Daemon::show_rib(std::optional<wire::Afi> family,
                      const std::optional<wire::Prefix>& prefix) const {
  auto source_name = [this](rib::PeerId id) -> std::string {
    if (id == rib::kLocalSource) return "local";
    const Peer* peer = find_peer(id);
    return peer ? peer->neighbor().address.to_string() : fmt::format("peer {}", id);
  };
  json routes = json::array();
  auto add = [&](const wire::Prefix& p) {
    json paths = json::array();
    for (const auto& explained : rib_.explain(p)) {
      json path = attributes_json(*explained.path.attrs);
      path["source"] = source_name(explained.path.source);
      path["best"] = !explained.eliminated_by.has_value();
      if (explained.eliminated_by) {
        path["eliminated_by"] = fmt::format("{}: {}", rib::rfc_reference(*explained.eliminated_by),
                                            rib::describe(*explained.eliminated_by));
      }
      paths.push_back(std::move(path));
    }
    if (!paths.empty()) routes.push_back({{"prefix", p.to_string()}, {"paths", std::move(paths)}});
  };
  if (prefix) {
    add(*prefix);
  } else {
    std::vector<wire::Prefix> prefixes;
    rib_.for_each_best([&](const wire::Prefix& p, const rib::Path&) {
      if (!family || p.family() == *family) prefixes.push_back(p);
    });
    std::sort(prefixes.begin(), prefixes.end());
    for (const auto& p : prefixes) add(p);
  }
  return {{"routes", std::move(routes)}, {"loc_rib_size", rib_.loc_rib_size()}};
}

json Daemon::show_config() const { return config::to_canonical_json(config_); }

common::Expected<json, std::string> Daemon::clear_neighbor(const wire::IpAddress& address,
                                                           const std::string& mode) {
  Peer* peer = find_peer(address);
  if (!peer) return common::Unexpected("no neighbor " + address.to_string());
  if (mode == "hard") {
    peer->reset("cleared by operator");
    return json{{"address", address.to_string()}, {"cleared", "hard"}};
  }
  if (!peer->established()) return common::Unexpected("neighbor is not established");
  if (mode == "in" || mode == "both") {
    // Soft reconfiguration inbound (pre-policy Adj-RIB-In kept), else
    // ROUTE-REFRESH (RFC 2918).
    auto reload = rib_.set_import_policy(peer->id(), chain_for(peer->neighbor(), true));
    if (reload) {
      apply(reload->changes);
      if (reload->route_refresh_needed) peer->request_route_refresh();
    }
  }
  if (mode == "out" || mode == "both") {
    auto changes = rib_.set_export_policy(peer->id(), chain_for(peer->neighbor(), false));
    if (changes) apply(*changes);
  }
  return json{{"address", address.to_string()}, {"cleared", "soft " + mode}};
}

common::Expected<json, std::string> Daemon::rekey_neighbor(const wire::IpAddress& address) {
  Peer* peer = find_peer(address);
  if (!peer) return common::Unexpected("no neighbor " + address.to_string());
  auto generation = peer->start_rollover();
  if (!generation) return common::Unexpected(generation.error());
  return json{{"address", address.to_string()}, {"rollover", "started"},
              {"generation", *generation}};
}

void Daemon::register_commands(api::CommandRegistry& registry) {
  registry.add("show neighbors", "neighbors with state and counters; args: address?",
               [this](const json& args) -> api::CommandResult {
                 auto address = address_arg(args);
                 if (!address) return common::Unexpected(address.error());
                 if (*address && !find_peer(**address)) {
                   return common::Unexpected("no neighbor " + (*address)->to_string());
                 }
                 return show_neighbors(*address);
               });
  registry.add("show rib", "Loc-RIB with every candidate path; args: family? (ipv4|ipv6), prefix?",
               [this](const json& args) -> api::CommandResult {
                 auto family_text = string_arg(args, "family");
                 auto prefix_text = string_arg(args, "prefix");
                 if (!family_text) return common::Unexpected(family_text.error());
                 if (!prefix_text) return common::Unexpected(prefix_text.error());
                 std::optional<wire::Afi> family;
                 if (*family_text == std::optional<std::string>("ipv4")) family = wire::Afi::Ipv4;
                 else if (*family_text == std::optional<std::string>("ipv6")) family = wire::Afi::Ipv6;
                 else if (*family_text) return common::Unexpected("family must be ipv4 or ipv6");
                 std::optional<wire::Prefix> prefix;
                 if (*prefix_text) {
                   prefix = wire::Prefix::parse(**prefix_text);
                   if (!prefix) return common::Unexpected("'" + **prefix_text + "' is not a prefix");
                 }
                 return show_rib(family, prefix);
               });
  registry.add("rekey neighbor",
               "start a TCP-AO key rollover now (TLS-derived keys); args: address",
               [this](const json& args) -> api::CommandResult {
                 auto address = address_arg(args);
                 if (!address) return common::Unexpected(address.error());
                 if (!*address) return common::Unexpected("'address' is required");
                 return rekey_neighbor(**address);
               });
  registry.add("clear neighbor",
               "reset a session; args: address, soft? (in|out|both; absent: hard reset)",
               [this](const json& args) -> api::CommandResult {
                 auto address = address_arg(args);
                 if (!address) return common::Unexpected(address.error());
                 if (!*address) return common::Unexpected("'address' is required");
                 auto soft = string_arg(args, "soft");
                 if (!soft) return common::Unexpected(soft.error());
                 const std::string mode = soft->value_or("hard");
                 if (mode != "hard" && mode != "in" && mode != "out" && mode != "both") {
                   return common::Unexpected("soft must be in, out or both");
                 }
                 return clear_neighbor(**address, mode);
               });
  registry.add("reload", "re-read the configuration file and apply it",
               [this](const json&) -> api::CommandResult { return reload(); });
  registry.add("show config", "the configuration in force, canonical, secrets redacted",
               [this](const json&) -> api::CommandResult { return show_config(); });
  registry.add("show ao", "the TCP-AO backend: kind, kernel probe, userspace queues and drops",
               [this](const json&) -> api::CommandResult {
                 if (!ao_) return json{{"backend", nullptr}, {"reason", "no neighbor derives TCP-AO keys"}};
                 return to_json(*ao_);
               });
}

}  // namespace bgpd::daemon
