// Neighbor fields (transport fields are in transport_test.cpp) and networks.
#include "test_util.hpp"

namespace bgpd::config::test {
namespace {

TEST(Neighbor, DefaultsAndInheritedTimers) {
  Json doc = base_document();
  doc["/global/hold_time"_json_pointer] = 30;
  doc["/global/connect_retry"_json_pointer] = "1m";
  doc["neighbors"].push_back(Json::parse(R"({"address": "2001:db8::2", "asn": 65001,
                                            "hold_time": "60s"})"));
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  ASSERT_EQ(result->neighbors.size(), 2u);
  const NeighborConfig& v4 = result->neighbors[0];
  EXPECT_EQ(v4.address.to_string(), "192.0.2.2");
  EXPECT_EQ(v4.port, 179);
  EXPECT_FALSE(v4.passive);
  EXPECT_EQ(v4.hold_time, Seconds{30});
  EXPECT_EQ(v4.keepalive, Seconds{10});
  EXPECT_EQ(v4.connect_retry, std::chrono::minutes{1});
  EXPECT_EQ(v4.families, std::vector<Family>{Family::Ipv4Unicast});
  EXPECT_FALSE(v4.import_policies.has_value());
  EXPECT_FALSE(v4.export_policies.has_value());
  EXPECT_TRUE(v4.route_refresh);
  EXPECT_FALSE(v4.shutdown);
  EXPECT_TRUE(result->is_ebgp(v4));
  const NeighborConfig& v6 = result->neighbors[1];
  EXPECT_EQ(v6.families, std::vector<Family>{Family::Ipv6Unicast});
  EXPECT_EQ(v6.hold_time, Seconds{60});
  EXPECT_EQ(v6.keepalive, Seconds{20});  // a third of its own hold time
  EXPECT_FALSE(result->is_ebgp(v6));
  EXPECT_EQ(result->find_neighbor(v6.address), &v6);
  EXPECT_EQ(result->find_neighbor(*wire::IpAddress::parse("192.0.2.99")), nullptr);
}

TEST(Neighbor, KeepaliveOverrideIsCheckedAgainstInheritedHold) {
  Json doc = base_document();
  doc["/neighbors/0/keepalive"_json_pointer] = 90;
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/keepalive", "less than hold_time 90s"));
  doc["/neighbors/0/keepalive"_json_pointer] = 10;
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->neighbors[0].hold_time, Seconds{90});
  EXPECT_EQ(result->neighbors[0].keepalive, Seconds{10});
}

TEST(Neighbor, AddressRequiredUniqueAndSpecified) {
  Json doc = base_document();
  doc["neighbors"].push_back(Json::parse(R"({"address": "192.0.2.2", "asn": 65003})"));
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/1/address",
                         "duplicate neighbor, already at /neighbors/0"));
  doc["/neighbors/1/address"_json_pointer] = "0.0.0.0";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/1/address", "unspecified"));
  doc["neighbors"][1].erase("address");
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/1/address", "required key is missing"));
}

TEST(Neighbor, AsnRules) {
  Json doc = base_document();
  doc["/neighbors/0/asn"_json_pointer] = 23456;
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/asn", "AS_TRANS"));
  doc["/neighbors/0/asn"_json_pointer] = 0;
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/asn", "out of range"));
}

TEST(Neighbor, LocalAddressFamilyMustMatch) {
  Json doc = base_document();
  doc["/neighbors/0/local_address"_json_pointer] = "2001:db8::1";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/local_address", "same address family"));
  doc["/neighbors/0/local_address"_json_pointer] = "192.0.2.1";
  EXPECT_TRUE(accepted(parse(doc)));
}

TEST(Neighbor, Families) {
  Json doc = base_document();
  doc["/neighbors/0/families"_json_pointer] = {"ipv6-unicast", "ipv4-unicast"};
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->neighbors[0].families,
            (std::vector<Family>{Family::Ipv4Unicast, Family::Ipv6Unicast}));
  doc["/neighbors/0/families"_json_pointer] = Json::array();
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/families", "at least one family"));
  doc["/neighbors/0/families"_json_pointer] = {"ipv4-unicast", "ipv4-unicast"};
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/families/1", "duplicate of /neighbors/0/families/0"));
  doc["/neighbors/0/families"_json_pointer] = {"ipv4-multicast"};
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/families/0", "'ipv4-unicast' or 'ipv6-unicast'"));
}

TEST(Neighbor, ImportExportRecordPresenceAndResolveNames) {
  Json doc = base_document();
  doc["policies"] = Json::parse(R"({"p1": {"default": "accept"}, "p2": {}})");
  doc["/neighbors/0/import"_json_pointer] = {"p1", "p2"};
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  EXPECT_EQ(result->neighbors[0].import_policies, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_FALSE(result->neighbors[0].export_policies.has_value());

  doc["/neighbors/0/export"_json_pointer] = {"p1", "nope"};
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/export/1", "unknown policy 'nope'"));
  doc["/neighbors/0/export"_json_pointer] = Json::array();
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/export", "RFC 8212"));
  doc["/neighbors/0/export"_json_pointer] = {"p1", "p1"};
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/export/1", "duplicate of /neighbors/0/export/0"));
  doc["/neighbors/0/export"_json_pointer] = "p1";
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/export", "expected an array"));
}

TEST(Neighbor, BooleansAndDescription) {
  Json doc = base_document();
  doc["/neighbors/0/description"_json_pointer] = "transit";
  doc["/neighbors/0/passive"_json_pointer] = true;
  doc["/neighbors/0/next_hop_self"_json_pointer] = true;
  doc["/neighbors/0/shutdown"_json_pointer] = true;
  doc["/neighbors/0/route_refresh"_json_pointer] = false;
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  const NeighborConfig& n = result->neighbors[0];
  EXPECT_EQ(n.description, "transit");
  EXPECT_TRUE(n.passive);
  EXPECT_TRUE(n.next_hop_self);
  EXPECT_TRUE(n.shutdown);
  EXPECT_FALSE(n.route_refresh);
  doc["/neighbors/0/description"_json_pointer] = 5;
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0/description", "expected a string"));
}

TEST(Neighbor, NeighborsMustBeAnArrayOfObjects) {
  Json doc = base_document();
  doc["neighbors"] = Json::object();
  EXPECT_TRUE(only_error(parse(doc), "/neighbors", "expected an array, got an object"));
  doc["neighbors"] = {1};
  EXPECT_TRUE(only_error(parse(doc), "/neighbors/0", "expected an object, got an integer"));
}

TEST(Network, ParsesAndSorts) {
  Json doc = base_document();
  doc["networks"] = Json::parse(R"([
    {"prefix": "2001:db8::/32", "origin": "incomplete"},
    {"prefix": "198.51.100.0/24", "next_hop": "192.0.2.1", "med": 5, "local_pref": 200,
     "communities": ["65001:2", "no-export", "65001:1"], "large_communities": ["65001:0:1"]}
  ])");
  auto result = parse(doc);
  ASSERT_TRUE(accepted(result));
  ASSERT_EQ(result->networks.size(), 2u);
  const NetworkConfig& v4 = result->networks[0];
  EXPECT_EQ(v4.prefix.to_string(), "198.51.100.0/24");
  EXPECT_EQ(v4.communities, (std::vector<wire::Community>{(65001u << 16) | 1, (65001u << 16) | 2,
                                                          wire::kNoExport}));
  EXPECT_EQ(v4.med, 5u);
  EXPECT_EQ(v4.local_pref, 200u);
  EXPECT_EQ(v4.origin, wire::Origin::Igp);
  EXPECT_EQ(result->networks[1].origin, wire::Origin::Incomplete);
}

TEST(Network, Rules) {
  Json doc = base_document();
  doc["networks"] = Json::parse(R"([
    {"prefix": "198.51.100.1/24"},
    {"prefix": "198.51.101.0/24", "next_hop": "2001:db8::1"},
    {"prefix": "198.51.102.0/24", "communities": ["65536:1"]},
    {"prefix": "198.51.103.0/24", "large_communities": ["1:2"]},
    {"prefix": "198.51.101.0/24", "origin": "bgp"},
    {}
  ])");
  auto result = parse(doc);
  EXPECT_TRUE(has_error(result, "/networks/0/prefix", "did you mean '198.51.100.0/24'?"));
  EXPECT_TRUE(has_error(result, "/networks/1/next_hop", "same address family"));
  EXPECT_TRUE(has_error(result, "/networks/2/communities/0", "not a community"));
  EXPECT_TRUE(has_error(result, "/networks/3/large_communities/0", "not a large community"));
  EXPECT_TRUE(has_error(result, "/networks/4/origin", "'igp', 'egp' or 'incomplete'"));
  EXPECT_TRUE(has_error(result, "/networks/4/prefix", "duplicate network, already at /networks/1"));
  EXPECT_TRUE(has_error(result, "/networks/5/prefix", "required key is missing"));
  EXPECT_EQ(result.error().size(), 7u) << dump_errors(result.error());
}

}  // namespace
}  // namespace bgpd::config::test
