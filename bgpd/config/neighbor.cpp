// bgpd/config/neighbor.cpp - one entry of "neighbors" and of "networks".
#include <algorithm>
#include <limits>

#include "bgpd/config/parse.hpp"

namespace bgpd::config::detail {
namespace {

std::optional<wire::IpAddress> to_peer_address(const Json& v, const std::string& ptr,
                                               Errors& errors) {
  auto address = to_address(v, ptr, errors);
  if (address && *address == wire::IpAddress{address->family, {}}) {
    errors.add(ptr, "the unspecified address cannot be a neighbor");
    return std::nullopt;
  }
  return address;
}

// import / export: names of policies, applied in order; each must exist.
std::optional<std::vector<std::string>> read_policy_chain(ObjectReader& r, std::string_view key,
                                                          const policy::PolicySet& policies) {
  const Json* v = r.find(key);
  if (v == nullptr) return std::nullopt;
  const std::string ptr = r.at(key);
  auto names = unique_list_of(to_name)(*v, ptr, r.errors());
  if (!names) return std::nullopt;
  if (v->empty()) {
    // An empty chain would read as "has a policy" yet do nothing; RFC 8212
    // makes the difference matter on eBGP, so say which one is meant.
    r.errors().add(ptr, "list at least one policy, or leave the key out (no policy: RFC 8212 "
                        "rejects all routes on eBGP sessions)");
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Json& name = (*v)[i];
    if (name.is_string() && valid_name(name.get_ref<const std::string&>()) &&
        policies.policies.count(name.get<std::string>()) == 0) {
      r.errors().add(child_pointer(ptr, i),
                     "unknown policy '" + name.get<std::string>() + "'");
    }
  }
  return names;
}

std::vector<Family> default_families(const wire::IpAddress& address) {
  // Decision (docs/configuration.md): a session carries the family of its
  // transport address unless "families" says otherwise.
  return {address.is_v4() ? Family::Ipv4Unicast : Family::Ipv6Unicast};
}

}  // namespace

NeighborConfig parse_neighbor(const Json& value, const std::string& ptr,
                              const GlobalConfig& global, const policy::PolicySet& policies,
                              Errors& errors) {
  ObjectReader r(value, ptr, errors);
  NeighborConfig n;
  if (auto address = r.get_required("address", to_peer_address)) n.address = *address;
  n.asn = r.get_required("asn", to_asn).value_or(0);
  n.description = r.get("description", to_string).value_or("");
  n.port = r.get("port", uint_in<std::uint16_t>(1, 65535)).value_or(179);
  n.local_address = r.get("local_address", to_address);
  if (n.local_address && n.local_address->family != n.address.family) {
    errors.add(r.at("local_address"), "must be of the same address family as address");
  }
  n.passive = r.get("passive", to_bool).value_or(false);
  read_timers(r, global.hold_time, global.keepalive, n.hold_time, n.keepalive);
  n.connect_retry =
      r.get("connect_retry", duration_in(std::chrono::seconds{1}, std::chrono::hours{1}))
          .value_or(global.connect_retry);
  if (const Json* v = r.find("families")) {
    n.families = unique_list_of(one_of(kFamilies))(*v, r.at("families"), errors)
                     .value_or(std::vector<Family>{});
    if (v->is_array() && v->empty()) errors.add(r.at("families"), "needs at least one family");
    std::sort(n.families.begin(), n.families.end());
  }
  if (n.families.empty()) n.families = default_families(n.address);
  n.next_hop_self = r.get("next_hop_self", to_bool).value_or(false);
  n.import_policies = read_policy_chain(r, "import", policies);
  n.export_policies = read_policy_chain(r, "export", policies);
  parse_transport(r, n);
  n.shutdown = r.get("shutdown", to_bool).value_or(false);
  n.route_refresh = r.get("route_refresh", to_bool).value_or(true);
  r.finish();
  return n;
}

NetworkConfig parse_network(const Json& value, const std::string& ptr, Errors& errors) {
  ObjectReader r(value, ptr, errors);
  NetworkConfig net;
  if (auto prefix = r.get_required("prefix", to_prefix)) net.prefix = *prefix;
  net.next_hop = r.get("next_hop", to_address);
  if (net.next_hop && r.find("prefix") != nullptr && net.next_hop->family != net.prefix.family()) {
    errors.add(r.at("next_hop"), "must be of the same address family as prefix");
  }
  net.communities = r.get("communities", unique_list_of(to_community)).value_or(
      std::vector<wire::Community>{});
  std::sort(net.communities.begin(), net.communities.end());
  net.large_communities = r.get("large_communities", unique_list_of(to_large_community))
                              .value_or(std::vector<wire::LargeCommunity>{});
  std::sort(net.large_communities.begin(), net.large_communities.end());
  constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
  net.med = r.get("med", uint_in<std::uint32_t>(0, kU32));
  net.local_pref = r.get("local_pref", uint_in<std::uint32_t>(0, kU32));
  net.origin = r.get("origin", one_of(kOrigins)).value_or(wire::Origin::Igp);
  r.finish();
  return net;
}

}  // namespace bgpd::config::detail
