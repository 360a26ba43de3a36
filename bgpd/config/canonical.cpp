// bgpd/config/canonical.cpp - Config -> canonical JSON.
//
// Canonical means: every default filled (unset optional values print as
// null), object keys sorted (nlohmann::json keeps them in a std::map),
// neighbors sorted by address, networks by prefix, sets sorted; lists whose
// order matters (prefix list entries, terms, import/export chains) keep it.
// Policy match/set objects list only the conditions and actions given.
// parse_config(to_canonical_text(c, Reveal)) gives c back (a round-trip test
// and the fuzz target check it).
#include <string>

#include "bgpd/config/config.hpp"
#include "bgpd/config/values.hpp"
#include "common/hex.hpp"

namespace bgpd::config {
namespace {

using Json = nlohmann::json;

template <class T, class F>
Json optional_json(const std::optional<T>& value, F&& to_json) {
  return value ? Json(to_json(*value)) : Json(nullptr);
}

Json optional_string(const std::optional<std::string>& value) {
  return optional_json(value, [](const std::string& s) { return Json(s); });
}

Json address_json(const wire::IpAddress& a) { return a.to_string(); }

template <class T, class F>
Json list_json(const std::vector<T>& items, F&& to_json) {
  Json out = Json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

Json secret_json(const Secret& secret, Secrets mode, bool as_hex) {
  if (mode == Secrets::Redact) return secret.to_string();
  if (as_hex) return common::to_hex(secret.bytes());
  return std::string(secret.bytes().begin(), secret.bytes().end());
}

Json lifetime_json(const Lifetime& life) {
  return {{"start", optional_json(life.start, format_utc_time)},
          {"end", optional_json(life.end, format_utc_time)}};
}

Json key_json(const AoKey& key, Secrets secrets) {
  return {{"id", key.id},
          {"send_id", key.send_id},
          {"recv_id", key.recv_id},
          {"secret_hex", secret_json(key.secret, secrets, true)},
          {"algorithm", enum_name(kMacAlgorithms, key.algorithm)},
          {"include_options", key.include_options},
          {"send_lifetime", lifetime_json(key.send_lifetime)},
          {"accept_lifetime", lifetime_json(key.accept_lifetime)}};
}

Json ao_json(const NeighborAoConfig& ao, Secrets secrets) {
  Json keychain = nullptr;
  if (!ao.keychain.empty()) {
    keychain = list_json(ao.keychain, [&](const AoKey& k) { return key_json(k, secrets); });
  }
  return {{"mode", enum_name(kAoModes, ao.mode)},
          {"announce",
           {{"prot", ao.announce.prot}, {"auth", ao.announce.auth}, {"kdf", ao.announce.kdf}}},
          {"rekey_interval", optional_json(ao.rekey_interval, format_duration)},
          {"rekey_after_bytes",
           optional_json(ao.rekey_after_bytes, [](std::uint64_t b) { return Json(b); })},
          {"fallback_after", ao.fallback_after},
          {"keychain", std::move(keychain)}};
}

Json tls_json(const NeighborTlsConfig& tls) {
  return {{"mode", enum_name(kTlsModes, tls.mode)},
          {"fallback_after", tls.fallback_after},
          {"handshake_timeout", format_duration(tls.handshake_timeout)},
          {"peer_name", optional_string(tls.peer_name)}};
}

Json names_json(const std::optional<std::vector<std::string>>& names) {
  return optional_json(names, [](const std::vector<std::string>& v) { return Json(v); });
}

Json neighbor_json(const NeighborConfig& n, Secrets secrets) {
  return {{"address", n.address.to_string()},
          {"asn", n.asn},
          {"description", n.description},
          {"port", n.port},
          {"local_address", optional_json(n.local_address, address_json)},
          {"passive", n.passive},
          {"hold_time", format_duration(n.hold_time)},
          {"keepalive", format_duration(n.keepalive)},
          {"connect_retry", format_duration(n.connect_retry)},
          {"families", list_json(n.families, [](Family f) { return enum_name(kFamilies, f); })},
          {"next_hop_self", n.next_hop_self},
          {"import", names_json(n.import_policies)},
          {"export", names_json(n.export_policies)},
          {"md5", optional_json(n.md5, [&](const Secret& s) { return secret_json(s, secrets, false); })},
          {"tls", tls_json(n.tls)},
          {"ao", ao_json(n.ao, secrets)},
          {"fallback", enum_name(kFallbacks, n.fallback)},
          {"shutdown", n.shutdown},
          {"route_refresh", n.route_refresh}};
}

Json global_json(const GlobalConfig& g) {
  return {{"asn", g.asn},
          {"router_id", g.router_id.to_string()},
          {"listen", {{"addresses", list_json(g.listen.addresses, address_json)},
                      {"port", g.listen.port}}},
          {"hold_time", format_duration(g.hold_time)},
          {"keepalive", format_duration(g.keepalive)},
          {"connect_retry", format_duration(g.connect_retry)},
          {"log", {{"level", enum_name(kLogLevels, g.log.level)},
                   {"format", enum_name(kLogFormats, g.log.format)}}},
          {"control_socket", g.control_socket},
          {"ao", {{"backend", enum_name(kAoBackends, g.ao.backend)},
                  {"tls_extension_type", g.ao.tls_extension_type},
                  {"keylog_file", optional_string(g.ao.keylog_file)},
                  {"nfqueue_base", g.ao.nfqueue_base}}},
          {"tls", {{"ca_file", optional_string(g.tls.ca_file)},
                   {"cert_file", optional_string(g.tls.cert_file)},
                   {"key_file", optional_string(g.tls.key_file)}}},
          {"always_compare_med", g.always_compare_med},
          {"default_local_pref", g.default_local_pref}};
}

Json communities_json(const std::vector<wire::Community>& list) {
  return list_json(list, format_community);
}
Json large_communities_json(const std::vector<wire::LargeCommunity>& list) {
  return list_json(list, format_large_community);
}

Json match_json(const policy::Match& m) {
  Json out = Json::object();
  if (m.prefix_list) out["prefix_list"] = *m.prefix_list;
  if (m.family) out["family"] = enum_name(kAfis, *m.family);
  if (m.as_path_regex) out["as_path_regex"] = *m.as_path_regex;
  if (m.origin_as) out["origin_as"] = *m.origin_as;
  if (m.as_path_contains) out["as_path_contains"] = *m.as_path_contains;
  if (m.as_path_max_length) out["as_path_max_length"] = *m.as_path_max_length;
  if (!m.communities_any.empty()) out["communities_any"] = communities_json(m.communities_any);
  if (!m.large_communities_any.empty()) {
    out["large_communities_any"] = large_communities_json(m.large_communities_any);
  }
  return out;
}

Json set_json(const policy::Actions& a) {
  Json out = Json::object();
  if (a.set_local_pref) out["local_pref"] = *a.set_local_pref;
  if (a.set_med) out["med"] = *a.set_med;
  if (a.set_next_hop) out["next_hop"] = a.set_next_hop->to_string();
  if (a.clear_communities) out["clear_communities"] = true;
  if (!a.remove_communities.empty()) out["remove_communities"] = communities_json(a.remove_communities);
  if (!a.add_communities.empty()) out["add_communities"] = communities_json(a.add_communities);
  if (!a.add_large_communities.empty()) {
    out["add_large_communities"] = large_communities_json(a.add_large_communities);
  }
  if (a.prepend_count != 0) out["prepend_count"] = a.prepend_count;
  if (a.prepend_asn) out["prepend_asn"] = *a.prepend_asn;
  return out;
}

Json policy_json(const policy::Policy& p) {
  return {{"terms", list_json(p.terms,
                              [](const policy::Term& t) {
                                return Json{{"name", t.name},
                                            {"match", match_json(t.match)},
                                            {"set", set_json(t.actions)},
                                            {"action", enum_name(kTermActions, t.result)}};
                              })},
          {"default", enum_name(kDefaultActions, p.default_result)}};
}

Json prefix_list_json(const policy::PrefixList& list) {
  auto length = [](std::uint8_t v) { return Json(v); };
  return list_json(list.entries, [&](const policy::PrefixListEntry& e) {
    return Json{{"prefix", e.prefix.to_string()},
                {"ge", optional_json(e.ge, length)},
                {"le", optional_json(e.le, length)},
                {"action", enum_name(kPrefixListActions, e.permit)}};
  });
}

Json network_json(const NetworkConfig& n) {
  auto u32 = [](std::uint32_t v) { return Json(v); };
  return {{"prefix", n.prefix.to_string()},
          {"next_hop", optional_json(n.next_hop, address_json)},
          {"communities", communities_json(n.communities)},
          {"large_communities", large_communities_json(n.large_communities)},
          {"med", optional_json(n.med, u32)},
          {"local_pref", optional_json(n.local_pref, u32)},
          {"origin", enum_name(kOrigins, n.origin)}};
}

}  // namespace

Json to_canonical_json(const Config& config, Secrets secrets) {
  Json prefix_lists = Json::object();
  for (const auto& [name, list] : config.policies.prefix_lists) {
    prefix_lists[name] = prefix_list_json(list);
  }
  Json policies = Json::object();
  for (const auto& [name, p] : config.policies.policies) policies[name] = policy_json(p);
  return {{"global", global_json(config.global)},
          {"neighbors", list_json(config.neighbors,
                                  [&](const NeighborConfig& n) { return neighbor_json(n, secrets); })},
          {"prefix_lists", std::move(prefix_lists)},
          {"policies", std::move(policies)},
          {"networks", list_json(config.networks, network_json)}};
}

std::string to_canonical_text(const Config& config, Secrets secrets) {
  return to_canonical_json(config, secrets).dump(2) + "\n";
}

}  // namespace bgpd::config
